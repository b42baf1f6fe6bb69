// The dashboard's live tail: the last N finished requests in a ring of preallocated slots,
// written by the metrics after-hook (a dozen field stores, no allocation) and read by polling
// `GET /admin/dashboard/tail?after=<seq>`. Redacted by construction: only what the request line
// shows (ids, route, deployment, status, timings, tokens, cost, cache outcome, attribution by
// name), never a prompt, an answer, a header or a key's secret.

import type { Call } from '../gateway/call.js';

interface Slot {
  seq: number;
  at: number;
  requestId: string;
  endpoint: string;
  route: string | undefined;
  deployment: string | undefined;
  status: number;
  error: string | undefined;
  latencyMs: number;
  ttftMs: number | undefined;
  attempts: number;
  failures: readonly string[];
  tokensIn: number;
  tokensOut: number;
  costUsd: number | undefined;
  cache: string | undefined;
  tier: string | undefined;
  key: string | undefined;
  team: string | undefined;
  customer: string | undefined;
  agent: string | undefined;
  workflow: string | undefined;
}

const blank = (): Slot => ({ seq: 0, at: 0, requestId: '', endpoint: '', route: undefined, deployment: undefined, status: 0, error: undefined, latencyMs: 0, ttftMs: undefined, attempts: 0, failures: [], tokensIn: 0, tokensOut: 0, costUsd: undefined, cache: undefined, tier: undefined, key: undefined, team: undefined, customer: undefined, agent: undefined, workflow: undefined });

export class RequestTail {
  private readonly slots: Slot[];
  private seq = 0;

  constructor(readonly size = 500) {
    this.slots = Array.from({ length: size }, blank);
  }

  add(call: Call, now: number): void {
    const s = this.slots[this.seq % this.size]!;
    s.seq = ++this.seq;
    const o = call.outcome;
    const c = call.caller;
    s.at = now;
    s.requestId = call.ex.requestId;
    s.endpoint = call.endpoint;
    s.route = call.route?.name;
    s.deployment = o.attempt?.deployment.id;
    s.status = o.status;
    s.error = o.error?.code;
    s.latencyMs = now - call.ex.startedAt;
    s.ttftMs = o.ttftMs;
    s.attempts = call.trace.attempts;
    // The array is the call's own and is not written after the request ended.
    s.failures = call.trace.failures;
    s.tokensIn = o.usage?.inputTokens ?? 0;
    s.tokensOut = o.usage?.outputTokens ?? 0;
    s.costUsd = o.costUsd;
    s.cache = o.cache;
    s.tier = o.tier;
    s.key = c.keyId;
    s.team = c.team;
    s.customer = c.customer;
    s.agent = c.agent;
    s.workflow = c.workflow;
  }

  /** Requests after `after` (a seq from an earlier answer), oldest first, at most `limit`. */
  since(after: number, limit = 100): { seq: number; requests: Array<Record<string, unknown>> } {
    const first = Math.max(after + 1, this.seq - this.size + 1, this.seq - limit + 1, 1);
    const out: Array<Record<string, unknown>> = [];
    for (let q = first; q <= this.seq; q++) {
      const s = this.slots[(q - 1) % this.size]!;
      if (s.seq !== q) continue;
      out.push({
        seq: s.seq,
        time: s.at,
        request_id: s.requestId,
        endpoint: s.endpoint,
        route: s.route ?? null,
        deployment: s.deployment ?? null,
        status: s.status,
        error: s.error ?? null,
        latency_ms: Math.round(s.latencyMs),
        ttft_ms: s.ttftMs === undefined ? null : Math.round(s.ttftMs),
        attempts: s.attempts,
        fallback_reasons: [...s.failures],
        tokens_in: s.tokensIn,
        tokens_out: s.tokensOut,
        cost_usd: s.costUsd ?? null,
        cache: s.cache ?? null,
        tier: s.tier ?? null,
        key: s.key ?? null,
        team: s.team ?? null,
        customer: s.customer ?? null,
        agent: s.agent ?? null,
        workflow: s.workflow ?? null,
      });
    }
    return { seq: this.seq, requests: out };
  }
}
