// Which embedder `similar` (and a captured suite's references) is scored with. `ngram`, the
// default, is this package's character n-gram embedder (robust to spelling, blind to meaning);
// `words` is the response cache's local word-feature embedder; `route:R` is a real embedding
// model behind the gateway's own embeddings route R (POST /v1/embeddings), through the cache's
// RouteEmbedder, so an eval can judge paraphrases by meaning when a model is configured.
import { HashedNgramEmbedder as CacheWordsEmbedder, RouteEmbedder, type Embedder as BatchEmbedder } from '../cache/embedder.js';
import { HashedNgramEmbedder, type Embedder } from './embedder.js';

/** A batch embedder (the cache's interface) as the one-text embedder assertions use. */
export function oneAtATime(e: BatchEmbedder): Embedder {
  return {
    name: e.name,
    async embed(text) {
      const [v] = await e.embed([text]);
      if (!v) throw new Error(`${e.name}: no vector returned`);
      return v;
    },
  };
}

export class EmbedderChoiceError extends Error {}

export function chooseEmbedder(choice: string | undefined, gateway: { baseUrl: string; apiKey?: string }, timeoutMs = 10_000): Embedder {
  if (choice === undefined || choice === 'ngram') return new HashedNgramEmbedder();
  if (choice === 'words') return oneAtATime(new CacheWordsEmbedder());
  if (choice.startsWith('route:') && choice.length > 'route:'.length) {
    const route = choice.slice('route:'.length);
    const call = async (texts: readonly string[], signal: AbortSignal): Promise<number[][]> => {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (gateway.apiKey) headers.authorization = `Bearer ${gateway.apiKey}`;
      const res = await fetch(`${gateway.baseUrl.replace(/\/+$/, '')}/v1/embeddings`, { method: 'POST', headers, body: JSON.stringify({ model: route, input: texts }), signal });
      const body = (await res.json()) as { data?: Array<{ embedding?: number[] }>; error?: { message?: string } };
      if (!res.ok || !body.data) throw new Error(`embeddings route ${route}: ${res.status} ${body.error?.message ?? ''}`.trim());
      return body.data.map((d) => d.embedding ?? []);
    };
    return oneAtATime(new RouteEmbedder(route, call, timeoutMs));
  }
  throw new EmbedderChoiceError(`--embedder: expected ngram, words or route:NAME (an embeddings route of the gateway), got "${choice}"`);
}
