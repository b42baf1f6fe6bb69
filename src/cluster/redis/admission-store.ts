// Admission in Redis: one EVALSHA per request checks and takes every budget reservation, rate
// window and concurrency lease that applies, for all scopes at once, all or nothing, exact
// across every instance. Settlement is asynchronous and batched (one script call per event-loop
// turn for all the requests that finished in it). Leases carry a TTL that the instance renews
// while the request runs; a killed instance's leases expire, free their slots and are charged
// their estimate, queued for the ledger as unsettled (never silently forgiven).
//
// The local BudgetState/LimitState objects stay the source of the *specs* (limits, periods) and
// mirror the shared figures as of this instance's last answer, for /admin/budgets and alerts.

import { randomBytes } from 'node:crypto';
import type { AdmissionChecks, AdmissionResult, AdmissionStore, Held } from '../../governance/admission-store.js';
import type { FallbackPolicy } from './local-policy.js';
import type { BudgetBook, BudgetState, Reservation } from '../../governance/budgets.js';
import { GatewayError } from '../../spec/errors.js';
import type { Arg, ScriptedRedis } from './client.js';
import { parseReport, type Unsettled } from './admission-reply.js';

export interface RedisAdmissionOptions {
  redis: ScriptedRedis;
  /** cluster.redis.key_prefix. */
  prefix: string;
  book: BudgetBook;
  /** How long a lease outlives its last renewal (default 30 s); renewed every third of it (at least once a second). */
  leaseTtlMs?: number;
  /** Admission timeout before the unavailable policy answers (default 50 ms). */
  timeoutMs?: number;
  /** cluster.on_redis_unavailable: 'local' answers from `fallback`, 'refuse' with a 503. */
  onUnavailable?: 'local' | 'refuse';
  fallback?: FallbackPolicy;
  /** Counts admissions the unavailable policy answered, by reason. */
  onFallback?: (reason: 'timeout' | 'error') => void;
  /** A budget period a cold Redis has not seen starts from the ledger's total. */
  spentSoFar?: (budgetId: string, periodStart: number) => number | Promise<number>;
  /** A lease whose instance died: charged its estimate; the ledger records it. */
  onUnsettled?: (u: Unsettled) => void;
  /** Tests inject a clock; production uses Redis's own (one clock for every instance). */
  now?: () => number;
}

interface PendingSettle {
  lease: string;
  cost: number;
  tokens: number | undefined;
  budgets: BudgetState[];
}

export class RedisAdmissionStore implements AdmissionStore {
  private readonly r: ScriptedRedis;
  private readonly p: string;
  private readonly ttl: number;
  private readonly timeout: number;
  /** Leases this instance holds, renewed on the timer. */
  private readonly live = new Set<string>();
  /** Reservations and tickets the local policy issued (the Governor copies them into its Admission). */
  private readonly local = new WeakSet<object>();
  private pending: PendingSettle[] = [];
  private flushing: Promise<void> | undefined;
  private readonly timer: NodeJS.Timeout;
  private seq = 0;
  private readonly tag = randomBytes(4).toString('hex');
  /** Live instances as Redis last counted them (the local policy divides limits by it). */
  liveInstances = 1;
  /** Admissions the unavailable policy answered since start, by reason (the metric's source). */
  readonly fallbacks = { timeout: 0, error: 0 };
  /** The local policy's spend not yet in the shared counters: budget key, usd, ... */
  private owed: Arg[] = [];
  /** Set while admissions fall back; the next good answer reconciles. */
  private degraded = false;

  constructor(private readonly o: RedisAdmissionOptions) {
    this.r = o.redis;
    this.p = o.prefix;
    this.ttl = o.leaseTtlMs ?? 30_000;
    this.timeout = o.timeoutMs ?? 50;
    // Renewal also refreshes the live-instance count the local policy divides by: at least once a second.
    this.timer = setInterval(() => void this.renew(), Math.max(10, Math.min(1_000, Math.floor(this.ttl / 3))));
    this.timer.unref();
    // Counted among the live instances from the start (the local policy's share divides by it),
    // and again on every (re)connect: a cold Redis has forgotten the membership.
    if (this.r.status === 'ready') void this.renew();
    this.r.on('ready', () => void this.renew());
  }

  admit(c: AdmissionChecks): Promise<AdmissionResult> {
    return this.attempt(c, 0);
  }

  private async attempt(c: AdmissionChecks, seeded: number): Promise<AdmissionResult> {
    // Back from an outage: its local spend reaches the shared counters before anything here can
    // seed a cold period (a period seeded from the ledger already has those records).
    if (this.degraded) await this.reconcile();
    const lease = `${c.requestId ?? 'req'}.${this.tag}.${(this.seq++).toString(36)}`;
    let reply: unknown[];
    try {
      reply = await this.withTimeout(this.r.mpAdmit(...this.admitArgs(c, lease)));
    } catch (e) {
      // A script that ran after all (a slow answer, not a lost one) is released by a settlement
      // queued behind it on the same connection; a lease it never wrote releases nothing.
      if (e instanceof AdmissionTimeout) this.queue({ lease, cost: 0, tokens: 0, budgets: [] });
      return this.unavailable(c, e);
    }
    const kind = reply[0];
    if (kind === 'seed') {
      // Each budget is seeded once per period (the first instance to ask wins); a budget that
      // will not stay seeded is a broken Redis, answered by the unavailable policy.
      if (seeded >= c.budgets.length) return this.unavailable(c, new Error('budget seed did not take'));
      try {
        await this.withTimeout(this.seed(c.budgets[Number(reply[1]) - 1]!));
      } catch (e) {
        return this.unavailable(c, e);
      }
      return this.attempt(c, seeded + 1);
    }
    if (kind === 'budget') {
      const b = c.budgets[Number(reply[1]) - 1]!;
      b.spent = Number(reply[2]);
      b.reserved = Number(reply[3]);
      return { ok: false, budget: { budget: b, needed: c.amount } };
    }
    if (kind === 'limit') {
      const s = c.limits[Number(reply[1]) - 1]!;
      const which = reply[2] as 'requests' | 'tokens' | 'concurrency';
      const limit = (which === 'requests' ? s.rpm : which === 'tokens' ? s.tpm : s.concurrency) ?? 0;
      return { ok: false, limit: { state: s, which, limit, retryAfterMs: Number(reply[3]) }, report: parseReport(c.limits, reply, 5) };
    }
    if (kind !== 'ok') return this.unavailable(c, new Error(`unexpected admission reply ${String(kind)}`));
    const now = Number(reply[1]);
    let i = 2;
    for (const b of c.budgets) {
      b.spent = Number(reply[i++]);
      b.reserved = Number(reply[i++]);
    }
    const report = parseReport(c.limits, reply, i);
    for (let j = i + c.limits.length * 4; j < reply.length; j++) this.shadowRefused(c.budgets[Number(reply[j]) - 1]!, c.amount);
    const held: { ok: true } & Held = { ok: true };
    if (c.budgets.length > 0) held.reservation = reservationOf(c.budgets, c.amount);
    if (c.limits.length > 0) {
      held.ticket = { states: [...c.limits], tokens: c.tokens, at: now, done: false };
      held.report = report;
    }
    if (c.budgets.length > 0 || c.limits.some((l) => l.concurrency !== undefined || l.tpm !== undefined)) {
      held.lease = lease;
      this.live.add(lease);
    }
    return held;
  }

  settle(held: Held, cost: number, actualTokens: number | undefined): void {
    if ((held.reservation && this.local.has(held.reservation)) || (held.ticket && this.local.has(held.ticket))) {
      this.o.fallback?.settle(held, cost, actualTokens);
      // What it spent is owed to the shared counters: the next good answer reconciles.
      if (held.reservation) this.degraded = true;
      return;
    }
    if (held.reservation) {
      if (held.reservation.settled) return;
      held.reservation.settled = true;
    }
    if (held.ticket) {
      if (held.ticket.done) return;
      held.ticket.done = true;
    }
    if (held.lease === undefined) return;
    this.live.delete(held.lease);
    const budgets = held.reservation?.entries.map((e) => e.state) ?? [];
    this.queue({ lease: held.lease, cost, tokens: actualTokens === undefined ? undefined : Math.round(actualTokens), budgets });
  }

  /** Settlements of one event-loop turn go out together. */
  private queue(s: PendingSettle): void {
    this.pending.push(s);
    if (this.pending.length === 1) setImmediate(() => void this.flush());
  }

  /** Sends every queued settlement in one script call; a failed batch is retried on the timer. */
  flush(): Promise<void> {
    if (this.flushing) return this.flushing.then(() => (this.pending.length > 0 ? this.flush() : undefined));
    const batch = this.pending;
    if (batch.length === 0) return Promise.resolve();
    this.pending = [];
    const args: Arg[] = [this.p, this.clock(), batch.length];
    for (const s of batch) args.push(s.lease, s.cost, s.tokens ?? '');
    this.flushing = this.r
      .mpSettle(...args)
      .then((out) => {
        out.forEach((spent, k) => {
          if (!Array.isArray(spent)) return;
          batch[k]!.budgets.forEach((b, n) => this.mirrorSpent(b, Number(spent[n])));
        });
      })
      .catch(() => {
        // Kept for the next renewal tick; a lease that expires meanwhile is charged its estimate.
        this.pending.unshift(...batch.slice(0, 10_000 - this.pending.length));
        for (const s of batch) this.live.add(s.lease);
      })
      .finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  /** Extends this instance's live leases, sweeps expired ones, hands unsettled ones to the ledger. */
  async renew(): Promise<void> {
    try {
      if (this.pending.length > 0) await this.flush();
      const [, live] = await this.r.mpRenew(this.p, this.clock(), this.ttl, this.tag, ...this.live);
      this.liveInstances = Math.max(1, Number(live));
      if (this.degraded) await this.reconcile();
      if (!this.o.onUnsettled) return;
      const raw = await this.r.lpop(`${this.p}unsettled`, 100);
      for (const j of raw ?? []) this.o.onUnsettled(JSON.parse(j) as Unsettled);
    } catch {
      // Redis unreachable: the next tick tries again.
    }
  }

  /** Redis is back: the outage's local spend goes into the shared budget counters. */
  private async reconcile(): Promise<void> {
    if (this.r.status !== 'ready') return;
    this.degraded = false;
    for (const s of this.o.fallback?.recovered?.() ?? []) this.owed.push(`b:${s.budget.id}:${s.periodStart}`, s.usd);
    if (this.owed.length === 0) return;
    const owed = this.owed;
    this.owed = [];
    try {
      await this.withTimeout(this.r.mpCharge(this.p, ...owed));
    } catch {
      // Not taken (Redis went again, or is loading): owed until the next good answer.
      this.owed.unshift(...owed);
      this.degraded = true;
    }
  }

  private admitArgs(c: AdmissionChecks, lease: string): Arg[] {
    const a: Arg[] = [this.p, lease, this.clock(), this.ttl, c.amount, Math.round(c.tokens), JSON.stringify({ rid: c.requestId, ...c.attribution }), c.budgets.length];
    for (const b of c.budgets) a.push(budgetKey(b), b.spec.usd, b.spec.enforce ? '1' : '0');
    a.push(c.limits.length);
    for (const l of c.limits) a.push(l.id, l.rpm ?? '', l.tpm ?? '', l.concurrency ?? '');
    return a;
  }

  private async seed(b: BudgetState): Promise<void> {
    const spent = this.o.spentSoFar ? await this.o.spentSoFar(b.id, b.periodStart) : b.spent;
    await this.r.mpSeed(this.p, budgetKey(b), spent, Number.isFinite(b.periodEnd) ? b.periodEnd : 'inf', this.clock());
  }

  private withTimeout<T>(p: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const t = setTimeout(() => reject(new AdmissionTimeout()), this.timeout);
      p.then(
        (v) => {
          clearTimeout(t);
          resolve(v);
        },
        (e: unknown) => {
          clearTimeout(t);
          reject(e instanceof Error ? e : new Error(String(e)));
        },
      );
    });
  }

  private async unavailable(c: AdmissionChecks, e: unknown): Promise<AdmissionResult> {
    const reason = e instanceof AdmissionTimeout ? 'timeout' : 'error';
    this.fallbacks[reason]++;
    this.o.onFallback?.(reason);
    this.degraded = true;
    const fb = this.o.fallback;
    if ((this.o.onUnavailable ?? 'local') === 'refuse' || !fb) {
      throw new GatewayError('upstream_unavailable', 'Admission is unavailable: the shared rate-limit and budget store (Redis) did not answer, and cluster.on_redis_unavailable is "refuse". Retry shortly.', { scope: 'request' });
    }
    const r = await fb.admit(c);
    if (r.ok) {
      if (r.reservation) this.local.add(r.reservation);
      if (r.ticket) this.local.add(r.ticket);
    }
    return r;
  }

  private shadowRefused(b: BudgetState, needed: number): void {
    b.wouldRefuse++;
    this.o.book.onShadowRefusal({ budget: b, needed });
  }

  private mirrorSpent(b: BudgetState, spent: number): void {
    if (!Number.isFinite(spent)) return;
    b.spent = spent;
    if (!b.softAlerted && spent >= b.spec.usd * b.spec.soft) {
      b.softAlerted = true;
      this.o.book.onSoftAlert({ budget: b });
    }
  }

  private clock(): Arg {
    return this.o.now ? this.o.now() : '';
  }
}

class AdmissionTimeout extends Error {
  constructor() {
    super('redis admission timed out');
  }
}

function budgetKey(b: BudgetState): string {
  return `b:${b.id}:${b.periodStart}`;
}

function reservationOf(budgets: readonly BudgetState[], amount: number): Reservation {
  return { amount, entries: budgets.map((state) => ({ state, periodStart: state.periodStart })), settled: false };
}

