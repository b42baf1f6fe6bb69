// One embedding per request, shared by the stages that need one: the auto router (its features)
// and the semantic cache (its lookup). The first stage to need the embedding of a text under an
// embedder computes it and leaves it on the call under SHARED_EMBEDDING; a later stage that
// needs the same text under the same embedder awaits that instead of embedding again. The auto
// router runs before the cache, so on a cached auto route the cache reuses the router's vector
// whenever the two embed the same text (the last user turn, with `auto.text: last_user`, or any
// request without a system prompt under the default).
//
// A synchronous embedder (the local hashed one: microseconds) runs inline; an asynchronous one
// (an embeddings route: a network call) runs off the event loop by nature and is given
// `timeoutMs`, after which the stage goes on without a vector (the router degrades to its
// structural features, the cache to exact-only).

import type { Embedder, SyncEmbedder } from '../cache/embedder.js';
import type { Call } from './call.js';

/** `Symbol.for`, so a stage can find the embedding without importing this module. */
export const SHARED_EMBEDDING = Symbol.for('modelplane.shared-embedding');

export interface SharedEmbedding {
  /** `Embedder.name`: vectors of different embedders do not compare. */
  embedder: string;
  text: string;
  /** Undefined when the embedder failed or was too slow. */
  vector: Promise<Float32Array | undefined> | Float32Array | undefined;
}

const isSync = (e: Embedder): e is SyncEmbedder => typeof (e as Partial<SyncEmbedder>).embedSync === 'function';

function withTimeout(p: Promise<Float32Array[]>, ms: number): Promise<Float32Array | undefined> {
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(undefined), ms);
    t.unref();
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v[0]);
      },
      () => {
        clearTimeout(t);
        resolve(undefined);
      },
    );
  });
}

/**
 * The embedding of `text` under `embedder` for this call: the shared one when a stage already
 * made it, else made now and shared. Synchronous embedders answer synchronously (no promise).
 */
export function sharedEmbedding(call: Call, embedder: Embedder, text: string, timeoutMs = 50): SharedEmbedding['vector'] {
  const s = call[SHARED_EMBEDDING] as SharedEmbedding | undefined;
  if (s !== undefined && s.embedder === embedder.name && s.text === text) return s.vector;
  let vector: SharedEmbedding['vector'];
  if (isSync(embedder)) {
    try {
      vector = embedder.embedSync(text);
    } catch {
      vector = undefined;
    }
  } else {
    let p: Promise<Float32Array[]>;
    try {
      p = embedder.embed([text]);
    } catch {
      p = Promise.reject(new Error('embedder threw'));
    }
    vector = withTimeout(p, timeoutMs);
  }
  call[SHARED_EMBEDDING] = { embedder: embedder.name, text, vector } satisfies SharedEmbedding;
  return vector;
}
