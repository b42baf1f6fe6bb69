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
import type { CanonicalEvent, Usage } from '../spec/canonical.js';
import { AnswerRecorder, answerResponse, answerStream } from './answer.js';
import { callEmbedding } from './call-embedding.js';
import { cacheHeaders, type PendingAnswer, type ResponseCache } from './response-cache.js';
import type { LiveFeed } from './live-feed.js';
import { mergeUsage } from '../formats/shared/merge-usage.js';

const STATE = Symbol('modelplane.cache');

interface CallState {
  pending: PendingAnswer;
  recorder?: AnswerRecorder;
  /** Streaming single-flight followers read this leader's events from it as they come. */
  feed?: LiveFeed;
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

/** A hit is a new response: the original's id with the request's own suffix. */
function hitId(originalId: string, call: Call): string {
  return `${originalId.replace(/-cache-.*$/, '')}-cache-${call.ex.requestId}`;
}

/** A live follower's stream (live-feed.ts), recording into the follower's own outcome what a relay would. */
async function* followLive(call: Call, feed: LiveFeed): AsyncGenerator<CanonicalEvent> {
  const o = call.outcome;
  for await (const e of feed.follow((leaderId) => hitId(leaderId, call), Math.floor(Date.now() / 1000))) {
    if (e.type === 'usage') o.usage = mergeUsage(o.usage, e.usage);
    else if (e.type === 'finish') o.finish = e.reason;
    else if (e.type === 'error') o.error = e.error;
    yield e;
  }
  // The leader completed before the last event was let go: what its answer cost is known now.
  const a = await feed.done;
  if (a?.costUsd !== undefined) o.cacheSavedUsd = a.costUsd;
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
      const embed = (text: string) => callEmbedding(call, cache.embedder, text);
      const lookup = await cache.lookup({ route: route.name, policy, request, caller: call.caller, cacheControl: header(call, 'cache-control'), embed });
      const h = cacheHeaders(lookup);
      call.headers.push(...h);
      // The cache's own audit request (audit-loopback.ts) is labelled as such; only the master key may say so.
      call.outcome.cache = h[1] === 'bypass' && header(call, 'x-modelplane-cache-audit') === '1' && (call.caller.kind === 'master' || call.caller.kind === 'open') ? 'audit' : h[1]!;
      if (lookup.kind === 'hit') {
        const { answer } = lookup;
        if (lookup.layer === 'semantic' && policy.audit > 0) {
          const similarity = lookup.similarity ?? 1;
          const learn = policy.maxError !== undefined ? (agree: boolean) => cache.thresholds.observeAudit(route.name, policy, similarity, agree) : undefined;
          cache.auditor?.maybeAudit(route.name, policy.audit, request, answer.response, learn);
        }
        call.outcome.costUsd = 0;
        if (answer.costUsd !== undefined) call.outcome.cacheSavedUsd = answer.costUsd;
        if (answer.response.usage) call.outcome.usage = { ...answer.response.usage };
        call.outcome.finish = answer.response.finishReason;
        const id = hitId(answer.response.id, call);
        const created = Math.floor(Date.now() / 1000);
        return request.stream ? { kind: 'stream', events: answerStream(answer, id, created) } : { kind: 'response', response: answerResponse(answer, id, created) };
      }
      if (lookup.kind === 'live') {
        call.outcome.costUsd = 0;
        return { kind: 'stream', events: followLive(call, lookup.feed) };
      }
      if (lookup.kind === 'bypass') return next();
      const state: CallState = { pending: lookup.pending };
      if (request.stream) {
        state.recorder = new AnswerRecorder();
        const feed = lookup.pending.live();
        if (feed !== undefined) state.feed = feed;
      }
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
      const state = call[STATE] as CallState | undefined;
      const recorder = state?.recorder;
      if (recorder === undefined) return undefined;
      const feed = state?.feed;
      if (feed === undefined) {
        return (e) => {
          recorder.push(e);
        };
      }
      return (e) => {
        recorder.push(e);
        feed.push(e);
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
