// The `openai-responses` wire format (OpenAI Responses API, POST /v1/responses), ingress only:
// clients such as @ai-sdk/openai's default model and the openai SDK's `responses.*` speak it; the
// gateway translates it to the canonical form and answers from any provider.
// `previous_response_id` and `item_reference` need a responses store: the gateway binds one in
// src/store/responses-ingress.ts; this object alone treats every such id as unknown.
import type { IngressFormat } from '../../spec/wire.js';
import { decodeRequest } from './decode-request.js';
import { encodeError } from './encode-error.js';
import { encodeEvents } from './encode-events.js';
import { encodeResponse } from './encode-response.js';

export const openaiResponses: IngressFormat = {
  name: 'openai-responses',
  decodeRequest,
  encodeResponse: (r, ctx) => encodeResponse(r, ctx),
  encodeEvents: (events, ctx) => encodeEvents(events, ctx),
  encodeError,
};

export {
  parseResponsesRequest,
  parseInputItems,
  referencedItemIds,
  resolveItems,
  previousResponseNotFound,
  toCanonicalRequest,
  type ParsedItem,
  type ParsedResponsesRequest,
} from './decode-request.js';
export { encodeResponse } from './encode-response.js';
export { encodeEvents, type StreamEncodeOptions } from './encode-events.js';
export { encodeError } from './encode-error.js';
export { echoFromRequest, type OutputItem, type ResponseEcho, type ResponseObject } from './response-object.js';
export { owningResponseId, responseId, FORMAT } from './ids.js';
export type { InputItem } from './schema.js';
