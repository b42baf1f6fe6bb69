// Budgets in memory: spent and reserved per budget per period. Admission reserves a request's
// maximum possible cost against every budget that applies, all or nothing, in one synchronous
// step, so concurrent requests cannot both squeeze into the last dollar (JavaScript runs one
// step at a time; there is no await between the check and the increment). Settlement replaces
// the reservation with the real cost; a failed request releases it.

import { periodWindow } from './periods.js';
import type { BudgetSpec } from './types.js';

export interface BudgetState {
  id: string;
  spec: BudgetSpec;
  periodStart: number;
  periodEnd: number;
  spent: number;
  reserved: number;
  /** The soft alert fired for this period. */
  softAlerted: boolean;
  /** Shadow budgets: requests that would have been refused this period. */
  wouldRefuse: number;
  /** The zone its periods are in (a changed zone starts the budget over, seeded from the ledger). */
  zone: string | undefined;
}

export interface BudgetRefusal {
  budget: BudgetState;
  /** What the request needed. */
  needed: number;
}

/** Held by a request between admission and settlement. */
export interface Reservation {
  amount: number;
  /** Each budget with the period it was reserved in (a reservation outlives a period boundary). */
  entries: Array<{ state: BudgetState; periodStart: number }>;
  settled: boolean;
}

export interface SoftAlert {
  budget: BudgetState;
}

export class BudgetBook {
  private readonly states = new Map<string, BudgetState>();
  /** Fired synchronously when a budget crosses its soft threshold; the handler must not block. */
  onSoftAlert: (a: SoftAlert) => void = () => {};
  /** Fired when a shadow budget would have refused. */
  onShadowRefusal: (r: BudgetRefusal) => void = () => {};

  /** The zone of budgets that name none (`budget_time_zone`); undefined: UTC. */
  timeZone: string | undefined;

  constructor(private readonly now: () => number = Date.now) {}

  private window(spec: BudgetSpec, now: number) {
    return periodWindow(spec.period, now, spec.timeZone ?? this.timeZone);
  }

  /**
   * Registers a budget (or updates its spec, keeping what it has spent). `spentSoFar` seeds a
   * new budget from the ledger so a restart does not reset anyone's spending.
   */
  ensure(id: string, spec: BudgetSpec, spentSoFar?: (periodStart: number) => number): BudgetState {
    const existing = this.states.get(id);
    if (existing && existing.spec.period === spec.period && existing.zone === (spec.timeZone ?? this.timeZone)) {
      existing.spec = spec;
      return existing;
    }
    const w = this.window(spec, this.now());
    const state: BudgetState = {
      id,
      spec,
      periodStart: w.start,
      periodEnd: w.end,
      spent: spentSoFar ? spentSoFar(w.start) : 0,
      reserved: existing?.reserved ?? 0,
      softAlerted: false,
      wouldRefuse: 0,
      zone: spec.timeZone ?? this.timeZone,
    };
    state.softAlerted = state.spent >= spec.usd * spec.soft;
    this.states.set(id, state);
    return state;
  }

  get(id: string): BudgetState | undefined {
    const s = this.states.get(id);
    if (s) this.roll(s, this.now());
    return s;
  }

  all(): BudgetState[] {
    const now = this.now();
    for (const s of this.states.values()) this.roll(s, now);
    return [...this.states.values()];
  }

  /** Drops budgets no longer configured (their in-flight reservations settle harmlessly). */
  retain(ids: ReadonlySet<string>): void {
    for (const id of this.states.keys()) if (!ids.has(id)) this.states.delete(id);
  }

  /** All or nothing: either every enforced budget has room for `amount`, or none is touched. */
  reserve(budgets: readonly BudgetState[], amount: number): Reservation | BudgetRefusal {
    const now = this.now();
    for (const b of budgets) {
      this.roll(b, now);
      if (b.spent + b.reserved + amount > b.spec.usd + 1e-12) {
        if (b.spec.enforce) return { budget: b, needed: amount };
        b.wouldRefuse++;
        this.onShadowRefusal({ budget: b, needed: amount });
      }
    }
    const entries = budgets.map((state) => {
      state.reserved += amount;
      return { state, periodStart: state.periodStart };
    });
    return { amount, entries, settled: false };
  }

  /** Replaces the reservation with the real cost (0 for a failed request). Idempotent. */
  settle(r: Reservation, cost: number): void {
    if (r.settled) return;
    r.settled = true;
    const now = this.now();
    for (const { state, periodStart } of r.entries) {
      this.roll(state, now);
      // A reservation from a period that has ended was already dropped with that period.
      if (state.periodStart === periodStart) {
        state.reserved -= r.amount;
        // Float dust from many add/subtract pairs must not read as money in flight.
        if (state.reserved < 1e-12) state.reserved = 0;
      }
      state.spent += cost;
      if (!state.softAlerted && state.spent >= state.spec.usd * state.spec.soft) {
        state.softAlerted = true;
        this.onSoftAlert({ budget: state });
      }
    }
  }

  /** Moves a budget into the current period when the old one has ended. */
  private roll(s: BudgetState, now: number): void {
    if (now < s.periodEnd) return;
    const w = this.window(s.spec, now);
    s.periodStart = w.start;
    s.periodEnd = w.end;
    s.spent = 0;
    s.reserved = 0;
    s.softAlerted = false;
    s.wouldRefuse = 0;
  }
}

export function isRefusal(r: Reservation | BudgetRefusal): r is BudgetRefusal {
  return 'budget' in r;
}

/** The 429 message: which budget, its limit, spent and reserved, and when it resets. */
export function refusalMessage(r: BudgetRefusal): string {
  const b = r.budget;
  const [scope, ...rest] = b.id.split(':');
  const label = scope === 'global' ? 'the global budget' : `the ${scope} budget "${rest.join(':')}"`;
  const resets = Number.isFinite(b.periodEnd) ? `resets at ${new Date(b.periodEnd).toISOString()}` : 'is a total budget and does not reset';
  return `Budget exceeded: ${label} allows $${fmt(b.spec.usd)} per ${b.spec.period}; $${fmt(b.spent)} spent and $${fmt(b.reserved)} reserved by requests in flight, this request may cost up to $${fmt(r.needed)}. It ${resets}.`;
}

function fmt(n: number): string {
  return n >= 1 ? n.toFixed(2) : n.toPrecision(3);
}
