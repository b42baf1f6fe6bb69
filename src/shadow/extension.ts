// Shadow traffic as an Extension. A route's `shadow: { targets, sample }` mirrors a sampled share
// of its chat requests to candidate deployments after the primary's response has left: the
// stage only marks the call and keeps the primary's text (a tap for streams), the after-hook
// hands a job to a bounded queue, and the job runs outside the pipeline (sender.ts). The client
// never waits for, sees, or pays for a mirror: it is not on the caller's budget, never enters the
// cache, and is logged and stored as `shadow` so a spend ledger can tell it apart.
import { isChatRequest, type Call } from '../gateway/call.js';
import { AttemptAbort } from '../gateway/cancel.js';
import type { Extension } from '../gateway/extension.js';
import { jsonEndpoint } from '../gateway/endpoints/json.js';
import type { EndpointSpec } from '../gateway/endpoint.js';
import { HashedNgramEmbedder, type Embedder } from '../evals/embedder.js';
import { priceUsd } from '../evals/price.js';
import { judgeCase, type Observation } from '../evals/assertions.js';
import type { Assertion } from '../evals/suite.js';
import { TARGET_HEADER } from '../evals/target-pin.js';
import type { CanonicalRequest } from '../spec/canonical.js';
import type { Logger } from '../telemetry/log.js';
import { GatewayError } from '../spec/errors.js';
import { ShadowAggregates } from './aggregate.js';
import { comparePair, type Answered } from './compare.js';
import { judgePair } from './judge.js';
import { MirrorQueue } from './queue.js';
import { egressSender, responseText, type ShadowSender } from './sender.js';
import { MemoryShadowStore, type ShadowStore } from './store.js';

const SHADOW = Symbol('shadow');

/** Shadow spend per route, candidate and fixed period (the period the request arrived in). */
class ShadowBudgets {
  private readonly windows = new Map<string, { period: number; usd: number }>();

  /** `seed` reads what the store says was spent since a period began (after a restart, the period's spend so far). */
  constructor(private readonly seed?: (route: string, candidate: string, since: number) => number) {}

  spent(route: string, candidate: string, now: number, periodMs: number): number {
    const k = `${route}\u0000${candidate}`;
    const period = Math.floor(now / periodMs);
    const w = this.windows.get(k);
    if (w && w.period === period) return w.usd;
    // The first look at this period in this process: one indexed read, then memory.
    if (!this.seed) return 0;
    const usd = this.seed(route, candidate, period * periodMs);
    this.windows.set(k, { period, usd });
    return usd;
  }

  add(route: string, candidate: string, now: number, periodMs: number, usd: number): void {
    const k = `${route}\u0000${candidate}`;
    const period = Math.floor(now / periodMs);
    const w = this.windows.get(k);
    if (w && w.period === period) w.usd += usd;
    else this.windows.set(k, { period, usd });
  }
}

interface Mark {
  text: string;
}

/** One shadow call's spend, for a spend ledger (issue 9): the operator's, never the caller's. */
export interface ShadowSpend {
  kind: 'shadow' | 'shadow-judge';
  at: number;
  route: string;
  deployment: string;
  /** The primary request the mirror belongs to. */
  requestId: string;
  costUsd?: number;
  tokensIn?: number;
  tokensOut?: number;
  /** The caller of the primary request: shadow spend is attributed to them (and kept off their budgets). */
  keyId?: string;
  team?: string;
  customer?: string;
  agent?: string;
  provider?: string;
  model?: string;
  /** Set when the call failed (an error code). */
  error?: string;
  latencyMs?: number;
}

/** Who sent the primary request, copied onto its shadow spend. */
function attributionOf(call: Call): Pick<ShadowSpend, 'keyId' | 'team' | 'customer' | 'agent'> {
  const c = call.caller;
  const out: Pick<ShadowSpend, 'keyId' | 'team' | 'customer' | 'agent'> = {};
  if (c.keyId !== undefined) out.keyId = c.keyId;
  if (c.team !== undefined) out.team = c.team;
  if (c.customer !== undefined) out.customer = c.customer;
  if (c.agent !== undefined) out.agent = c.agent;
  return out;
}

export interface ShadowOptions {
  log: Logger;
  /** Called once per mirror and per judging call (write-behind work only; must not throw). */
  onSpend?: (s: ShadowSpend) => void;
  store?: ShadowStore;
  sender?: ShadowSender;
  embedder?: Embedder;
  /** In [0, 1); injectable so tests sample deterministically. */
  random?: () => number;
  now?: () => number;
}

export interface ShadowExtension extends Extension {
  readonly aggregates: ShadowAggregates;
  /** Resolves once every queued mirror has finished. */
  idle(): Promise<void>;
}

/** The weighted share of `assert` an answer passes (a failed side scores 0), as an eval case would judge it. */
async function scoreAnswer(assert: Assertion[], a: Answered, embedder: Embedder): Promise<number> {
  const o: Observation = { status: a.error === undefined ? 200 : 502, text: a.text, toolCalls: [], latencyMs: a.latencyMs, ...(a.costUsd !== undefined ? { costUsd: a.costUsd } : {}) };
  return (await judgeCase({ id: 'shadow', messages: [], assert, threshold: 1, tags: [], options: {} }, o, { embedder })).score;
}

function primaryOf(call: Call, mark: Mark, now: number): Answered {
  const o = call.outcome;
  const a: Answered = { text: mark.text, latencyMs: now - call.ex.startedAt };
  if (o.usage) {
    a.inputTokens = o.usage.inputTokens;
    a.outputTokens = o.usage.outputTokens;
  }
  // The ledger's price when it set one (issue 9), else the deployment's list price.
  const cost = o.costUsd ?? priceUsd(o.attempt?.deployment.price, o.usage?.inputTokens, o.usage?.outputTokens);
  if (cost !== undefined) a.costUsd = cost;
  if (o.error) a.error = o.error.code;
  else if (o.status >= 400) a.error = `status_${o.status}`;
  return a;
}

export function shadowTraffic(opts: ShadowOptions): ShadowExtension {
  const store: ShadowStore = opts.store ?? new MemoryShadowStore();
  const sender = opts.sender ?? egressSender;
  const embedder = opts.embedder ?? new HashedNgramEmbedder();
  const random = opts.random ?? Math.random;
  const now = opts.now ?? Date.now;
  const aggregates = new ShadowAggregates();
  for (const t of store.totals()) aggregates.seed(t.route, t.candidate, t.totals);
  const queues = new Map<string, MirrorQueue>();
  const closing = new AttemptAbort();
  const budgets = new ShadowBudgets(store.spentSince ? (r, c, since) => store.spentSince!(r, c, since) : undefined);
  const queueFor = (route: string) => {
    let q = queues.get(route);
    if (!q) queues.set(route, (q = new MirrorQueue()));
    return q;
  };

  const endpoints = new Map<string, EndpointSpec>([
    [
      'GET /admin/shadow',
      jsonEndpoint('admin', 'admin', (_d, call) => {
        const params = new URL(call.ex.req.url ?? '/', 'http://x').searchParams;
        const route = params.get('route') ?? undefined;
        const queued = [...queues].map(([r, q]) => ({ route: r, ...q.size }));
        const since = params.get('since');
        if (since === null) return { routes: aggregates.rows(route), queues: queued };
        // A window: the pairs stored since then (drops are counted in memory only, so none here).
        const at = Number(since);
        if (!Number.isFinite(at) || at < 0) throw new GatewayError('invalid_request', 'since: expected epoch milliseconds', { param: 'since' });
        const windowed = new ShadowAggregates();
        for (const t of store.totals(at)) windowed.seed(t.route, t.candidate, t.totals);
        return { since: new Date(at).toISOString(), routes: windowed.rows(route), queues: queued };
      }),
    ],
  ]);

  return {
    name: 'shadow',
    aggregates,
    endpoints,
    enabled: (s) => [...s.routes.values()].some((r) => r.shadow !== undefined && r.shadow.sample > 0),
    stage: async (call, next) => {
      const s = call.route?.shadow;
      // Eval runs pin a deployment: they are tests, not traffic, and are not mirrored.
      if (s === undefined || call.endpoint !== 'chat' || !isChatRequest(call.request) || call.ex.req.headers[TARGET_HEADER] !== undefined) return next();
      if (!(random() < s.sample)) return next();
      const mark: Mark = { text: '' };
      call[SHADOW] = mark;
      const answer = await next();
      if (answer.kind === 'response') mark.text = responseText(answer.response);
      return answer;
    },
    tap(call) {
      const mark = call[SHADOW] as Mark | undefined;
      if (!mark) return undefined;
      return (e) => {
        if (e.type === 'text-delta') mark.text += e.text;
      };
    },
    after(call) {
      const mark = call[SHADOW] as Mark | undefined;
      const s = call.route?.shadow;
      if (!mark || !s || call.outcome.status === 499) return;
      const t = now();
      const primary = primaryOf(call, mark, t);
      const request = call.request as CanonicalRequest;
      const routeName = call.route!.name;
      const served = call.outcome.attempt?.deployment.id;
      const who = attributionOf(call);
      if (s.classes && !s.classes.includes(call.trace.className ?? 'default')) return;
      const q = queueFor(routeName);
      for (const d of s.targets) {
        if (d.id === served) continue; // the candidate answered the primary itself (promotion): nothing to compare
        // The caller's policy (allowlist, data-sensitivity tier) binds mirrors too: a prompt the
        // primary could not send to a provider is never mirrored there.
        if (call.exclude?.(d) !== undefined) {
          aggregates.dropped(routeName, d.id);
          continue;
        }
        if (s.budget && budgets.spent(routeName, d.id, t, s.budget.periodMs) >= s.budget.usd) {
          aggregates.overBudget(routeName, d.id);
          continue;
        }
        const ok = q.offer(d.id, async () => {
          const shadow = await sender.send(d, request, s.timeoutMs, closing);
          const pair = await comparePair({ at: t, route: routeName, candidate: d.id, requestId: call.ex.requestId, ...(served !== undefined ? { primaryDeployment: served } : {}) }, primary, shadow, embedder);
          if (s.assert) pair.assertions = { primary: await scoreAnswer(s.assert, primary, embedder), shadow: await scoreAnswer(s.assert, shadow, embedder) };
          const judgeBy = s.judge === undefined ? undefined : call.ex.snapshot.routes.get(s.judge)?.targets[0];
          if (judgeBy && pair.similarity !== undefined) {
            const j = await judgePair(sender, judgeBy, request, call.ex.requestId, primary.text, shadow.text, s.timeoutMs, closing);
            if (j.verdict) pair.judge = j.verdict;
            if (j.error) pair.judgeError = j.error;
            if (j.costUsd !== undefined) {
              pair.judgeCostUsd = j.costUsd;
              budgets.add(routeName, d.id, t, s.budget?.periodMs ?? 86_400_000, j.costUsd);
            }
          }
          aggregates.add(pair);
          store.put(pair);
          if (opts.onSpend) {
            const base = { at: now(), route: routeName, requestId: call.ex.requestId, ...who };
            const m: ShadowSpend = { ...base, kind: 'shadow', deployment: d.id, provider: d.provider.id, model: d.model, latencyMs: shadow.latencyMs };
            if (shadow.costUsd !== undefined) m.costUsd = shadow.costUsd;
            if (shadow.inputTokens !== undefined) m.tokensIn = shadow.inputTokens;
            if (shadow.outputTokens !== undefined) m.tokensOut = shadow.outputTokens;
            if (shadow.error !== undefined) m.error = shadow.error;
            opts.onSpend(m);
            if (judgeBy && pair.judgeCostUsd !== undefined) opts.onSpend({ ...base, kind: 'shadow-judge', deployment: judgeBy.id, provider: judgeBy.provider.id, model: judgeBy.model, costUsd: pair.judgeCostUsd });
          }
          if (shadow.costUsd !== undefined) budgets.add(routeName, d.id, t, s.budget?.periodMs ?? 86_400_000, shadow.costUsd);
          opts.log.info(
            { shadow: true, request_id: call.ex.requestId, route: routeName, deployment: d.id, latency_ms: Math.round(shadow.latencyMs), tokens_in: shadow.inputTokens, tokens_out: shadow.outputTokens, cost_usd: shadow.costUsd, similarity: pair.similarity, judge: pair.judge, judge_cost_usd: pair.judgeCostUsd, error: shadow.error },
            'shadow',
          );
        }, s);
        if (!ok) aggregates.dropped(routeName, d.id);
      }
    },
    async idle() {
      await Promise.all([...queues.values()].map((q) => q.idle()));
    },
    async close() {
      // Waiting mirrors are dropped and running ones aborted: a slow candidate must not hold up a shutdown.
      for (const [route, q] of queues) for (const candidate of q.clear()) aggregates.dropped(route, candidate);
      closing.abort(new Error('the gateway is closing'));
      await Promise.all([...queues.values()].map((q) => q.idle()));
      await store.close();
    },
  };
}
