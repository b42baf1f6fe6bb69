// Endpoints whose answer is a plain JSON document computed in the gateway: count_tokens, models,
// probes and the admin health view. They run through the same runner as chat, so they get the
// same authentication, headers and error rendering.
import { anthropicMessages, openaiChat } from '../../formats/index.js';
import { decodeCountTokensRequest } from '../../formats/anthropic-messages/index.js';
import { produceCountTokens } from '../produce-count-tokens.js';
import { requestNeeds } from '../../routing/estimate.js';
import { GatewayError } from '../../spec/errors.js';
import type { Answer, Call, EndpointKind } from '../call.js';
import type { GatewayDeps } from '../deps.js';
import { idHeaders, type AuthScheme, type EndpointSpec } from '../endpoint.js';
import { writeJson } from '../render.js';
import { lookupRoute } from '../route.js';
import { decodePathSegment } from '../../server/path-param.js';

function renderJson(call: Call, answer: Answer): void {
  if (answer.kind !== 'json') throw new GatewayError('internal_error', `a JSON endpoint cannot render a ${answer.kind} answer`);
  writeJson(call, answer.status, JSON.stringify(answer.body));
}

/**
 * A GET endpoint answered by the gateway itself; `render` defaults to JSON (telemetry's plain
 * text and HTML endpoints pass their own).
 */
export function jsonEndpoint(
  kind: EndpointKind,
  auth: AuthScheme,
  answer: (deps: GatewayDeps, call: Call) => unknown,
  logged = false,
  render: EndpointSpec['render'] = renderJson,
): EndpointSpec {
  return {
    kind,
    format: 'openai-chat',
    method: 'GET',
    auth,
    errors: openaiChat,
    idHeaders: idHeaders.plain,
    logged,
    produce: async (deps, _l, call) => ({ kind: 'json', status: 200, body: await answer(deps, call) }),
    render,
  };
}

export const countTokensEndpoint: EndpointSpec = {
  kind: 'count_tokens',
  format: 'anthropic-messages',
  method: 'POST',
  auth: 'anthropic',
  errors: anthropicMessages,
  idHeaders: idHeaders.anthropic,
  logged: true,
  decode(call, body) {
    const request = decodeCountTokensRequest(body, call.ex.snapshot.server.limits);
    call.route = lookupRoute(call.ex.snapshot, request.model);
    call.request = request;
    call.needs = requestNeeds(request);
  },
  produce: (deps, _l, call) => produceCountTokens(deps, call),
  render: renderJson,
};

export function listModels(call: Call): unknown {
  const s = call.ex.snapshot;
  const created = Math.floor(s.loadedAt / 1000);
  return { object: 'list', data: [...s.routes.values()].map((r) => ({ id: r.name, object: 'model', created, owned_by: 'modelplane' })) };
}

/** `GET /v1/models/{id}`: the id is the rest of the path, percent-decoded. */
export function modelLookup(call: Call): unknown {
  const path = call.ex.req.url ?? '/';
  const q = path.indexOf('?');
  const raw = (q === -1 ? path : path.slice(0, q)).slice('/v1/models/'.length);
  const r = lookupRoute(call.ex.snapshot, decodePathSegment(raw));
  return { id: r.name, object: 'model', created: Math.floor(call.ex.snapshot.loadedAt / 1000), owned_by: 'modelplane' };
}
