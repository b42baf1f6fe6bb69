// Chat completions and Anthropic Messages: a stateless chat ingress over the chat producer.
import type { CanonicalRequest } from '../../spec/canonical.js';
import type { IngressFormat } from '../../spec/wire.js';
import { requestNeeds } from '../../routing/estimate.js';
import type { Call } from '../call.js';
import { idHeaders, type EndpointSpec } from '../endpoint.js';
import { produceChat } from '../produce-chat.js';
import { encodeContext, renderChat } from '../render.js';
import { chatRoute } from '../route.js';

/** Fills the call from a decoded chat request: route (chat kind) and needs, computed once. */
export function acceptChat(call: Call, request: CanonicalRequest): void {
  call.route = chatRoute(call.ex.snapshot, request.model);
  call.request = request;
  call.needs = requestNeeds(request);
}

export function chatEndpoint(ingress: IngressFormat, anthropic: boolean): EndpointSpec {
  return {
    kind: 'chat',
    format: ingress.name,
    method: 'POST',
    auth: anthropic ? 'anthropic' : 'bearer',
    errors: ingress,
    idHeaders: anthropic ? idHeaders.anthropic : idHeaders.plain,
    logged: true,
    decode: (call, body) => acceptChat(call, ingress.decodeRequest(body, call.ex.snapshot.server.limits)),
    produce: produceChat,
    render: (call, answer) => renderChat(call, answer, ingress, encodeContext(call, (call.request as CanonicalRequest).model)),
  };
}
