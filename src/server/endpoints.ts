// The endpoint table: path -> (client wire format, auth, handler).
import { openaiChat, anthropicMessages } from '../formats/index.js';
import { decodeEmbeddingRequest, encodeEmbeddingResponse } from '../formats/openai-chat/index.js';
import { decodeCountTokensRequest, encodeCountTokensResponse } from '../formats/anthropic-messages/index.js';
import { estimateInputTokens } from '../routing/estimate.js';
import { handleChat } from '../gateway/chat.js';
import { handleEmbeddings, type EmbeddingCodec } from '../gateway/embeddings.js';
import { lookupRoute, type Exchange } from '../gateway/chat.js';
import type { Endpoint } from './http.js';
import { openaiResponses } from '../formats/openai-responses/index.js';
import { prepareResponses } from '../store/responses-ingress.js';
import { MemoryResponsesStore } from '../store/memory-responses-store.js';
import type { ResponsesStore } from '../store/responses-store.js';
import { responsesByIdEndpoints } from './responses-endpoints.js';

function json(ex: Exchange, status: number, body: unknown): void {
  const payload = JSON.stringify(body);
  ex.res.writeHead(status, ['content-type', 'application/json', 'content-length', String(Buffer.byteLength(payload)), ...ex.idHeaders]);
  ex.res.end(payload);
}

const embeddingCodec: EmbeddingCodec = {
  decode: decodeEmbeddingRequest,
  encode: (r, req) => encodeEmbeddingResponse(r, { model: req.model, requestId: '', created: Math.floor(Date.now() / 1000), encodingFormat: req.encodingFormat }),
};

function listModels(ex: Exchange): unknown {
  const created = Math.floor(ex.snapshot.loadedAt / 1000);
  return {
    object: 'list',
    data: [...ex.snapshot.routes.values()].map((r) => ({ id: r.name, object: 'model', created, owned_by: 'modelplane' })),
  };
}

export interface EndpointOptions {
  /** Stored responses for `previous_response_id`; without one, a memory store per endpoint table. */
  responsesStore?: ResponsesStore;
}

export function defaultEndpoints(opts: EndpointOptions = {}): Map<string, Endpoint> {
  const m = new Map<string, Endpoint>();
  const responsesStore = opts.responsesStore ?? new MemoryResponsesStore();
  const responses: Endpoint = {
    method: 'POST',
    auth: 'bearer',
    errors: openaiResponses,
    handle: async (d, ex, body) => handleChat(d, ex, (await prepareResponses(responsesStore, body)).ingress, body),
  };
  m.set('POST /v1/responses', responses);
  m.set('POST /responses', responses);
  for (const [key, endpoint] of responsesByIdEndpoints(responsesStore)) m.set(key, endpoint);
  const chat: Endpoint = { method: 'POST', auth: 'bearer', errors: openaiChat, handle: (d, ex, body) => handleChat(d, ex, openaiChat, body) };
  m.set('POST /v1/chat/completions', chat);
  m.set('POST /chat/completions', chat);
  m.set('POST /v1/messages', { method: 'POST', auth: 'anthropic', errors: anthropicMessages, handle: (d, ex, body) => handleChat(d, ex, anthropicMessages, body) });
  m.set('POST /v1/messages/count_tokens', {
    method: 'POST',
    auth: 'anthropic',
    errors: anthropicMessages,
    handle: (_d, ex, body) => {
      const req = decodeCountTokensRequest(body);
      lookupRoute(ex.snapshot, req.model);
      json(ex, 200, encodeCountTokensResponse(estimateInputTokens(req)));
    },
  });
  const embeddings: Endpoint = { method: 'POST', auth: 'bearer', errors: openaiChat, handle: (d, ex, body) => handleEmbeddings(d, ex, embeddingCodec, body) };
  m.set('POST /v1/embeddings', embeddings);
  m.set('POST /embeddings', embeddings);
  m.set('GET /v1/models', { method: 'GET', auth: 'bearer', errors: openaiChat, handle: (_d, ex) => json(ex, 200, listModels(ex)) });
  m.set('GET /v1/models/*', {
    method: 'GET',
    auth: 'bearer',
    errors: openaiChat,
    handle: (_d, ex) => json(ex, 200, modelLookup(ex, decodeURIComponent(new URL(ex.req.url ?? '/', 'http://x').pathname.slice('/v1/models/'.length)))),
  });
  m.set('GET /healthz', { method: 'GET', auth: 'none', errors: openaiChat, handle: (_d, ex) => json(ex, 200, { status: 'ok' }) });
  m.set('GET /readyz', {
    method: 'GET',
    auth: 'none',
    errors: openaiChat,
    handle: (_d, ex) => json(ex, 200, { status: 'ready', config_version: ex.snapshot.version, routes: ex.snapshot.routes.size }),
  });
  m.set('GET /admin/health', { method: 'GET', auth: 'admin', errors: openaiChat, handle: (d, ex) => json(ex, 200, d.router.health(Date.now(), ex.snapshot)) });
  return m;
}

function modelLookup(ex: Exchange, id: string): unknown {
  const r = lookupRoute(ex.snapshot, id);
  return { id: r.name, object: 'model', created: Math.floor(ex.snapshot.loadedAt / 1000), owned_by: 'modelplane' };
}
