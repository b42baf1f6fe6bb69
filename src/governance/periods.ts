// Budget periods: calendar day, ISO week (Monday), calendar month, or all time, in UTC or in an
// IANA time zone (`budget_time_zone`, or a budget's own `time_zone`). Pure functions of an
// instant, so every boundary is testable with an injected clock. In a zone with daylight saving
// a day is 23 or 25 hours long twice a year: boundaries are local midnights, found with Intl.

import type { BudgetPeriod } from './types.js';

export interface PeriodWindow {
  start: number;
  /** Exclusive; Infinity for `total`. */
  end: number;
}

/** Whether Intl knows the zone (config validation). */
export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

// Creating a formatter costs far more than using one; periods roll rarely, but keep one per zone.
const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    formatters.set(tz, f);
  }
  return f;
}

/** The wall clock in `tz` at instant `t`, as the UTC instant with the same fields. */
function wallClock(tz: string, t: number): number {
  const p: Record<string, number> = {};
  for (const part of formatter(tz).formatToParts(t)) if (part.type !== 'literal') p[part.type] = Number(part.value);
  return Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!);
}

/** The instant of local midnight starting calendar day (y, m, d) in `tz` (month may overflow: Date.UTC normalises). */
function localMidnight(tz: string, y: number, m: number, d: number): number {
  const wall = Date.UTC(y, m, d);
  // Two refinements of the zone's offset: the second corrects a guess on the other side of a DST change.
  let t = wall - (wallClock(tz, wall) - wall);
  // (In the few zones that skip midnight itself at a DST change, that one boundary may land an
  // hour off; every other boundary is exact.)
  return wall - (wallClock(tz, t) - t);
}

export function periodWindow(period: BudgetPeriod, now: number, tz?: string): PeriodWindow {
  if (period === 'total') return { start: 0, end: Number.POSITIVE_INFINITY };
  // The local calendar date of `now`, read off the zone's wall clock (UTC: the instant itself).
  const d = new Date(tz === undefined || tz === 'UTC' ? now : wallClock(tz, now));
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  const day = d.getUTCDate();
  const at = (yy: number, mm: number, dd: number) => (tz === undefined || tz === 'UTC' ? Date.UTC(yy, mm, dd) : localMidnight(tz, yy, mm, dd));
  switch (period) {
    case 'day':
      return { start: at(y, m, day), end: at(y, m, day + 1) };
    case 'week': {
      const sinceMonday = (d.getUTCDay() + 6) % 7;
      return { start: at(y, m, day - sinceMonday), end: at(y, m, day - sinceMonday + 7) };
    }
    case 'month':
      return { start: at(y, m, 1), end: at(y, m + 1, 1) };
  }
}

