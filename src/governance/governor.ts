// The tenancy engine the pipeline calls: authenticate a virtual key, admit a request (route
// allowlist, attribution, sensitivity filter, budgets, rate limits) and settle it (real cost,
// budgets, limits, one ledger record). Everything on a request touches memory only; SQL runs
// at start-up, in the directory's poll timer and in the ledger's flush timer.
//
// It knows nothing of the HTTP pipeline: the extension (extension.ts) adapts it to the
// lifecycle's hooks, and tests drive it directly.

import type { IncomingHttpHeaders } from 'node:http';
import type { DeploymentSnapshot } from '../config/snapshot.js';
import type { Usage } from '../spec/canonical.js';
import { GatewayError } from '../spec/errors.js';
import type { LedgerRecord, LedgerStore, SpendTotals } from '../store/ledger-store.js';
import type { TenantStore } from '../store/tenant-store.js';
import { AlertSender, type AlertLog, type AlertSenderOptions } from './alerts.js';
import { attribute, type Attribution } from './attribution.js';
import { BudgetBook, isRefusal, refusalMessage, type BudgetState, type Reservation } from './budgets.js';
import { applyUnknownCostRule, costOf, estimateMaxCost, strictestRule } from './cost.js';
import { TenantDirectory } from './directory.js';
import { allows, tierIndex, type Principal } from './hierarchy.js';
import { LedgerWriter } from './ledger.js';
import { assertSomeEligible, buildExclude, requestTier, type Exclude } from './policy.js';
import { isLimitRefusal, openaiDuration, RateLimiter, rateLimitHeaders, type LimitState, type LimitTicket } from './rate-limit.js';
import type { TenantSettings } from './types.js';

export interface GovernorLog extends AlertLog {
  info(obj: object, msg: string): void;
}

export interface GovernorOptions {
  settings: TenantSettings;
  tenantStore?: TenantStore;
  ledgerStore?: LedgerStore;
  log: GovernorLog;
  now?: () => number;
  alerts?: AlertSenderOptions;
  pollMs?: number;
  ledgerFlushMs?: number;
}

export interface AdmitInput {
  principal?: Principal;
  headers: IncomingHttpHeaders;
  /** The decoded request's attribution fields (OpenAI metadata/user, Anthropic metadata.user_id as user). */
  body?: { metadata?: Record<string, string>; user?: string };
  route: string;
  /** Every deployment the request may reach (route and class targets): for the policy check and the cost bound. */
  targets: readonly DeploymentSnapshot[];
  inputTokens: number;
  /**
   * A better (higher) input estimate, computed only when a budget or a token limit needs it
   * (token-estimate.ts); the admission uses the larger of the two.
   */
  countInput?: () => number;
  maxTokens?: number;
}

export interface Admission {
  attribution: Attribution;
  /** The request's sensitivity tier (its name), when the policy gives it one. */
  sensitivity?: string;
  exclude?: Exclude;
  reservation?: Reservation;
  ticket?: LimitTicket;
  limitStates: LimitState[];
  /** Reserved USD (0 without budgets). */
  estimateUsd: number;
  estimateTokens: number;
  startedAt: number;
  /** Set when a budget asks for stream cut-off: what the stream may spend, and at what rate. */
  cutoff?: { limitUsd: number; inputUsd: number; outputUsdPerToken: number; budget: string };
}

export interface SettleInput {
  requestId: string;
  endpoint?: string;
  route?: string;
  requestClass?: string;
  deployment?: DeploymentSnapshot;
  usage?: Usage;
  status: number;
  errorCode?: string;
  attempts: number;
  latencyMs: number;
  ttftMs?: number;
  cache?: string;
}

export class Governor {
  readonly directory: TenantDirectory;
  readonly budgets: BudgetBook;
  readonly limits: RateLimiter;
  readonly alerts: AlertSender;
  readonly ledger?: LedgerWriter;
  private readonly now: () => number;
  private readonly log: GovernorLog;

  constructor(private readonly opts: GovernorOptions) {
    this.now = opts.now ?? Date.now;
    this.log = opts.log;
    this.directory = new TenantDirectory(opts.settings, opts.tenantStore, opts.log, this.now);
    this.budgets = new BudgetBook(this.now);
    this.limits = new RateLimiter(this.now);
    this.alerts = new AlertSender(opts.settings.alerts, opts.log, opts.alerts);
    this.budgets.onSoftAlert = (a) => this.alerts.budgetSoftLimit(a.budget);
    this.budgets.onShadowRefusal = (r) => this.log.warn({ budget: r.budget.id, needed_usd: r.needed, spent_usd: r.budget.spent }, `shadow budget ${r.budget.id} would have refused a request`);
    if (opts.ledgerStore && opts.settings.ledger.enabled) {
      this.ledger = new LedgerWriter(opts.ledgerStore, (err, lost) => this.log.error({ err: String(err), lost }, 'ledger write failed'), opts.ledgerFlushMs ?? opts.settings.ledger.writeBehindMs);
    }
    this.directory.onChange(() => this.registerScopes());
    this.registerScopes();
  }

  get tenantStore(): TenantStore | undefined {
    return this.opts.tenantStore;
  }

  get ledgerStore(): LedgerStore | undefined {
    return this.opts.ledgerStore;
  }

  async start(): Promise<void> {
    const days = this.directory.tenants.ledger.retentionDays;
    if (days !== undefined && this.opts.ledgerStore) {
      const pruned = this.opts.ledgerStore.prune(this.now() - days * 86_400_000);
      if (pruned > 0) this.log.info({ pruned, retention_days: days }, 'ledger: pruned old records');
    }
    await this.directory.start(this.opts.pollMs);
  }

  reconfigure(settings: TenantSettings): void {
    this.alerts.reconfigure(settings.alerts);
    this.directory.reconfigure(settings);
  }

  /** Does this gateway have anything to enforce? (no keys, budgets, limits or policy: skip admission). */
  get active(): boolean {
    const t = this.directory.tenants;
    return this.directory.keys().length > 0 || t.globalBudget !== undefined || t.policy.tiers.length > 0 || t.customers.size > 0 || t.agents.size > 0 || this.ledger !== undefined;
  }

  /** The request path: a virtual key -> its principal, or a 401 that says why. */
  authenticate(presented: string): Principal {
    const v = this.directory.verify(presented);
    if (v.ok) return v.principal;
    if (v.reason === 'unknown') throw new GatewayError('unauthorized', 'Invalid API key.');
    throw new GatewayError('unauthorized', `API key ${v.key?.prefix ?? ''}… is ${v.reason}.`);
  }

  admit(input: AdmitInput): Admission {
    const p = input.principal;
    if (p && !allows(p.allowRoute, input.route)) {
      throw new GatewayError('forbidden', `key ${p.key.name} may not use route "${input.route}"`);
    }
    const attribution = attribute(input.headers, input.body, p);
    const d = this.directory;
    const customer = attribution.customer === undefined ? undefined : d.customer(attribution.customer);
    const agent = attribution.agent === undefined ? undefined : d.agent(attribution.agent);

    // Sensitivity: the strictest of key/team, customer, agent and the policy default; a header may raise it.
    const policy = d.tenants.policy;
    const callerTier = Math.max(p?.sensitivity ?? tierIndex(policy, policy.defaultTier), tierIndex(policy, customer?.sensitivity), tierIndex(policy, agent?.sensitivity));
    const h = input.headers['x-modelplane-sensitivity'];
    const tier = requestTier(policy, callerTier, Array.isArray(h) ? h[0] : h);
    const exclude = buildExclude(policy, tier, p);
    assertSomeEligible(input.targets, exclude, input.route);
    const eligible = exclude ? input.targets.filter((t) => exclude(t) === undefined) : input.targets;

    const adm: Admission = { attribution, limitStates: [], estimateUsd: 0, estimateTokens: 0, startedAt: this.now() };
    let inputTokens = -1;
    const inputEstimate = () => (inputTokens >= 0 ? inputTokens : (inputTokens = Math.max(input.inputTokens, input.countInput?.() ?? 0)));
    if (exclude) adm.exclude = exclude;
    const tierName = tier >= 0 ? policy.tiers[tier]?.name : undefined;
    if (tierName !== undefined) adm.sensitivity = tierName;

    // Budgets first: a refusal by a rate limit afterwards releases the reservation.
    const states: BudgetState[] = [];
    const addBudget = (id: string) => {
      const s = this.budgets.get(id);
      if (s) states.push(s);
    };
    for (const b of p?.budgets ?? []) addBudget(b.id);
    if (customer?.budget) addBudget(`customer:${customer.name}`);
    if (agent?.budget) addBudget(`agent:${agent.name}`);
    if (d.tenants.globalBudget) addBudget('global');
    if (states.length > 0) {
      const est = estimateMaxCost(eligible, inputEstimate(), input.maxTokens);
      const rule = applyUnknownCostRule(est, strictestRule(states.map((s) => s.spec.onUnknownCost)));
      if ('refuse' in rule) {
        throw new GatewayError('budget_exceeded', `Budget refused: the cost of this request cannot be estimated (a target has no price or no output limit is known) and a budget says on_unknown_cost: refuse. Send max_tokens, or price the deployment.`);
      }
      const r = this.budgets.reserve(states, rule.reserve);
      if (isRefusal(r)) throw new GatewayError('budget_exceeded', refusalMessage(r));
      adm.reservation = r;
      adm.estimateUsd = rule.reserve;
      const cut = states.find((s) => s.spec.cutoff && s.spec.enforce);
      if (cut && rule.reserve > 0) adm.cutoff = { limitUsd: rule.reserve, inputUsd: est.inputUsd, outputUsdPerToken: est.outputUsdPerToken, budget: cut.id };
    }

    const limitStates: LimitState[] = [];
    const addLimit = (id: string) => {
      const s = this.limitState(id);
      if (s) limitStates.push(s);
    };
    for (const l of p?.limits ?? []) addLimit(l.id);
    if (customer?.limits) addLimit(`customer:${customer.name}`);
    if (agent?.limits) addLimit(`agent:${agent.name}`);
    if (limitStates.length > 0) {
      adm.estimateTokens = (limitStates.some((l) => l.tpm !== undefined) ? inputEstimate() : input.inputTokens) + (input.maxTokens ?? 0);
      const t = this.limits.admit(limitStates, adm.estimateTokens);
      if (isLimitRefusal(t)) {
        if (adm.reservation) this.budgets.settle(adm.reservation, 0);
        const what = t.which === 'concurrency' ? `${t.limit} concurrent requests` : t.which === 'requests' ? `${t.limit} requests per minute` : `${t.limit} tokens per minute`;
        throw new RateLimitError(
          `Rate limit exceeded: ${describeScope(t.state.id)} allows ${what}. Retry in ${openaiDuration(t.retryAfterMs)}.`,
          t.retryAfterMs,
          rateLimitHeaders(this.limits.report(limitStates)),
        );
      }
      adm.ticket = t;
      adm.limitStates = limitStates;
    }
    return adm;
  }

  /** Rate-limit headers for a limited caller's response (empty for everyone else). */
  responseHeaders(adm: Admission): string[] {
    return adm.limitStates.length > 0 ? rateLimitHeaders(this.limits.report(adm.limitStates)) : [];
  }

  /** After the response: real cost into budgets, real tokens into limits, one ledger record. */
  settle(adm: Admission | undefined, out: SettleInput): LedgerRecord {
    const usage = out.usage;
    let cost = costOf(out.deployment?.price, usage) ?? 0;
    // A success without usage (a stream the upstream never counted) is charged what was
    // reserved: an unknown cost must not become a free request.
    // The same for a client that left (499) after an upstream was called: its tokens were spent.
    if (usage === undefined && adm?.reservation && (out.status < 400 || (out.status === 499 && out.deployment !== undefined))) cost = adm.reservation.amount;
    if (adm?.reservation) this.budgets.settle(adm.reservation, cost);
    if (adm?.ticket) this.limits.settle(adm.ticket, usage ? usage.inputTokens + usage.outputTokens : out.status >= 400 ? 0 : undefined);
    const a = adm?.attribution;
    const r: LedgerRecord = {
      ts: this.now(),
      requestId: out.requestId,
      inputTokens: usage?.inputTokens ?? 0,
      outputTokens: usage?.outputTokens ?? 0,
      cachedTokens: usage?.cacheReadTokens ?? 0,
      reasoningTokens: usage?.reasoningTokens ?? 0,
      costUsd: cost,
      status: out.status,
      attempts: out.attempts,
      latencyMs: out.latencyMs,
    };
    if (a?.keyId !== undefined) r.keyId = a.keyId;
    if (a?.team !== undefined) r.team = a.team;
    if (a?.customer !== undefined) r.customer = a.customer;
    if (a?.agent !== undefined) r.agent = a.agent;
    if (a?.workflow !== undefined) r.workflow = a.workflow;
    if (out.route !== undefined) r.route = out.route;
    if (out.requestClass !== undefined) r.requestClass = out.requestClass;
    if (out.deployment) {
      r.deployment = out.deployment.id;
      r.provider = out.deployment.provider.id;
      r.model = out.deployment.model;
    }
    if (out.errorCode !== undefined) r.errorCode = out.errorCode;
    if (out.ttftMs !== undefined) r.ttftMs = out.ttftMs;
    if (out.cache !== undefined) r.cache = out.cache;
    if (out.endpoint !== undefined) r.endpoint = out.endpoint;
    this.ledger?.record(r);
    return r;
  }

  /** GET /admin/budgets. */
  budgetsView(): Array<Record<string, unknown>> {
    return this.budgets.all().map((b) => {
      const [scope, ...rest] = b.id.split(':');
      return {
        budget: b.id,
        scope,
        ...(rest.length > 0 ? { name: rest.join(':') } : {}),
        limit_usd: b.spec.usd,
        spent_usd: round(b.spent),
        reserved_usd: round(b.reserved),
        remaining_usd: round(Math.max(0, b.spec.usd - b.spent - b.reserved)),
        period: b.spec.period,
        period_start: new Date(b.periodStart).toISOString(),
        ...(Number.isFinite(b.periodEnd) ? { period_end: new Date(b.periodEnd).toISOString() } : {}),
        soft_threshold: b.spec.soft,
        soft_alerted: b.softAlerted,
        enforce: b.spec.enforce,
        ...(b.spec.enforce ? {} : { would_have_refused: b.wouldRefuse }),
      };
    });
  }

  async close(): Promise<void> {
    this.directory.stop();
    this.ledger?.close();
    await this.alerts.idle();
  }

  private limitState(id: string): LimitState | undefined {
    return this.limitsById.get(id);
  }

  private limitsById = new Map<string, LimitState>();

  /** Registers every budget and limit the tenants declare; new budgets are seeded from the ledger. */
  private registerScopes(): void {
    const d = this.directory;
    const budgetIds = new Set<string>();
    const limitIds = new Set<string>();
    const ledger = this.opts.ledgerStore;
    // New budgets are seeded from the ledger: one grouped scan per period start (day, week,
    // month, all time), shared by every budget of that period, and only when one is new.
    const totals = new Map<number, SpendTotals>();
    const seed = (id: string) =>
      ledger
        ? (start: number) => {
            let t = totals.get(start);
            if (!t) totals.set(start, (t = ledger.totalsSince(start)));
            const s = scopeOf(id);
            return s.column === 'global' ? t.global : t[s.column].get(s.value) ?? 0;
          }
        : undefined;
    const budget = (id: string, spec: Parameters<BudgetBook['ensure']>[1] | undefined) => {
      if (!spec || budgetIds.has(id)) return;
      budgetIds.add(id);
      const s = seed(id);
      this.budgets.ensure(id, spec, s);
    };
    const limit = (id: string, spec: Parameters<RateLimiter['ensure']>[1] | undefined) => {
      if (!spec || limitIds.has(id)) return;
      limitIds.add(id);
      this.limitsById.set(id, this.limits.ensure(id, spec));
    };
    for (const k of d.keys()) {
      budget(`key:${k.id}`, k.budget);
      limit(`key:${k.id}`, k.limits);
    }
    for (const t of d.teams()) {
      budget(`team:${t.name}`, t.budget);
      limit(`team:${t.name}`, t.limits);
    }
    for (const kind of ['customer', 'agent'] as const) {
      for (const e of d.entities(kind)) {
        budget(`${kind}:${e.name}`, e.budget);
        limit(`${kind}:${e.name}`, e.limits);
      }
    }
    budget('global', d.tenants.globalBudget);
    this.budgets.retain(budgetIds);
    this.limits.retain(limitIds);
    for (const id of this.limitsById.keys()) if (!limitIds.has(id)) this.limitsById.delete(id);
  }
}

/** A 429 rate_limit_exceeded carrying the headers it must be sent with. */
export class RateLimitError extends GatewayError {
  constructor(
    message: string,
    retryAfterMs: number,
    readonly headers: string[],
  ) {
    super('rate_limit_exceeded', message, { retryAfterMs });
  }
}

function scopeOf(id: string): Parameters<LedgerStore['spentSince']>[0] {
  if (id === 'global') return { column: 'global' };
  const i = id.indexOf(':');
  return { column: id.slice(0, i) as 'key' | 'team' | 'customer' | 'agent', value: id.slice(i + 1) };
}

function describeScope(id: string): string {
  if (id === 'global') return 'the gateway';
  const i = id.indexOf(':');
  return `${id.slice(0, i)} "${id.slice(i + 1)}"`;
}

function round(n: number): number {
  return Math.round(n * 1e6) / 1e6;
}
