// Where admission state lives: the narrow seam between the Governor (which decides *what*
// applies to a request: budgets, limits, the amount and token estimate) and the store that
// checks and takes it, all or nothing. The embedded store is the in-memory BudgetBook and
// RateLimiter, answering synchronously; the cluster store (src/cluster/redis/) answers from
// Redis in one round trip and so returns a promise. Nothing above this interface knows which.

import type { Attribution } from './attribution.js';
import { isRefusal, type BudgetBook, type BudgetRefusal, type BudgetState, type Reservation } from './budgets.js';
import { isLimitRefusal, type LimitRefusal, type LimitReport, type LimitState, type LimitTicket, type RateLimiter } from './rate-limit.js';

export interface AdmissionChecks {
  /** Every budget that applies (already rolled into the current period by the book). */
  budgets: readonly BudgetState[];
  /** USD reserved against each budget. */
  amount: number;
  limits: readonly LimitState[];
  /** Tokens counted against every TPM window (the admission estimate). */
  tokens: number;
  /** A shared store names its lease after the request, so an unsettled one can be traced. */
  requestId?: string;
  /** Who the request is from, kept with a shared lease for the ledger should it never settle. */
  attribution?: Attribution;
}

/** What a request holds between admission and settlement. */
export interface Held {
  reservation?: Reservation;
  ticket?: LimitTicket;
  /** The shared store's lease (absent in the embedded store). */
  lease?: string;
  /** Rate-limit figures for the response headers, as of the admission. */
  report?: LimitReport;
}

export type AdmissionResult = ({ ok: true } & Held) | { ok: false; budget: BudgetRefusal } | { ok: false; limit: LimitRefusal; report: LimitReport };

export interface AdmissionStore {
  admit(checks: AdmissionChecks): AdmissionResult | Promise<AdmissionResult>;
  /**
   * Real cost replaces the reservation, real tokens correct the TPM windows (undefined: keep the
   * estimate), the concurrency slot is freed. Idempotent; never blocks the caller.
   */
  settle(held: Held, cost: number, actualTokens: number | undefined): void;
  close?(): Promise<void>;
}

/** Today's embedded admission: the book and the limiter, in memory, synchronous. */
export class MemoryAdmissionStore implements AdmissionStore {
  constructor(
    readonly budgets: BudgetBook,
    readonly limits: RateLimiter,
  ) {}

  admit(c: AdmissionChecks): AdmissionResult {
    let reservation: Reservation | undefined;
    if (c.budgets.length > 0) {
      const r = this.budgets.reserve(c.budgets, c.amount);
      if (isRefusal(r)) return { ok: false, budget: r };
      reservation = r;
    }
    if (c.limits.length === 0) return reservation ? { ok: true, reservation } : { ok: true };
    const t = this.limits.admit(c.limits, c.tokens);
    if (isLimitRefusal(t)) {
      // All or nothing: a limit's refusal releases the budgets' reservation.
      if (reservation) this.budgets.settle(reservation, 0);
      return { ok: false, limit: t, report: this.limits.report(c.limits) };
    }
    return { ok: true, ...(reservation ? { reservation } : {}), ticket: t, report: this.limits.report(c.limits) };
  }

  settle(held: Held, cost: number, actualTokens: number | undefined): void {
    if (held.reservation) this.budgets.settle(held.reservation, cost);
    if (held.ticket) this.limits.settle(held.ticket, actualTokens);
  }
}

export function isBudgetRefusal(r: AdmissionResult): r is { ok: false; budget: BudgetRefusal } {
  return !r.ok && 'budget' in r;
}
