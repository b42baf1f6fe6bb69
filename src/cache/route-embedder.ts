// `cache.embedder: <route>`: the semantic layer embeds through one of the gateway's own
// embeddings routes (a provider, Ollama, TEI), over loopback HTTP to the gateway itself, so the
// call gets everything an embeddings request gets (routing, fallback, health, the request line).
// The address is known only once the server listens (`attach`); until then, and whenever the call
// fails or is slow, the lookup degrades to exact-only (response-cache.ts).

import { RouteEmbedder } from './embedder.js';

export interface LoopbackTarget {
  /** The gateway's own base URL, once it listens. */
  url?: string;
  /** The credential to present (the master key), read at call time so a reload applies. */
  key(): string | undefined;
}

interface EmbeddingsBody {
  data?: Array<{ index?: number; embedding?: unknown }>;
}

export function loopbackRouteEmbedder(route: string, target: LoopbackTarget, timeoutMs?: number): RouteEmbedder {
  return new RouteEmbedder(
    route,
    async (texts, signal) => {
      if (target.url === undefined) throw new Error('the gateway is not listening yet');
      const key = target.key();
      const res = await fetch(`${target.url}/v1/embeddings`, {
        method: 'POST',
        signal,
        headers: { 'content-type': 'application/json', ...(key !== undefined ? { authorization: `Bearer ${key}` } : {}) },
        body: JSON.stringify({ model: route, input: texts }),
      });
      if (!res.ok) throw new Error(`embeddings route ${route} answered ${res.status}`);
      const body = (await res.json()) as EmbeddingsBody;
      const out: number[][] = [];
      for (const [i, d] of (body.data ?? []).entries()) {
        if (!Array.isArray(d.embedding) || !d.embedding.every((x) => typeof x === 'number')) throw new Error(`embeddings route ${route}: data[${i}].embedding is not a vector of numbers`);
        out[d.index ?? i] = d.embedding as number[];
      }
      return out;
    },
    timeoutMs,
  );
}
