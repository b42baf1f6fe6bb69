// Embeddings. Google AI: `models/{m}:batchEmbedContents` (one request per input). Vertex:
// `models/{m}:predict` with `instances` (the only embedding method Vertex publishers expose).
import { GatewayError } from '../../spec/index.js';
import type { EgressTarget, EmbeddingRequest, EmbeddingResponse, UpstreamRequest, UpstreamResponseMeta } from '../../spec/index.js';
import { arr, isObject, num } from '../shared/json.js';
import { buildHeaders, buildUrl, isVertex } from './build-request.js';

export function buildGeminiEmbeddingRequest(request: EmbeddingRequest, target: EgressTarget): UpstreamRequest {
  const inputs = request.input;
  if (!inputs.every((i): i is string => typeof i === 'string')) {
    throw new GatewayError('unsupported_capability', 'Gemini embeddings take text input, not token arrays', { param: 'input' });
  }
  const warnings: string[] = [];
  if (request.encodingFormat === 'base64') warnings.push('encoding_format base64 is produced by the gateway, Gemini returns floats');
  if (request.user !== undefined) warnings.push('user is not supported by Gemini; ignored');
  let body: Record<string, unknown>;
  let method: string;
  if (isVertex(target)) {
    method = 'predict';
    body = { instances: inputs.map((content) => ({ content })) };
    if (request.dimensions !== undefined) body.parameters = { outputDimensionality: request.dimensions };
  } else {
    method = 'batchEmbedContents';
    body = {
      requests: inputs.map((text) => {
        const r: Record<string, unknown> = { model: `models/${target.model}`, content: { parts: [{ text }] } };
        if (request.dimensions !== undefined) r.outputDimensionality = request.dimensions;
        return r;
      }),
    };
  }
  return { method: 'POST', url: buildUrl(target, method, {}), headers: buildHeaders(target), body: JSON.stringify(body), warnings };
}

/**
 * batchEmbedContents reports no token counts (inputTokens is then 0); Vertex predict reports
 * `statistics.token_count` per instance.
 */
export function parseGeminiEmbeddingResponse(json: unknown, meta: UpstreamResponseMeta): EmbeddingResponse {
  const fail = () => new GatewayError('upstream_protocol', 'unexpected Gemini embedding response', { upstream: { status: meta.status, body: json } });
  if (!isObject(json)) throw fail();
  const vectors: number[][] = [];
  let tokens = 0;
  if (Array.isArray(json.predictions)) {
    for (const p of json.predictions) {
      const e = isObject(p) && isObject(p.embeddings) ? p.embeddings : undefined;
      if (!e) throw fail();
      vectors.push(toVector(e.values, fail));
      tokens += isObject(e.statistics) ? (num(e.statistics.token_count) ?? 0) : 0;
    }
  } else if (Array.isArray(json.embeddings)) {
    for (const e of json.embeddings) vectors.push(toVector(isObject(e) ? e.values : undefined, fail));
  } else throw fail();
  return { model: '', vectors, usage: { inputTokens: tokens } };
}

function toVector(v: unknown, fail: () => GatewayError): number[] {
  const values = arr(v);
  if (values.length === 0 || !values.every((x) => typeof x === 'number')) throw fail();
  return values as number[];
}
