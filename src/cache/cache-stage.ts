// The cache as a lifecycle extension (docs/architecture.md, "How to add a stage"):
//   stage   looks the request up; a hit answers without an attempt (JSON or a replayed stream,
//           in the caller's own format); a miss goes on with `next()` and, for a non-streaming
//           answer, is stored at once (single-flight followers get it before the leader renders)
//   tap     records a streamed miss event by event, synchronously
//   after   stores the recorded stream once the response has left, only if it completed cleanly
//           (status 200, no error, a finish event); anything else releases single-flight followers
// Every response of a cached route carries `x-modelplane-cache` (and `age`, and the similarity of
// a semantic hit); `call.outcome.cache` says the same to the request line and the ledger, and a
// hit's `costUsd` is 0 (what it saved is in the cache's KPI).

import type { Answer, Call } from '../gateway/call.js';
import { isChatRequest } from '../gateway/call.js';
import type { Extension } from '../gateway/extension.js';
import type { Price } from '../config/snapshot.js';
import type { Usage } from '../spec/canonical.js';
import { AnswerRecorder, answerResponse, answerStream } from './answer.js';
import { cacheHeaders, type PendingAnswer, type ResponseCache } from './response-cache.js';
import { SHARED_EMBEDDING, type SharedEmbedding } from '../gateway/shared-embedding.js';

const STATE = Symbol('modelplane.cache');

interface CallState {
  pending: PendingAnswer;
  recorder?: AnswerRecorder;
}

/** USD for `usage` at `price` (per million tokens); cached input tokens at their own price when known. */
export function usageCost(usage: Usage | undefined, price: Price | undefined): number | undefined {
  if (!usage || !price) return undefined;
  const cached = usage.cacheReadTokens ?? 0;
  const cachedPrice = price.cacheReadPerMTok ?? price.inputPerMTok;
  return ((usage.inputTokens - cached) * price.inputPerMTok + cached * cachedPrice + usage.outputTokens * price.outputPerMTok) / 1e6;
}

/** What the answer of this call cost: the ledger's figure when something priced it, else the catalog's. */
function callCost(call: Call, usage: Usage | undefined): number | undefined {
  return call.outcome.costUsd ?? usageCost(usage ?? call.outcome.usage, call.outcome.attempt?.deployment.price);
}

function header(call: Call, name: string): string | undefined {
  const v = call.ex.req.headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

export function cacheExtension(cache: ResponseCache): Extension {
  return {
    name: 'cache',
    enabled: (snapshot) => {
      for (const r of snapshot.routes.values()) if (r.cache) return true;
      return false;
    },
    stage: async (call, next) => {
      const route = call.route;
      const policy = route?.cache;
      const request = call.request;
      if (policy === undefined || route === undefined || call.endpoint !== 'chat' || !isChatRequest(request)) return next();
      const lookup = await cache.lookup({ route: route.name, policy, request, caller: call.caller, cacheControl: header(call, 'cache-control'), shared: call[SHARED_EMBEDDING] as SharedEmbedding | undefined });
      const h = cacheHeaders(lookup);
      call.headers.push(...h);
      // The cache's own audit request (audit-loopback.ts) is labelled as such; only the master key may say so.
      call.outcome.cache = h[1] === 'bypass' && header(call, 'x-modelplane-cache-audit') === '1' && (call.caller.kind === 'master' || call.caller.kind === 'open') ? 'audit' : h[1]!;
      if (lookup.kind === 'hit') {
        const { answer } = lookup;
        if (lookup.layer === 'semantic' && policy.audit > 0) cache.auditor?.maybeAudit(route.name, policy.audit, request, answer.response);
        call.outcome.costUsd = 0;
        if (answer.response.usage) call.outcome.usage = { ...answer.response.usage };
        call.outcome.finish = answer.response.finishReason;
        const id = `${answer.response.id.replace(/-cache-.*$/, '')}-cache-${call.ex.requestId}`;
        const created = Math.floor(Date.now() / 1000);
        return request.stream ? { kind: 'stream', events: answerStream(answer, id, created) } : { kind: 'response', response: answerResponse(answer, id, created) };
      }
      if (lookup.kind === 'bypass') return next();
      const state: CallState = { pending: lookup.pending };
      if (request.stream) state.recorder = new AnswerRecorder();
      call[STATE] = state;
      let answer: Answer;
      try {
        answer = await next();
      } catch (e) {
        lookup.pending.abandon();
        throw e;
      }
      if (answer.kind === 'response') {
        lookup.pending.complete(answer.response, { costUsd: callCost(call, answer.response.usage) });
      } else if (answer.kind !== 'stream') lookup.pending.abandon();
      return answer;
    },
    tap: (call) => {
      const recorder = (call[STATE] as CallState | undefined)?.recorder;
      if (recorder === undefined) return undefined;
      return (e) => {
        recorder.push(e);
      };
    },
    after: (call) => {
      const state = call[STATE] as CallState | undefined;
      if (state === undefined) return;
      const recorded = state.recorder?.finish();
      if (recorded === undefined || call.outcome.status !== 200 || call.outcome.error !== undefined) {
        state.pending.abandon();
        return;
      }
      state.pending.complete(recorded.response, { costUsd: callCost(call, recorded.response.usage), textChunks: recorded.textChunks });
    },
  };
}
