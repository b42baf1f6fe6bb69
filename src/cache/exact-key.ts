// The exact cache key: a hash of everything in a canonical request that can change the answer.
// Two requests with the same key must be answerable by the same response; anything that cannot
// change the answer (request id, `user`, `stream`, metadata, header order, prompt-cache markers)
// is left out so that it does not split the cache. The tenant scope is prepended in clear, so an
// entry stored under one scope cannot be found under another even if two hashes collided.

import { hash } from 'node:crypto';
import type { CanonicalMessage, CanonicalRequest, ContentPart } from '../spec/canonical.js';

/** JSON with object keys sorted and `undefined` dropped: the same value always gives the same text. */
export function stableStringify(v: unknown): string {
  if (v === null || typeof v !== 'object') return v === undefined ? 'null' : JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map((x) => stableStringify(x)).join(',')}]`;
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o).filter((k) => o[k] !== undefined).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${stableStringify(o[k])}`).join(',')}}`;
}

/** A content part without what cannot change the answer (prompt-cache markers). */
function partForKey(p: ContentPart): unknown {
  switch (p.type) {
    case 'text':
      return ['t', p.text];
    case 'image':
      return ['i', p.source, p.detail];
    case 'reasoning':
      return ['r', p.text, p.redacted];
    case 'tool-call':
      return ['c', p.id, p.name, p.arguments];
    case 'tool-result':
      return ['x', p.toolCallId, p.name, p.content.map(partForKey), p.isError === true];
  }
}

export function messagesForKey(messages: readonly CanonicalMessage[]): unknown[] {
  return messages.map((m) => [m.role, m.name, m.content.map(partForKey)]);
}

/**
 * Everything but the messages that can change the answer. `n` and `logprobs` are here too,
 * although such requests bypass the cache by default, so that a route that opts in to them
 * still never mixes answers of different shapes.
 */
export function optionsForKey(r: CanonicalRequest): unknown {
  return {
    tools: r.tools?.map((t) => [t.name, t.description, t.parameters, t.strict]),
    toolChoice: r.toolChoice,
    parallelToolCalls: r.parallelToolCalls,
    responseFormat: r.responseFormat,
    maxTokens: r.maxTokens,
    temperature: r.temperature,
    topP: r.topP,
    topK: r.topK,
    stop: r.stop,
    seed: r.seed,
    frequencyPenalty: r.frequencyPenalty,
    presencePenalty: r.presencePenalty,
    n: r.n,
    logprobs: r.logprobs,
    topLogprobs: r.topLogprobs,
    reasoning: r.reasoning,
    providerOptions: r.providerOptions,
  };
}

/** The keys of `optionsForKey`, sorted as stableStringify sorts them. */
const OPTION_KEYS = Object.keys(optionsForKey({ model: '', messages: [], stream: false }) as object).sort();

/** Whether a value holds no object but arrays: then JSON.stringify writes what stableStringify would (no keys to sort). */
function keyless(v: unknown): boolean {
  if (v === null || typeof v !== 'object') return true;
  if (!Array.isArray(v)) return false;
  for (const x of v) if (!keyless(x)) return false;
  return true;
}

/**
 * The canonical text that is hashed; exported for tests and for debugging a miss. The same text
 * as `stableStringify({ route, messages, options })`, built without sorting keys per request
 * (the option keys are sorted once) and with the native JSON.stringify for the messages when
 * they hold no object (text and tool calls: nearly always). The exact key is most of what an
 * exact hit costs the cache.
 */
export function canonicalRequestText(route: string, r: CanonicalRequest): string {
  const messages = messagesForKey(r.messages);
  const o = optionsForKey(r) as Record<string, unknown>;
  let options = '';
  for (const k of OPTION_KEYS) {
    const v = o[k];
    if (v === undefined) continue;
    options += `${options === '' ? '' : ','}"${k}":${stableStringify(v)}`;
  }
  return `{"messages":${keyless(messages) ? JSON.stringify(messages) : stableStringify(messages)},"options":{${options}},"route":${JSON.stringify(route)}}`;
}

/** SHA-256, base64url. The one-shot `crypto.hash` (Node >= 20.12) costs half of a createHash object. */
export function sha256(text: string): string {
  return hash('sha256', text, 'base64url');
}

/** The full exact key: `<scope>\0<hash>`. */
export function exactKey(scope: string, route: string, r: CanonicalRequest): string {
  return `${scope}\u0000${sha256(canonicalRequestText(route, r))}`;
}

/** The scope part of a key built by `exactKey` (used by purge). */
export function scopeOfKey(key: string): string {
  const i = key.indexOf('\u0000');
  return i < 0 ? '' : key.slice(0, i);
}
