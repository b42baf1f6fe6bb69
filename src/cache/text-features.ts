// Tokens shared by the local embedder and the verifier: lower-cased words with contractions
// expanded, a light suffix stemmer, and a stop-word list. Deliberately small and deterministic:
// no model, no dictionary download, the same output on every machine.

const CONTRACTIONS: Array<[RegExp, string]> = [
  [/\bcan['’]t\b/g, 'can not'],
  [/\bwon['’]t\b/g, 'will not'],
  [/\bshan['’]t\b/g, 'shall not'],
  [/n['’]t\b/g, ' not'],
  [/['’](re|ve|ll|d|m|s)\b/g, ''],
];

/** Lower-cased words and numbers, contractions expanded ("don't" -> "do", "not"). */
export function words(text: string): string[] {
  let t = text.toLowerCase();
  for (const [re, to] of CONTRACTIONS) t = t.replace(re, to);
  return t.match(/[\p{L}\p{M}]+|\d+(?:[.,]\d+)*/gu) ?? [];
}

export const STOP_WORDS = new Set(
  (
    'a an the and or but if then so of in on at by for with about as into onto from ' +
    'is am are was were be been being do does did done have has had having can could will would shall should may might must ' +
    'i me my mine we us our you your he him his she her it its they them their this that these those there here ' +
    'what which who whom whose when where why how please pls kindly just also really very quite some any ' +
    'tell show give explain help want need know like let get got way to'
  ).split(' '),
);

/** Negation markers: a question with one and its twin without ask opposite things. */
export const NEGATIONS = new Set(['not', 'no', 'never', 'none', 'nobody', 'nothing', 'neither', 'nor', 'without', 'cannot', 'unable', 'non']);

/** A light suffix stemmer: enough to fold plurals and verb forms ("resetting" ~ "reset", "orders" ~ "order"). */
export function stem(w: string): string {
  if (w.length <= 3 || /\d/.test(w)) return w;
  let s = w;
  if (s.endsWith('ies') && s.length > 4) s = `${s.slice(0, -3)}y`;
  else if (s.endsWith('sses')) s = s.slice(0, -2);
  else if (s.endsWith('ing') && s.length > 5) s = s.slice(0, -3);
  else if (s.endsWith('ed') && s.length > 4) s = s.slice(0, -2);
  else if (s.endsWith('es') && s.length > 4 && /(sh|ch|x|z|ss)es$/.test(s)) s = s.slice(0, -2);
  else if (s.endsWith('s') && !s.endsWith('ss') && !s.endsWith('us') && !s.endsWith('is')) s = s.slice(0, -1);
  // Doubled final consonant left by -ing/-ed ("resetting" -> "resett" -> "reset").
  if (s !== w && /([b-df-hj-np-tv-z])\1$/.test(s) && !/(ll|ss|zz)$/.test(s)) s = s.slice(0, -1);
  // A final silent e, so that "include" and "included" meet at "includ".
  if (s.length > 3 && s.endsWith('e') && !s.endsWith('ee')) s = s.slice(0, -1);
  return s;
}

/** Stemmed content words in order (stop words and negations removed). */
export function contentWords(text: string): string[] {
  const out: string[] = [];
  for (const w of words(text)) if (!STOP_WORDS.has(w) && !NEGATIONS.has(w)) out.push(stem(w));
  return out;
}

/** 32-bit FNV-1a: fast, stable across runs and machines. */
export function fnv1a(s: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}
