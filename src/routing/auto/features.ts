// What the auto router looks at, as one fixed-length numeric vector per request: structural
// features (how long, how many turns, tools, code, math, a requested output format, the kind of
// instruction) and a hashed bag of words and word pairs of the text it is configured to read.
//
// Why hashing and not a neural embedding: nothing can be downloaded at run time here, a
// dependency-free featurizer costs tens of microseconds, and the trained head on top decides
// what matters. A route may later feed the cache's embedder instead (same vector contract: a
// fixed length, L2-normalised text part); the weights file records which featurizer it expects.

import type { CanonicalRequest, CanonicalMessage as Message } from '../../spec/canonical.js';

export const FEATURIZER = 'structural+hashed-ngrams/v1';
/** The alternative: structural features plus a shared embedder's vector (`featurizeEmbedded`). */
export const EMBED_FEATURIZER = 'structural+embedder/v1';
/** Hashed text dimensions (a power of two). */
export const TEXT_DIMS = 512;

/** Instruction verbs and phrases that tend to separate routine work from hard reasoning. */
const HARD_CUES = ['prove', 'derive', 'design', 'architect', 'analy', 'compare', 'trade-off', 'tradeoff', 'why', 'explain', 'reason', 'plan', 'optimi', 'debug', 'refactor', 'step by step', 'evaluate', 'critique', 'strategy', 'implement', 'algorithm', 'complexity', 'theorem', 'synthes', 'reconcile'];
const EASY_CUES = ['classify', 'extract', 'translate', 'summari', 'label', 'sentiment', 'yes or no', 'format', 'convert', 'list', 'spell', 'capital of', 'rewrite', 'tag', 'detect', 'which category', 'one word'];

export const STRUCTURAL_NAMES = [
  'bias_1',
  'log_chars',
  'log_words',
  'turns',
  'has_system',
  'tools',
  'log_tool_schema_chars',
  'code',
  'math',
  'json_requested',
  'non_ascii_share',
  'questions',
  'hard_cues',
  'easy_cues',
  'log_max_tokens',
  'list_items',
] as const;

export const DIMS = STRUCTURAL_NAMES.length + TEXT_DIMS;

export type TextSource = 'last_user' | 'last_user_and_system' | 'conversation';

function textOf(m: Message): string {
  let s = '';
  for (const p of m.content) if (p.type === 'text') s += (s ? '\n' : '') + p.text;
  return s;
}

/** The text the router reads: by default the last user turn and the system prompt. */
export function routerText(req: Pick<CanonicalRequest, 'messages'>, source: TextSource = 'last_user_and_system'): string {
  const msgs = req.messages;
  if (source === 'conversation') return msgs.map(textOf).join('\n');
  let last = '';
  for (let i = msgs.length - 1; i >= 0; i--) {
    if (msgs[i]!.role === 'user') {
      last = textOf(msgs[i]!);
      break;
    }
  }
  if (source === 'last_user') return last;
  let system = '';
  for (const m of msgs) if (m.role === 'system') system += (system ? '\n' : '') + textOf(m);
  return system ? `${system}\n${last}` : last;
}

/** FNV-1a, 32 bits: stable across runs and platforms (the weights file depends on it). */
function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

const WORD = /[\p{L}\p{N}_]+/gu;

function countCues(lower: string, cues: readonly string[]): number {
  let n = 0;
  for (const c of cues) if (lower.includes(c)) n++;
  return n;
}

export interface FeatureInput {
  text: string;
  turns: number;
  hasSystem: boolean;
  tools: number;
  toolSchemaChars: number;
  jsonRequested: boolean;
  maxTokens: number | undefined;
}

export function featureInput(req: CanonicalRequest, source: TextSource = 'last_user_and_system'): FeatureInput {
  let toolSchemaChars = 0;
  for (const t of req.tools ?? []) toolSchemaChars += JSON.stringify(t.parameters ?? {}).length + (t.description?.length ?? 0);
  return {
    text: routerText(req, source),
    turns: req.messages.filter((m) => m.role !== 'system').length,
    hasSystem: req.messages.some((m) => m.role === 'system'),
    tools: req.tools?.length ?? 0,
    toolSchemaChars,
    jsonRequested: req.responseFormat !== undefined && req.responseFormat.type !== 'text',
    maxTokens: req.maxTokens,
  };
}

/** Writes the structural features into v[0..STRUCTURAL_NAMES.length); returns the lower-cased words. */
function structural(v: Float64Array, f: FeatureInput): string[] {
  const text = f.text;
  const lower = text.toLowerCase();
  const words = lower.match(WORD) ?? [];
  let nonAscii = 0;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) nonAscii++;
  let k = 0;
  v[k++] = 1;
  v[k++] = Math.log1p(text.length) / 10;
  v[k++] = Math.log1p(words.length) / 8;
  v[k++] = Math.min(f.turns, 20) / 20;
  v[k++] = f.hasSystem ? 1 : 0;
  v[k++] = Math.min(f.tools, 10) / 10;
  v[k++] = Math.log1p(f.toolSchemaChars) / 10;
  v[k++] = /```|\bfunction\b|\bdef \w+\(|=>|;\s*$|\bclass \w+|#include|\bSELECT\b/m.test(text) ? 1 : 0;
  v[k++] = /[=+\-*/^]\s*\d|\d\s*[=+\-*/^]|\\frac|∫|√|\bintegral\b|\bequation\b/.test(lower) ? 1 : 0;
  v[k++] = f.jsonRequested || /\bjson\b/.test(lower) ? 1 : 0;
  v[k++] = text.length === 0 ? 0 : nonAscii / text.length;
  v[k++] = Math.min((text.match(/\?/g) ?? []).length, 5) / 5;
  v[k++] = Math.min(countCues(lower, HARD_CUES), 5) / 5;
  v[k++] = Math.min(countCues(lower, EASY_CUES), 5) / 5;
  v[k++] = f.maxTokens === undefined ? 0 : Math.log1p(f.maxTokens) / 10;
  v[k++] = Math.min((text.match(/^\s*(?:\d+[.)]|[-*])\s/gm) ?? []).length, 10) / 10;
  return words;
}

/** The feature vector (length DIMS): structural part, then the L2-normalised hashed text part. */
export function featurize(f: FeatureInput): Float64Array {
  const v = new Float64Array(DIMS);
  const words = structural(v, f);
  // Hashed unigrams and bigrams, signed (a second hash bit) to keep collisions unbiased.
  const base = STRUCTURAL_NAMES.length;
  let norm = 0;
  const add = (token: string) => {
    const h = hash(token);
    const i = base + (h & (TEXT_DIMS - 1));
    const sign = h & 0x80000000 ? -1 : 1;
    v[i] = v[i]! + sign;
  };
  for (let i = 0; i < words.length; i++) {
    add(words[i]!);
    if (i > 0) add(`${words[i - 1]} ${words[i]}`);
  }
  for (let i = base; i < DIMS; i++) norm += v[i]! * v[i]!;
  if (norm > 0) {
    const inv = 1 / Math.sqrt(norm);
    for (let i = base; i < DIMS; i++) v[i] = v[i]! * inv;
  }
  return v;
}

/**
 * The embedder featurizer's vector: the structural part, then an embedder's unit vector of the
 * router's text (the one the semantic cache computes too: src/gateway/shared-embedding.ts).
 * Without a vector (the embedder failed or was slow) the text part is zeros: the head then
 * decides on the structural features alone.
 */
export function featurizeEmbedded(f: FeatureInput, embedding: Float32Array | undefined, embedDims: number): Float64Array {
  const v = new Float64Array(STRUCTURAL_NAMES.length + embedDims);
  structural(v, f);
  if (embedding !== undefined && embedding.length === embedDims) for (let i = 0; i < embedDims; i++) v[STRUCTURAL_NAMES.length + i] = embedding[i]!;
  return v;
}
