// cluster.on_redis_unavailable: local. While Redis cannot answer, each instance admits from its
// own memory, against its share of every promise:
//   rate limits   limit ÷ live instances (as last counted in Redis), in local windows;
//   concurrency   slots ÷ live instances;
//   budgets       the headroom this instance last saw in Redis (limit − spent − reserved) ÷ live
//                 instances, fixed when the outage starts; what it spends meanwhile is added to
//                 the shared counters when Redis is back (recovery needs no restart).
// The bounds this gives are in docs/scaling.md and tested in local-policy.test.ts.

import { MemoryAdmissionStore, type AdmissionChecks, type AdmissionResult, type AdmissionStore, type Held } from '../../governance/admission-store.js';
import { BudgetBook, type BudgetState } from '../../governance/budgets.js';
import { RateLimiter, type LimitState } from '../../governance/rate-limit.js';

interface ShareEntry {
  share: BudgetState;
  of: BudgetState;
  periodStart: number;
  /** Spent against the share this outage (settled costs). */
  charged: number;
}

/** What the Redis store falls back to; told when Redis answers again. */
export interface FallbackPolicy extends AdmissionStore {
  recovered?(): Array<{ budget: BudgetState; periodStart: number; usd: number }>;
}

export class LocalSharePolicy implements FallbackPolicy {
  private readonly book: BudgetBook;
  private readonly limiter: RateLimiter;
  private readonly inner: MemoryAdmissionStore;
  /** Per shared budget: its local share for this outage, and what was spent against it. */
  private readonly shares = new Map<string, ShareEntry>();
  private readonly byShare = new Map<BudgetState, ShareEntry>();
  private outage = false;
  /** Outages so far: each starts its budget shares afresh. */
  private epoch = 0;

  constructor(
    now: () => number,
    /** Live instances as last counted (at least 1). */
    private readonly live: () => number,
  ) {
    this.book = new BudgetBook(now);
    this.limiter = new RateLimiter(now);
    this.inner = new MemoryAdmissionStore(this.book, this.limiter);
  }

  admit(c: AdmissionChecks): AdmissionResult {
    this.outage = true;
    const n = Math.max(1, this.live());
    const budgets = c.budgets.map((b) => this.budgetShare(b, n));
    const limits = c.limits.map((l) => this.limitShare(l, n));
    const r = this.inner.admit({ ...c, budgets, limits });
    // Refusals name the shared scope (its id and figures), not the local share.
    if (!r.ok && 'budget' in r) return { ok: false, budget: { budget: c.budgets[budgets.indexOf(r.budget.budget)] ?? r.budget.budget, needed: r.budget.needed } };
    if (!r.ok) return { ok: false, limit: { ...r.limit, state: c.limits[limits.indexOf(r.limit.state)] ?? r.limit.state }, report: r.report };
    return r;
  }

  settle(held: Held, cost: number, actualTokens: number | undefined): void {
    this.inner.settle(held, cost, actualTokens);
    for (const e of held.reservation?.entries ?? []) {
      const s = this.byShare.get(e.state);
      if (s) s.charged += cost;
    }
    // Spend after Redis came back (a request admitted locally, settled later) is owed too.
    if (!this.outage && this.owed) this.outage = true;
  }

  /**
   * Redis answers again: what each budget spent locally, for the shared counters, and a fresh
   * share next outage. Windows and slots taken locally are simply forgotten (the bound says so).
   */
  recovered(): Array<{ budget: BudgetState; periodStart: number; usd: number }> {
    if (!this.outage) return [];
    this.outage = false;
    const out: Array<{ budget: BudgetState; periodStart: number; usd: number }> = [];
    for (const [share, s] of this.byShare) {
      if (s.charged > 0) out.push({ budget: s.of, periodStart: s.periodStart, usd: s.charged });
      s.charged = 0;
      // A share with requests still in flight keeps counting their settlements (reported by the
      // next call): only an idle one is forgotten.
      if (share.reserved <= 0) this.byShare.delete(share);
    }
    this.shares.clear();
    this.book.retain(new Set([...this.byShare.keys()].map((b) => b.id)));
    this.epoch++;
    return out;
  }

  /** Settlements of shares from an earlier outage, counted since the last recovered(). */
  get owed(): boolean {
    for (const s of this.byShare.values()) if (s.charged > 0) return true;
    return false;
  }

  private budgetShare(b: BudgetState, n: number): BudgetState {
    let s = this.shares.get(b.id);
    if (!s || s.periodStart !== b.periodStart) {
      const headroom = Math.max(0, b.spec.usd - b.spent - b.reserved) / n;
      const share = this.book.ensure(`share:${this.epoch}:${b.id}:${b.periodStart}`, { ...b.spec, usd: headroom });
      s = { share, of: b, periodStart: b.periodStart, charged: 0 };
      this.shares.set(b.id, s);
      this.byShare.set(share, s);
    }
    return s.share;
  }

  private limitShare(l: LimitState, n: number): LimitState {
    const part = (v: number | undefined) => (v === undefined ? undefined : Math.max(1, Math.floor(v / n)));
    const spec: { rpm?: number; tpm?: number; concurrency?: number } = {};
    const rpm = part(l.rpm);
    const tpm = part(l.tpm);
    const conc = part(l.concurrency);
    if (rpm !== undefined) spec.rpm = rpm;
    if (tpm !== undefined) spec.tpm = tpm;
    if (conc !== undefined) spec.concurrency = conc;
    return this.limiter.ensure(`share:${l.id}`, spec);
  }
}
