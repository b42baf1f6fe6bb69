// The verifier: the second opinion a semantic candidate needs before it is served. A bag of
// words (or any embedder) puts "convert a list to a set" and "convert a set to a list" almost on
// top of each other; a threshold cannot tell them apart, rules can. Each rule below names one way
// two close texts ask different things. The rules are deliberately strict: a rejected paraphrase
// costs one upstream call, a wrong hit serves a wrong answer.

import { NEGATIONS, stem, STOP_WORDS, words } from './text-features.js';

export type VerifierReason = 'script' | 'quoted' | 'number' | 'negation' | 'question' | 'entity' | 'substitution' | 'additions' | 'order';

export type Verdict = { ok: true } | { ok: false; reason: VerifierReason };

/**
 * Generic synonyms and spelling variants folded before words are compared (stems on both
 * sides). Small on purpose: each entry is a pair a user swaps without changing the question.
 */
const SYNONYMS: Record<string, string> = Object.fromEntries(
  (
    'centr:center colour:color color:color favourit:favorite purchas:buy bought:buy modify:chang edit:chang updat:chang ' +
    'delet:remov eras:remov begin:start commenc:start finish:end big:larg quick:fast rapid:fast shop:store ' +
    'permit:allow cost:pric mail:email login:log logon:log'
  )
    .split(' ')
    .map((p) => p.split(':') as [string, string]),
);

/** Words whose presence in both texts makes word order meaningful ("from A to B", "A to B", "A than B"). */
const DIRECTIONAL = new Set(['to', 'into', 'from', 'than', 'vs', 'versus', 'before', 'after', 'over', 'onto', 'toward', 'towards']);

/** Particles that reverse a verb ("log in" / "log out", "turn on" / "turn off", "scroll up" / "scroll down"). */
const OPPOSITE_PARTICLES: Array<[string, string]> = [
  ['in', 'out'],
  ['on', 'off'],
  ['up', 'down'],
];

function oppositeParticles(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  return OPPOSITE_PARTICLES.some(([x, y]) => (a.has(x) && !a.has(y) && b.has(y) && !b.has(x)) || (a.has(y) && !a.has(x) && b.has(x) && !b.has(y)));
}

/** How many words one side may add before the two no longer ask the same thing. */
const MAX_ADDED = 2;

/**
 * The only content words one side may add: hedges and "how" nouns that do not change the
 * question ("how long does a cold usually last", "what is the process to return an item"). Any
 * other added word may narrow it ("delete my account" / "delete my account data", "cancel for
 * free"), so it is a miss: a rejected paraphrase costs one call, a wrong hit a wrong answer.
 */
const FILLERS = new Set(
  'usual usually typical typically generally normally roughly approximately exactly actually currently still yet ever even now quickly basically simply common all new own whole entir possibl process step procedur method'.split(' '),
);

function canon(w: string): string {
  return SYNONYMS[w] ?? w;
}

/** Numbers in order ("refund 3 of my 5" is not "refund 5 of my 3"), number words included. */
function numbers(text: string): string[] {
  const ns: string[] = [];
  for (const w of words(text)) {
    if (/^\d/.test(w)) ns.push(w.replace(/^0+(?=\d)/, ''));
    else if (NUMBER_WORDS.has(w)) ns.push(NUMBER_WORDS.get(w)!);
  }
  return ns;
}

const NUMBER_WORDS = new Map(
  'zero:0 one:1 two:2 three:3 four:4 five:5 six:6 seven:7 eight:8 nine:9 ten:10 eleven:11 twelve:12 twenty:20 hundred:100 thousand:1000 million:1000000 dozen:12 twice:2 double:2 triple:3 half:0.5'
    .split(' ')
    .map((p) => p.split(':') as [string, string]),
);

/** Quoted strings and code spans: the thing to translate, the error to explain. Must match exactly. */
function quoted(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/```[\s\S]*?```|`[^`]+`|"[^"]+"|“[^”]+”|(?:^|(?<=[\s(:]))'[^']+'(?=[\s.,!?;:)]|$)/g)) out.push(m[0].slice(1, -1).trim().toLowerCase());
  return out.sort();
}

/** Writing systems present (Latin, Cyrillic, Han, ...): a question in another script is another request. */
function scripts(text: string): string {
  const s = new Set<string>();
  for (const [re, name] of SCRIPT_TESTS) if (re.test(text)) s.add(name);
  return [...s].sort().join(',');
}

const SCRIPT_TESTS: Array<[RegExp, string]> = [
  [/\p{Script=Latin}/u, 'latin'],
  [/\p{Script=Cyrillic}/u, 'cyrillic'],
  [/\p{Script=Greek}/u, 'greek'],
  [/\p{Script=Han}/u, 'han'],
  [/[\p{Script=Hiragana}\p{Script=Katakana}]/u, 'kana'],
  [/\p{Script=Hangul}/u, 'hangul'],
  [/\p{Script=Arabic}/u, 'arabic'],
  [/\p{Script=Hebrew}/u, 'hebrew'],
  [/\p{Script=Devanagari}/u, 'devanagari'],
];

/**
 * Names and identifiers: a word capitalised other than at the start of a sentence ("Rome",
 * "Python", "JSON"), or one that mixes letters and digits ("K2", "INV-2024"). Adding or swapping
 * one changes what is asked even when everything else matches.
 */
function entities(text: string): Set<string> {
  const out = new Set<string>();
  const re = /[\p{L}\p{N}][\p{L}\p{N}_-]*/gu;
  for (const m of text.matchAll(re)) {
    const w = m[0];
    const before = text.slice(0, m.index).trimEnd();
    const sentenceStart = before === '' || /[.!?:;"'“(]$/.test(before);
    const named = /^\p{Lu}/u.test(w) && !sentenceStart && w !== 'I';
    const ident = /\p{L}/u.test(w) && /\d/.test(w);
    if (named || ident) for (const part of words(w)) if (!/^\d/.test(part)) out.add(canon(stem(part)));
  }
  return out;
}

/** Content words for comparison: numbers left out (the number rule has compared them already). */
function comparable(text: string): string[] {
  const out: string[] = [];
  for (const w of words(text)) if (!STOP_WORDS.has(w) && !NEGATIONS.has(w) && !/^\d/.test(w) && !NUMBER_WORDS.has(w)) out.push(canon(stem(w)));
  return out;
}

/**
 * What kind of answer is asked for: "why is my account locked" and "how do I lock my account"
 * share every content word. How, what and which are one kind ("how tall" / "what height").
 */
const QUESTION_KINDS: Record<string, string> = { why: 'why', where: 'where', when: 'when', who: 'who', whom: 'who', whose: 'who', how: 'how', what: 'how', which: 'how' };

function questionKinds(text: string): string {
  const k = new Set<string>();
  for (const w of words(text)) {
    const q = QUESTION_KINDS[w];
    if (q !== undefined) k.add(q);
  }
  return [...k].sort().join(',');
}

function negationParity(text: string): number {
  let n = 0;
  for (const w of words(text)) if (NEGATIONS.has(w)) n++;
  return n % 2;
}

function sameOrder(a: readonly string[], b: readonly string[], shared: ReadonlySet<string>): boolean {
  const fa = dedupe(a.filter((w) => shared.has(w)));
  const fb = dedupe(b.filter((w) => shared.has(w)));
  return fa.length === fb.length && fa.every((w, i) => w === fb[i]);
}

function dedupe(ws: string[]): string[] {
  const seen = new Set<string>();
  return ws.filter((w) => (seen.has(w) ? false : (seen.add(w), true)));
}

function multisetMinus(a: readonly string[], b: readonly string[]): string[] {
  const left = new Map<string, number>();
  for (const w of b) left.set(w, (left.get(w) ?? 0) + 1);
  const out: string[] = [];
  for (const w of a) {
    const n = left.get(w) ?? 0;
    if (n > 0) left.set(w, n - 1);
    else out.push(w);
  }
  return out;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/**
 * Everything the rules read from one text, computed once: a cached question's features are kept
 * with its vector, so a lookup prepares only the query.
 */
export interface TextFeatures {
  scripts: string;
  quoted: string[];
  numbers: string[];
  negation: number;
  questions: string;
  comparable: string[];
  set: Set<string>;
  all: Set<string>;
  entities: Set<string>;
  directional: boolean;
}

export function textFeatures(text: string): TextFeatures {
  const comparableWords = comparable(text);
  const ws = words(text);
  return {
    scripts: scripts(text),
    quoted: quoted(text),
    numbers: numbers(text),
    negation: negationParity(text),
    questions: questionKinds(text),
    comparable: comparableWords,
    set: new Set(comparableWords),
    all: new Set(ws.map((w) => canon(stem(w)))),
    entities: entities(text),
    directional: ws.some((w) => DIRECTIONAL.has(w)),
  };
}

/**
 * What a text is filed under in a large partition (vector-index.ts): its comparable words without
 * the fillers, as a set, in one string. Any two texts `verify` accepts have the same key (a word
 * on each side is a substitution; an added word must be a filler), so the entries under a query's
 * key are all the candidates that could pass, and none outside it can.
 */
export function indexKey(f: TextFeatures): string {
  return [...f.set].filter((w) => !FILLERS.has(w)).sort().join('\u0001');
}

/** Whether `candidate` (a cached question) asks the same thing as `query`. Symmetric. */
export function verify(query: string | TextFeatures, candidate: string | TextFeatures): Verdict {
  const q = typeof query === 'string' ? textFeatures(query) : query;
  const c = typeof candidate === 'string' ? textFeatures(candidate) : candidate;
  if (q.scripts !== c.scripts) return { ok: false, reason: 'script' };
  if (!sameList(q.quoted, c.quoted)) return { ok: false, reason: 'quoted' };
  if (!sameList(q.numbers, c.numbers)) return { ok: false, reason: 'number' };
  if (q.negation !== c.negation) return { ok: false, reason: 'negation' };
  // A question word on one side only is a rewording ("capital of France?"); different ones are not.
  if (q.questions !== '' && c.questions !== '' && q.questions !== c.questions) return { ok: false, reason: 'question' };
  for (const e of q.entities) if (!c.all.has(e)) return { ok: false, reason: 'entity' };
  for (const e of c.entities) if (!q.all.has(e)) return { ok: false, reason: 'entity' };
  if (oppositeParticles(q.all, c.all)) return { ok: false, reason: 'substitution' };
  // Multisets: "a list of lists" / "a dict of lists" differ by one "list" each way.
  const onlyA = multisetMinus(q.comparable, c.comparable);
  const onlyB = multisetMinus(c.comparable, q.comparable);
  // A word on each side that the other lacks: one thing was swapped for another ("cheapest" for
  // "fastest", "upgrade" for "downgrade", "key" for "value").
  if (onlyA.length > 0 && onlyB.length > 0) return { ok: false, reason: 'substitution' };
  const added = onlyA.length > 0 ? onlyA : onlyB;
  if (added.length > MAX_ADDED || added.some((w) => !FILLERS.has(w))) return { ok: false, reason: 'additions' };
  if (q.directional && c.directional) {
    const shared = new Set([...q.set].filter((w) => c.set.has(w)));
    if (!sameOrder(q.comparable, c.comparable, shared)) return { ok: false, reason: 'order' };
  }
  return { ok: true };
}
