// `POST /v1/feedback {"request_id": "...", "score": 0..1}`: the caller's verdict on an answer an
// auto route gave (1: as good as it needed to be; 0: not). The request id is the response's
// `x-request-id`. A label is what closes the router's loop: `modelplane router savings` reports
// the measured quality per tier next to the router's estimate, and `router train --from-ledger`
// learns from the labels that still have their feature vector (recorder.ts).
//
// Only the key that made the request (or the master key) may label it; anyone else gets the
// same 404 as for an unknown id, so ids of other tenants' requests cannot be probed. Errors are
// in the caller's format: Anthropic's shape for a caller that sends `anthropic-version` or
// `x-api-key`, OpenAI's otherwise.

import { anthropicMessages, openaiChat } from '../../formats/index.js';
import type { Call } from '../../gateway/call.js';
import { idHeaders, type EndpointSpec } from '../../gateway/endpoint.js';
import { writeJson } from '../../gateway/render.js';
import { GatewayError } from '../../spec/errors.js';
import { FEATURIZER } from './features.js';
import { sparseOf, type DecisionRecorder } from './recorder.js';
import type { Label } from './router-store.js';

const BODY = Symbol('modelplane.feedback.body');
/** Errors to render in Anthropic's shape (the spec's renderer sees the error, not the call). */
const anthropicErrors = new WeakSet<GatewayError>();

function anthropicCaller(call: Call): boolean {
  const h = call.ex.req.headers;
  return h['anthropic-version'] !== undefined || (h['x-api-key'] !== undefined && h.authorization === undefined);
}

function fail(call: Call, e: GatewayError): GatewayError {
  if (anthropicCaller(call)) anthropicErrors.add(e);
  return e;
}

export interface FeedbackDeps {
  /** Undefined when no route of the running config is `strategy: auto`. */
  recorder(): DecisionRecorder | undefined;
  now(): number;
}

function parse(call: Call): { requestId: string; score: number } {
  const b = call[BODY] as unknown;
  if (b === null || typeof b !== 'object' || Array.isArray(b)) throw fail(call, new GatewayError('invalid_request', 'the body must be a JSON object: {"request_id": "<x-request-id of the answer>", "score": 0..1}'));
  const o = b as Record<string, unknown>;
  const id = o.request_id;
  if (typeof id !== 'string' || id === '' || id.length > 200) throw fail(call, new GatewayError('invalid_request', 'request_id: expected the x-request-id header of the answer you are rating (a non-empty string)', { param: 'request_id' }));
  const score = typeof o.score === 'boolean' ? (o.score ? 1 : 0) : o.score;
  if (typeof score !== 'number' || !(score >= 0 && score <= 1)) throw fail(call, new GatewayError('invalid_request', 'score: expected a number from 0 (the answer was not good enough) to 1 (it was)', { param: 'score' }));
  return { requestId: id, score };
}

export function feedbackEndpoint(deps: FeedbackDeps): EndpointSpec {
  return {
    kind: 'admin',
    format: 'feedback',
    method: 'POST',
    auth: 'anthropic', // both SDKs' headers: x-api-key or Authorization: Bearer
    errors: { encodeError: (e) => (anthropicErrors.has(e) ? anthropicMessages : openaiChat).encodeError(e) },
    idHeaders: idHeaders.plain,
    logged: false,
    decode(call, body) {
      call[BODY] = body;
    },
    produce: (_d, _l, call) => {
      const { requestId, score } = parse(call);
      const recorder = deps.recorder();
      if (recorder === undefined) return Promise.reject(fail(call, new GatewayError('not_found', 'feedback is taken for answers of `strategy: auto` routes, and this gateway has none')));
      const d = recorder.find(requestId);
      const mine = d !== undefined && (call.caller.kind === 'master' || call.caller.kind === 'open' || (d.keyId !== undefined && d.keyId === call.caller.keyId));
      if (d === undefined || !mine) {
        return Promise.reject(fail(call, new GatewayError('not_found', `no answer of an auto route with request id "${requestId}" for this key (feedback is taken for answers of strategy: auto routes, by the key that asked)`, { param: 'request_id' })));
      }
      const label: Label = { requestId, ts: deps.now(), score, route: d.route, tier: d.tier, tierIndex: d.tierIndex, tiers: d.tiers };
      if (d.score !== undefined) label.routerScore = d.score;
      const features = sparseOf(d);
      if (features !== undefined) {
        label.features = features;
        label.featurizer = d.featurizer ?? FEATURIZER;
      }
      recorder.label(label);
      return Promise.resolve({ kind: 'json', status: 200, body: { object: 'feedback', request_id: requestId, score, route: d.route, tier: d.tier, training_example: label.features !== undefined } });
    },
    render(call, answer) {
      if (answer.kind !== 'json') throw new GatewayError('internal_error', 'feedback renders JSON');
      writeJson(call, answer.status, JSON.stringify(answer.body));
    },
  };
}
