// One embedding per request, shared by every stage that wants one (the cache's semantic layer,
// the auto router): the first to ask computes it, later askers get the same promise. Kept on the
// Call under a symbol local, keyed by embedder and text, so two stages that embed different
// texts (or with different embedders) never get each other's vector.

import type { Call } from '../gateway/call.js';
import { SHARED_EMBEDDING, type SharedEmbedding } from '../gateway/shared-embedding.js';
import type { Embedder } from './embedder.js';
import { embedOne } from './semantic.js';

const EMBEDDINGS = Symbol('modelplane.embeddings');

type Memo = Map<string, Promise<Float32Array | undefined>>;

/**
 * The unit vector of `text` under `embedder`, computed at most once per call. Resolves to
 * undefined (never rejects) when the embedder fails: callers degrade, they do not error.
 */
export function callEmbedding(call: Call, embedder: Embedder, text: string): Promise<Float32Array | undefined> {
  // The auto router runs first and leaves its vector in the shared slot (gateway/shared-embedding.ts).
  const s = call[SHARED_EMBEDDING] as SharedEmbedding | undefined;
  if (s !== undefined && s.embedder === embedder.name && s.text === text) return Promise.resolve(s.vector);
  let memo = call[EMBEDDINGS] as Memo | undefined;
  if (memo === undefined) call[EMBEDDINGS] = memo = new Map();
  const k = `${embedder.name}\u0000${text}`;
  let p = memo.get(k);
  if (p === undefined) memo.set(k, (p = embedOne(embedder, text)));
  return p;
}
