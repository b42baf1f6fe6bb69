// The producer of chat-like endpoints (chat completions, Messages, Responses): plan the request,
// run the attempt loop, and hand back the answer, JSON or a committed stream. Verdicts on the
// attempts go through attempts.ts `verdicts`; what happened is recorded in the call's outcome.

import type { CanonicalEvent, CanonicalRequest } from '../spec/canonical.js';
import { GatewayError } from '../spec/errors.js';
import type { Answer, Call } from './call.js';
import { runJsonAttempts, runStreamAttempts, upstreamFault, verdicts, type AttemptLoopInput, type StreamSuccess } from './attempts.js';
import { relay, type RelayHooks } from './relay.js';
import { continuationRequest, prefillPlan, resumable } from './resume.js';
import type { GatewayDeps } from './deps.js';
import type { StreamTap } from './extension.js';
import type { Lifecycle } from './lifecycle.js';
import { failedCheck } from '../routing/auto/checks.js';
import { answerStream } from '../cache/answer.js';
import { costOf } from '../governance/cost.js';

export async function produceChat(deps: GatewayDeps, lifecycle: Lifecycle, call: Call): Promise<Answer> {
  const request = call.request as CanonicalRequest;
  const route = call.route!;
  const plan = deps.router.plan(route, request, call.ex.req.headers, call.ex.startedAt, call.needs, call.exclude, call.policy);
  if (plan.className !== undefined) call.trace.className = plan.className;
  const input: AttemptLoopInput = { call, request, plan, egress: deps.egress, lifecycle };
  const o = call.outcome;
  // Prompts are user data: recorded only when the operator turned `logging.log_bodies` on.
  const logBodies = call.ex.snapshot.logging.logBodies;
  if (logBodies) o.prompt = request.messages;

  // Non-streaming, or a stream an auto route's cascade buffers: answered whole (cascading when
  // the route says so), a buffered stream then replayed as events, as a cache hit is.
  if (!request.stream || call.cascade !== undefined) {
    const whole = request.stream ? { ...input, request: { ...request, stream: false } } : input;
    let r = await runJsonAttempts(whole);
    // Cascade (auto routes): a cheaper tier's answer that fails a cheap check is replaced by the
    // next tier's; the client sees only the final answer, the trace and the log show both.
    for (const next of call.cascade ?? []) {
      const failed = failedCheck(request, r.response);
      if (failed === undefined) break;
      (o.escalations ??= []).push(`${o.tier ?? '?'}:${failed}`);
      const spent = costOf(r.attempt.deployment.price, r.response.usage);
      if (spent !== undefined) o.escalationCostUsd = (o.escalationCostUsd ?? 0) + spent;
      call.headers.push('x-modelplane-cascade', `${o.tier ?? '?'}:${failed} -> ${next.name}`);
      o.tier = next.name;
      const p = deps.router.plan(route, request, call.ex.req.headers, call.ex.clock(), call.needs, call.exclude, next.plan);
      r = await runJsonAttempts({ ...whole, plan: p });
    }
    o.attempt = r.attempt;
    o.finish = r.response.finishReason;
    if (r.response.usage) o.usage = r.response.usage;
    if (logBodies) o.completion = r.response.content.map((p) => (p.type === 'text' ? p.text : '')).join('');
    if (request.stream) return { kind: 'stream', events: answerStream({ response: r.response, storedAt: 0, route: route.name, scope: '', bytes: 0 }, r.response.id, r.response.created) };
    return { kind: 'response', response: r.response };
  }

  const first = await runStreamAttempts(input);
  o.attempt = o.committedAttempt = first.attempt;
  if (logBodies) o.completion = '';
  const cur = { s: first };
  const left = () => call.ex.cancel.aborted;
  const hooks: RelayHooks = {
    fallback: (failure) => (left() ? Promise.resolve(undefined) : runStreamAttempts({ ...input, after: failure }).catch(() => undefined)),
    resume: resumable(route, request)
      ? (partial, failure) => {
          if (left()) return Promise.resolve(undefined);
          const next: AttemptLoopInput = { ...input, request: continuationRequest(request, partial), plan: prefillPlan(plan, failure) };
          return runStreamAttempts(next).catch(() => undefined);
        }
      : undefined,
    failed: (s: StreamSuccess, e: GatewayError) => {
      if (left()) return; // the client left: not the upstream's fault (the final verdict abandons it)
      s.judged = true;
      verdicts.failed(input, s.attempt, e, call.ex.clock());
    },
    taps: tapsFor(lifecycle, call),
    sanitize: (e) => upstreamFault(call, e),
  };
  return { kind: 'stream', events: settle(input, cur, relay(call, cur, hooks)) };
}

function tapsFor(lifecycle: Lifecycle, call: Call): StreamTap[] {
  const out: StreamTap[] = [];
  for (const make of lifecycle.taps) {
    const t = make(call);
    if (t) out.push(t);
  }
  return out;
}

/**
 * The stream's last word on its attempt, whatever ends it: success, abandonment (the client
 * left, or a tap cut the stream), or nothing more (a failure the relay already reported). A
 * client that leaves mid-stream releases the upstream at once, not at its next chunk.
 */
async function* settle(input: AttemptLoopInput, cur: { s: StreamSuccess }, events: AsyncGenerator<CanonicalEvent>): AsyncGenerator<CanonicalEvent> {
  const { call } = input;
  const offCancel = call.ex.cancel.on(() => cur.s.release());
  try {
    yield* events;
  } finally {
    offCancel();
    const s = cur.s;
    const o = call.outcome;
    const res = call.ex.res;
    if (call.ex.cancel.aborted || (res.destroyed && !res.writableFinished)) {
      s.release();
      if (!s.judged) verdicts.abandoned(input, s.attempt);
      o.error = new GatewayError('upstream_connection', 'client disconnected mid-stream', { retryable: false });
      o.status = 499;
    } else if (o.error) {
      if (!s.judged) verdicts.abandoned(input, s.attempt); // ended by a tap, not by the upstream
    } else {
      const now = call.ex.clock();
      verdicts.succeeded(input, s.attempt, now - s.startedAt, o.ttftMs, now);
    }
  }
}
