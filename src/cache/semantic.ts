// The semantic layer: a near-duplicate of an earlier question, in an otherwise identical
// context, gets the earlier answer. Candidates are only ever compared within one partition:
// tenant scope + route + a hash of everything except the text that is embedded (system prompt,
// earlier turns, tools, parameters), so a semantic hit can never cross a tenant or change the
// context an answer was given in. Within it, the nearest neighbours above the route's threshold
// are checked by the verifier, best first; the first that passes is served.

import type { CanonicalMessage, CanonicalRequest } from '../spec/canonical.js';
import type { Embedder, SyncEmbedder } from './embedder.js';
import { canonicalRequestText, messagesForKey, optionsForKey, sha256, stableStringify } from './exact-key.js';
import type { VectorIndex } from './vector-index.js';
import { indexKey, textFeatures, verify, type TextFeatures, type VerifierReason } from './verifier.js';

export type EmbedMode = 'last_user' | 'conversation';

export interface SemanticQuery {
  partition: string;
  /** The text that is embedded and verified. */
  text: string;
}

function textOnly(m: CanonicalMessage): string | undefined {
  let out = '';
  for (const p of m.content) {
    if (p.type !== 'text') return undefined;
    out += (out === '' ? '' : '\n') + p.text;
  }
  return out;
}

/**
 * The partition and text of a request, or undefined when it has no plain-text last user turn
 * (a tool result or an image is compared exactly or not at all: the verifier reads text).
 */
export function semanticQuery(scope: string, route: string, r: CanonicalRequest, mode: EmbedMode): SemanticQuery | undefined {
  const last = r.messages[r.messages.length - 1];
  if (last?.role !== 'user') return undefined;
  const lastText = textOnly(last);
  if (lastText === undefined || lastText.trim() === '') return undefined;
  if (mode === 'last_user') {
    // The same text as the exact key's, of the request without its last turn (the fast builder).
    const context = canonicalRequestText(route, { ...r, messages: r.messages.slice(0, -1) });
    return { partition: `${scope}\u0000${sha256(context)}`, text: lastText };
  }
  // Whole conversation: the system prompt still partitions; the turns are embedded together.
  const system = r.messages.filter((m) => m.role === 'system');
  const turns: string[] = [];
  for (const m of r.messages) {
    if (m.role === 'system') continue;
    const t = textOnly(m);
    if (t === undefined) return undefined;
    turns.push(t);
  }
  const context = stableStringify({ route, system: messagesForKey(system), options: optionsForKey(r), mode });
  return { partition: `${scope}\u0000${sha256(context)}`, text: turns.join('\n') };
}

function isSync(e: Embedder): e is SyncEmbedder {
  return typeof (e as Partial<SyncEmbedder>).embedSync === 'function';
}

/** Embeds one text; a failing embedder yields undefined (the caller degrades to exact-only). */
export async function embedOne(e: Embedder, text: string): Promise<Float32Array | undefined> {
  try {
    if (isSync(e)) return e.embedSync(text);
    return (await e.embed([text]))[0];
  } catch {
    return undefined;
  }
}

/** How many neighbours above the threshold the verifier may look at before the lookup gives up. */
const CANDIDATES = 4;

export interface VerifiedCandidates {
  /** Neighbours that passed the verifier, best first (their answers may since have expired). */
  matches: Array<{ key: string; similarity: number }>;
  /** Why the best neighbour above the threshold was refused, when none passed. */
  rejected?: { reason: VerifierReason; similarity: number };
  /**
   * With a `floor` under the threshold: the best neighbour between the two that passed the
   * verifier (what a lower threshold would have served; `threshold: auto` learns from it).
   */
  nearMiss?: { key: string; similarity: number };
}

export function verifiedCandidates(index: VectorIndex, q: SemanticQuery, vector: Float32Array, threshold: number, floor = threshold): VerifiedCandidates {
  const out: VerifiedCandidates = { matches: [] };
  let features: TextFeatures | undefined;
  // A large partition is searched by the query's content words (vector-index.ts): the verifier's features, computed once.
  const key = (): string => indexKey((features ??= textFeatures(q.text)));
  for (const n of index.nearest(q.partition, vector, CANDIDATES, Math.min(floor, threshold), key)) {
    features ??= textFeatures(q.text);
    const v = verify(features, n.entry.features);
    if (n.similarity < threshold) {
      if (v.ok) out.nearMiss ??= { key: n.entry.key, similarity: n.similarity };
    } else if (v.ok) out.matches.push({ key: n.entry.key, similarity: n.similarity });
    else out.rejected ??= { reason: v.reason, similarity: n.similarity };
  }
  if (out.matches.length > 0) {
    delete out.rejected;
    delete out.nearMiss;
  }
  return out;
}
