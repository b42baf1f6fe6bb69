// The endpoint table: `METHOD /path` -> endpoint spec (gateway/endpoint.ts). A path ending in
// `/*` matches any deeper path.
import { anthropicMessages, openaiChat } from '../formats/index.js';
import type { EndpointSpec } from '../gateway/endpoint.js';
import { chatEndpoint } from '../gateway/endpoints/chat.js';
import { embeddingsEndpoint } from '../gateway/endpoints/embeddings.js';
import { countTokensEndpoint, jsonEndpoint, listModels, modelLookup } from '../gateway/endpoints/json.js';
import { responsesEndpoint } from '../gateway/endpoints/responses.js';
import { MemoryResponsesStore } from '../store/memory-responses-store.js';
import type { ResponsesStore } from '../store/responses-store.js';

export interface EndpointOptions {
  /** Stored responses for `previous_response_id`; without one, a memory store per endpoint table. */
  responsesStore?: ResponsesStore;
}

export function defaultEndpoints(opts: EndpointOptions = {}): Map<string, EndpointSpec> {
  const m = new Map<string, EndpointSpec>();
  const responses = responsesEndpoint(opts.responsesStore ?? new MemoryResponsesStore());
  m.set('POST /v1/responses', responses);
  m.set('POST /responses', responses);
  const chat = chatEndpoint(openaiChat, false);
  m.set('POST /v1/chat/completions', chat);
  m.set('POST /chat/completions', chat);
  m.set('POST /v1/messages', chatEndpoint(anthropicMessages, true));
  m.set('POST /v1/messages/count_tokens', countTokensEndpoint);
  m.set('POST /v1/embeddings', embeddingsEndpoint);
  m.set('POST /embeddings', embeddingsEndpoint);
  m.set('GET /v1/models', jsonEndpoint('models', 'bearer', (_d, call) => listModels(call), true));
  m.set('GET /v1/models/*', jsonEndpoint('models', 'bearer', (_d, call) => modelLookup(call), true));
  m.set('GET /healthz', jsonEndpoint('probe', 'none', () => ({ status: 'ok' })));
  m.set('GET /readyz', jsonEndpoint('probe', 'none', (_d, call) => ({ status: 'ready', config_version: call.ex.snapshot.version, routes: call.ex.snapshot.routes.size })));
  m.set('GET /admin/health', jsonEndpoint('admin', 'admin', (d, call) => d.router.health(call.ex.clock(), call.ex.snapshot)));
  return m;
}

/** The error shape for a path no endpoint serves: Anthropic's under /v1/messages, else OpenAI's. */
export function errorsForUnknownPath(path: string): { errors: EndpointSpec['errors']; anthropic: boolean } {
  const anthropic = path.startsWith('/v1/messages');
  return { errors: anthropic ? anthropicMessages : openaiChat, anthropic };
}
