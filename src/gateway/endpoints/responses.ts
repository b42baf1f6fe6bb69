// POST /v1/responses: the OpenAI Responses API over the chat producer. Its state lives in the
// Responses store: the decode step loads the `previous_response_id` conversation (history.ts),
// the encoders hand over the final response object, and the endpoint's after-hook stores it
// once the response has left (write-behind).
import { openaiResponses } from '../../formats/openai-responses/index.js';
import type { ResponsesStore } from '../../store/responses-store.js';
import type { Call } from '../call.js';
import { idHeaders, type EndpointSpec } from '../endpoint.js';
import { produceChat } from '../produce-chat.js';
import { encodeContext, renderChat } from '../render.js';
import { prepareResponses, type PreparedResponses } from '../responses/history.js';
import { acceptChat } from './chat.js';

const PREPARED = Symbol('responses.prepared');
const prepared = (call: Call) => call[PREPARED] as PreparedResponses;

export function responsesEndpoint(store: ResponsesStore): EndpointSpec {
  return {
    kind: 'chat',
    format: openaiResponses.name,
    method: 'POST',
    auth: 'bearer',
    errors: openaiResponses,
    idHeaders: idHeaders.plain,
    logged: true,
    decode: async (call, body) => {
      const p = await prepareResponses(store, body, call.ex.snapshot.server.limits);
      acceptChat(call, p.request);
      call[PREPARED] = p;
    },
    produce: produceChat,
    render: (call, answer) => {
      const p = prepared(call);
      return renderChat(call, answer, p.ingress, encodeContext(call, p.request.model));
    },
    after: (call) => prepared(call).save(),
  };
}
