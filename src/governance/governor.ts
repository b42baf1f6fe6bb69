// The tenancy engine the pipeline calls: authenticate a virtual key, admit a request (route
// allowlist, attribution, sensitivity filter, budgets, rate limits) and settle it (real cost,
// budgets, limits, one ledger record). Everything on a request touches memory only; SQL runs
// at start-up, in the directory's poll timer and in the ledger's flush timer.
//
// It knows nothing of the HTTP pipeline: the extension (extension.ts) adapts it to the
// lifecycle's hooks, and tests drive it directly.

import type { IncomingHttpHeaders } from 'node:http';
import type { DeploymentSnapshot } from '../config/snapshot.js';
import type { CanonicalRequest, EmbeddingRequest, Usage } from '../spec/canonical.js';
import { GatewayError } from '../spec/errors.js';
import type { LedgerRecord, LedgerStore } from '../store/ledger-store.js';
import type { TenantStore } from '../store/tenant-store.js';
import { budgetsView, describeScope, registerScopes } from './scopes.js';
import { AlertSender, type AlertLog, type AlertSenderOptions } from './alerts.js';
import { attribute, type Attribution } from './attribution.js';
import { isBudgetRefusal, MemoryAdmissionStore, type AdmissionResult, type AdmissionStore } from './admission-store.js';
import { BudgetBook, refusalMessage, type BudgetState, type Reservation } from './budgets.js';
import { applyUnknownCostRule, costOf, estimateMaxCost, strictestRule } from './cost.js';
import { TenantDirectory } from './directory.js';
import { allows, tierIndex, type Principal } from './hierarchy.js';
import { LedgerWriter } from './ledger.js';
import { assertSomeEligible, buildExclude, requestTier, type Exclude } from './policy.js';
import { openaiDuration, RateLimiter, rateLimitHeaders, type LimitReport, type LimitState, type LimitTicket } from './rate-limit.js';
import { admissionInputTokens } from './token-estimate.js';
import type { EntityRecord, TenantSettings } from './types.js';

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
  /** Where admission state lives (default: the book and limiter in memory; cluster mode: Redis). */
  admissionStore?: (budgets: BudgetBook, limits: RateLimiter) => AdmissionStore;
}

export interface AdmitInput {
  principal?: Principal | undefined;
  headers: IncomingHttpHeaders;
  /** The decoded request's attribution fields (OpenAI metadata/user, Anthropic metadata.user_id as user). */
  body?: { metadata?: Record<string, string> | undefined; user?: string | undefined } | undefined;
  route: string;
  /** Every deployment the request may reach (route and class targets): for the policy check and the cost bound. */
  targets: readonly DeploymentSnapshot[];
  inputTokens: number;
  /**
   * The decoded request, for a better (higher) input estimate (token-estimate.ts), computed only
   * when a budget or a token limit needs it; the admission uses the larger of the two.
   */
  request?: CanonicalRequest | EmbeddingRequest | undefined;
  maxTokens?: number | undefined;
  /** Names a shared store's lease. */
  requestId?: string | undefined;
}

export interface Admission {
  attribution: Attribution;
  /** The request's sensitivity tier (its name), when the policy gives it one. */
  sensitivity?: string;
  exclude?: Exclude;
  reservation?: Reservation;
  ticket?: LimitTicket;
  /** A shared admission store's lease. */
  lease?: string;
  /** Rate-limit figures as of admission (the shared store's answer). */
  report?: LimitReport;
  /** Empty for a caller without limits (shared, never written). */
  limitStates: readonly LimitState[];
  /** Reserved USD (0 without budgets). */
  estimateUsd: number;
  estimateTokens: number;
  /** Set when a budget asks for stream cut-off: what the stream may spend, and at what rate. */
  cutoff?: { limitUsd: number; inputUsd: number; outputUsdPerToken: number; budget: string };
}

/** Optional fields may be passed as undefined: the extension fills them from the call without spreads. */
export interface SettleInput {
  requestId: string;
  endpoint?: string | undefined;
  route?: string | undefined;
  requestClass?: string | undefined;
  deployment?: DeploymentSnapshot | undefined;
  usage?: Usage | undefined;
  status: number;
  errorCode?: string | undefined;
  attempts: number;
  latencyMs: number;
  ttftMs?: number | undefined;
  cache?: string | undefined;
  cacheSavedUsd?: number | undefined;
}

const NO_LIMITS: readonly LimitState[] = Object.freeze([]);

export class Governor {
  readonly directory: TenantDirectory;
  readonly budgets: BudgetBook;
  readonly limits: RateLimiter;
  readonly admissionStore: AdmissionStore;
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
    this.admissionStore = opts.admissionStore ? opts.admissionStore(this.budgets, this.limits) : new MemoryAdmissionStore(this.budgets, this.limits);
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

  /** Admission for a synchronous (embedded) store; `admission()` serves either kind. */
  admit(input: AdmitInput): Admission {
    const a = this.admission(input);
    if (a instanceof Promise) throw new Error('Governor.admit: the admission store is asynchronous; use admission()');
    return a;
  }

  /** The request path: synchronous with the embedded store, one promise with a shared one. */
  admission(input: AdmitInput): Admission | Promise<Admission> {
    const p = input.principal;
    // The common case: a caller with nothing of its own to enforce (the master key, or a key
    // without budgets, limits or allowlists) under tenants that declare no policy, no global
    // budget and no governed customer or agent. Only attribution is left to do (the ledger
    // needs it), so the admission allocates one small object.
    if (this.nothingToEnforce(input)) {
      return { attribution: attribute(input.headers, input.body, p), limitStates: NO_LIMITS, estimateUsd: 0, estimateTokens: 0 };
    }
    const { attribution, customer, agent, exclude, sensitivity } = this.screen(input);
    const eligible = exclude ? input.targets.filter((t) => exclude(t) === undefined) : input.targets;

    const adm: Admission = { attribution, limitStates: NO_LIMITS, estimateUsd: 0, estimateTokens: 0 };
    let inputTokens = -1;
    const inputEstimate = () => (inputTokens >= 0 ? inputTokens : (inputTokens = Math.max(input.inputTokens, input.request ? admissionInputTokens(input.request) : 0)));
    if (exclude) adm.exclude = exclude;
    if (sensitivity !== undefined) adm.sensitivity = sensitivity;

    const states: BudgetState[] = [];
    const addBudget = (id: string) => {
      const s = this.budgets.get(id);
      if (s) states.push(s);
    };
    if (p) for (const b of p.budgets) addBudget(b.id);
    if (customer?.budget) addBudget(`customer:${customer.name}`);
    if (agent?.budget) addBudget(`agent:${agent.name}`);
    if (this.directory.tenants.globalBudget) addBudget('global');
    if (states.length > 0) {
      const est = estimateMaxCost(eligible, inputEstimate(), input.maxTokens);
      const rule = applyUnknownCostRule(est, strictestRule(states, (s) => s.spec.onUnknownCost));
      if ('refuse' in rule) {
        throw new GatewayError('budget_exceeded', `Budget refused: the cost of this request cannot be estimated (a target has no price or no output limit is known) and a budget says on_unknown_cost: refuse. Send max_tokens, or price the deployment.`);
      }
      adm.estimateUsd = rule.reserve;
      const cut = states.find((s) => s.spec.cutoff && s.spec.enforce);
      if (cut && rule.reserve > 0) adm.cutoff = { limitUsd: rule.reserve, inputUsd: est.inputUsd, outputUsdPerToken: est.outputUsdPerToken, budget: cut.id };
    }

    const limitStates: LimitState[] = [];
    const addLimit = (id: string) => {
      const s = this.limitsById.get(id);
      if (s) limitStates.push(s);
    };
    if (p) for (const l of p.limits) addLimit(l.id);
    if (customer?.limits) addLimit(`customer:${customer.name}`);
    if (agent?.limits) addLimit(`agent:${agent.name}`);
    if (limitStates.length > 0) adm.estimateTokens = (limitStates.some((l) => l.tpm !== undefined) ? inputEstimate() : input.inputTokens) + (input.maxTokens ?? 0);
    if (states.length === 0 && limitStates.length === 0) return adm;

    // Budgets and limits are checked and taken together, all or nothing, by the store.
    const r = this.admissionStore.admit({
      budgets: states,
      amount: adm.estimateUsd,
      limits: limitStates,
      tokens: adm.estimateTokens,
      attribution,
      ...(input.requestId !== undefined ? { requestId: input.requestId } : {}),
    });
    return r instanceof Promise ? r.then((x) => this.admitted(adm, x, limitStates)) : this.admitted(adm, r, limitStates);
  }

  private admitted(adm: Admission, r: AdmissionResult, limitStates: LimitState[]): Admission {
    if (isBudgetRefusal(r)) throw new GatewayError('budget_exceeded', refusalMessage(r.budget));
    if (!r.ok) {
      const t = r.limit;
      const what = t.which === 'concurrency' ? `${t.limit} concurrent requests` : t.which === 'requests' ? `${t.limit} requests per minute` : `${t.limit} tokens per minute`;
      throw new RateLimitError(`Rate limit exceeded: ${describeScope(t.state.id)} allows ${what}. Retry in ${openaiDuration(t.retryAfterMs)}.`, t.retryAfterMs, rateLimitHeaders(r.report), { scope: t.state.id, which: t.which });
    }
    if (r.reservation) adm.reservation = r.reservation;
    if (r.ticket) {
      adm.ticket = r.ticket;
      adm.limitStates = limitStates;
    }
    if (r.lease !== undefined) adm.lease = r.lease;
    if (r.report) adm.report = r.report;
    return adm;
  }

  /**
   * The route allowlist, attribution and the sensitivity filter: what every governed request
   * passes before anything is reserved. A 403 when the key may not use the route or no target
   * is allowed.
   */
  private screen(input: AdmitInput): { attribution: Attribution; customer: EntityRecord | undefined; agent: EntityRecord | undefined; exclude: Exclude | undefined; sensitivity: string | undefined } {
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
    const sensitivity = tier >= 0 ? policy.tiers[tier]?.name : undefined;
    return { attribution, customer, agent, exclude, sensitivity };
  }

  private nothingToEnforce(input: AdmitInput): boolean {
    const p = input.principal;
    return this.sharedRules === 0 && (p === undefined || p.plain) && input.headers['x-modelplane-sensitivity'] === undefined;
  }

  /**
   * For count_tokens, which spends nothing: the route allowlist and the policy filter only (the
   * prompt may go to an upstream to be counted, so it must not reach a disallowed provider).
   */
  screenOnly(input: AdmitInput): Exclude | undefined {
    if (this.nothingToEnforce(input)) return undefined;
    return this.screen(input).exclude;
  }

  /** Rate-limit headers for a limited caller's response (empty for everyone else). */
  responseHeaders(adm: Admission): string[] {
    if (adm.limitStates.length === 0) return [];
    return rateLimitHeaders(adm.report ?? this.limits.report(adm.limitStates));
  }

  /** After the response: real cost into budgets, real tokens into limits, one ledger record. */
  settle(adm: Admission | undefined, out: SettleInput): LedgerRecord {
    const usage = out.usage;
    let cost = costOf(out.deployment?.price, usage) ?? 0;
    // A success without usage (a stream the upstream never counted) is charged what was
    // reserved: an unknown cost must not become a free request.
    // The same for a client that left (499) after an upstream was called: its tokens were spent.
    if (usage === undefined && adm?.reservation && (out.status < 400 || (out.status === 499 && out.deployment !== undefined))) cost = adm.reservation.amount;
    if (adm && (adm.reservation || adm.ticket || adm.lease !== undefined)) this.admissionStore.settle(adm, cost, usage ? usage.inputTokens + usage.outputTokens : out.status >= 400 ? 0 : undefined);
    const a = adm?.attribution;
    const dep = out.deployment;
    // One object literal, every field in one order: one hidden class for every row the ledger
    // writes, and no copies on the way to the store.
    const r: LedgerRecord = {
      ts: this.now(),
      requestId: out.requestId,
      keyId: a?.keyId,
      team: a?.team,
      customer: a?.customer,
      agent: a?.agent,
      workflow: a?.workflow,
      route: out.route,
      requestClass: out.requestClass,
      deployment: dep?.id,
      provider: dep?.provider.id,
      model: dep?.model,
      inputTokens: usage?.inputTokens ?? 0,
      outputTokens: usage?.outputTokens ?? 0,
      cachedTokens: usage?.cacheReadTokens ?? 0,
      reasoningTokens: usage?.reasoningTokens ?? 0,
      costUsd: cost,
      status: out.status,
      errorCode: out.errorCode,
      attempts: out.attempts,
      latencyMs: out.latencyMs,
      ttftMs: out.ttftMs,
      cache: out.cache,
      cacheSavedUsd: out.cacheSavedUsd,
      endpoint: out.endpoint,
    };
    this.ledger?.record(r);
    return r;
  }

  /** GET /admin/budgets. */
  budgetsView(): Array<Record<string, unknown>> {
    return budgetsView(this.budgets);
  }

  async close(): Promise<void> {
    this.directory.stop();
    this.ledger?.close();
    await this.admissionStore.close?.();
    await this.alerts.idle();
  }

  private limitsById = new Map<string, LimitState>();
  /** How many rules apply to every caller (registerScopes); 0 opens admission's fast path. */
  private sharedRules = 0;

  /** Registers every budget and limit the tenants declare (scopes.ts); new budgets are seeded from the ledger. */
  private registerScopes(): void {
    this.sharedRules = registerScopes(this.directory, this.budgets, this.limits, this.limitsById, this.opts.ledgerStore);
  }
}

/** A 429 rate_limit_exceeded carrying the headers it must be sent with. */
export class RateLimitError extends GatewayError {
  constructor(
    message: string,
    retryAfterMs: number,
    readonly headers: string[],
    /** Which limit refused (read by metrics: `modelplane_rate_limit_refusals_total`). */
    readonly refusal?: { scope: string; which: 'requests' | 'tokens' | 'concurrency' },
  ) {
    super('rate_limit_exceeded', message, { retryAfterMs });
  }
}
