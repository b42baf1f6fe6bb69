// Budget periods: calendar day, ISO week (Monday), calendar month, or all time, in UTC.
// Pure functions of an instant, so every boundary is testable with an injected clock.

import type { BudgetPeriod } from './types.js';

const DAY = 86_400_000;

export interface PeriodWindow {
  start: number;
  /** Exclusive; Infinity for `total`. */
  end: number;
}

export function periodWindow(period: BudgetPeriod, now: number): PeriodWindow {
  const d = new Date(now);
  switch (period) {
    case 'day': {
      const start = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
      return { start, end: start + DAY };
    }
    case 'week': {
      const midnight = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
      const sinceMonday = (d.getUTCDay() + 6) % 7;
      const start = midnight - sinceMonday * DAY;
      return { start, end: start + 7 * DAY };
    }
    case 'month':
      return { start: Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1), end: Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) };
    case 'total':
      return { start: 0, end: Number.POSITIVE_INFINITY };
  }
}
