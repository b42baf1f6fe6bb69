// POST /embeddings, both sides: ingress validation and rendering, egress request and parsing.
import { z } from 'zod';
import type { EmbeddingRequest, EmbeddingResponse } from '../../spec/canonical.js';
import { GatewayError } from '../../spec/errors.js';
import type { EgressTarget, EncodeContext, UpstreamRequest, UpstreamResponseMeta } from '../../spec/wire.js';
import { arr, isObject, num, str } from '../shared/json.js';
import { dropUnsupported, upstreamHeaders, upstreamUrl } from './build-request.js';
import { Warnings } from './convert-messages.js';
import { zodToGatewayError } from './zod-error.js';
import { checkEmbeddingBounds } from '../shared/ingress-bounds.js';
import { DEFAULT_INGRESS_LIMITS, type IngressLimits } from '../../spec/limits.js';

const tokens = z.array(z.number().int().min(0)).min(1);

const embeddingRequestSchema = z.object({
  model: z.string().min(1),
  input: z.union([z.string().min(1), z.array(z.string().min(1)).min(1), tokens, z.array(tokens).min(1)]),
  dimensions: z.number().int().min(1).nullish(),
  encoding_format: z.enum(['float', 'base64']).nullish(),
  user: z.string().nullish(),
});

export function decodeEmbeddingRequest(body: unknown, limits: IngressLimits = DEFAULT_INGRESS_LIMITS): EmbeddingRequest {
  if (!isObject(body)) throw new GatewayError('invalid_request', 'request body must be a JSON object');
  checkEmbeddingBounds(body, limits);
  const parsed = embeddingRequestSchema.safeParse(body);
  if (!parsed.success) throw zodToGatewayError(parsed.error, body);
  const b = parsed.data;
  let input: string[] | number[][];
  if (typeof b.input === 'string') input = [b.input];
  else if (typeof b.input[0] === 'number') input = [b.input as number[]];
  else input = b.input as string[] | number[][];
  const req: EmbeddingRequest = { model: b.model, input, encodingFormat: b.encoding_format ?? 'float' };
  if (b.dimensions != null) req.dimensions = b.dimensions;
  if (b.user != null) req.user = b.user;
  return req;
}

/** float32 little-endian, base64: what the openai SDK asks for by default and decodes. */
export function vectorToBase64(v: readonly number[]): string {
  const buf = Buffer.allocUnsafe(v.length * 4);
  for (let i = 0; i < v.length; i++) buf.writeFloatLE(v[i]!, i * 4);
  return buf.toString('base64');
}

export function base64ToVector(s: string): number[] {
  const buf = Buffer.from(s, 'base64');
  const n = buf.length >>> 2;
  const out: number[] = new Array(n);
  for (let i = 0; i < n; i++) out[i] = buf.readFloatLE(i * 4);
  return out;
}

export interface EmbeddingEncodeContext extends EncodeContext {
  encodingFormat: 'float' | 'base64';
}

export function encodeEmbeddingResponse(r: EmbeddingResponse, ctx: EmbeddingEncodeContext): unknown {
  const base64 = ctx.encodingFormat === 'base64';
  return {
    object: 'list',
    data: r.vectors.map((v, index) => ({ object: 'embedding', index, embedding: base64 ? vectorToBase64(v) : v })),
    model: ctx.model,
    usage: { prompt_tokens: r.usage.inputTokens, total_tokens: r.usage.inputTokens },
  };
}

export function buildEmbeddingRequest(r: EmbeddingRequest, target: EgressTarget): UpstreamRequest {
  const w = new Warnings();
  // Floats: every compatible server supports them, not every one supports base64.
  const body: Record<string, unknown> = { model: target.model, input: r.input, encoding_format: 'float' };
  if (r.dimensions !== undefined) body.dimensions = r.dimensions;
  if (r.user !== undefined) body.user = r.user;
  dropUnsupported(body, target.quirks.unsupportedParams, w);
  return { method: 'POST', url: upstreamUrl(target, '/embeddings'), headers: upstreamHeaders(target), body: JSON.stringify(body), warnings: w.list };
}

export function parseEmbeddingResponse(json: unknown, meta: UpstreamResponseMeta): EmbeddingResponse {
  const data = isObject(json) ? arr(json.data) : undefined;
  if (!isObject(json) || !data) {
    throw new GatewayError('upstream_protocol', 'upstream embeddings response has no data array', { upstream: { status: meta.status, body: json } });
  }
  const vectors: number[][] = new Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const item = data[i];
    const embedding = isObject(item) ? item.embedding : undefined;
    const index = isObject(item) ? num(item.index) ?? i : i;
    const vector = typeof embedding === 'string' ? base64ToVector(embedding) : Array.isArray(embedding) ? (embedding as number[]) : undefined;
    if (!vector || index < 0 || index >= data.length) {
      throw new GatewayError('upstream_protocol', `upstream embeddings response: data[${i}] has no usable embedding`, { upstream: { status: meta.status, body: json } });
    }
    vectors[index] = vector;
  }
  const usage = isObject(json.usage) ? json.usage : {};
  return {
    model: str(json.model) ?? '',
    vectors,
    usage: { inputTokens: num(usage.prompt_tokens) ?? num(usage.total_tokens) ?? 0 },
  };
}
