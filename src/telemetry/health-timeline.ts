// The dashboard's health timeline: breaker state changes of providers, deployments and
// credentials, found by comparing the router's health view with the one seen before (every 5 s
// on a timer, and whenever the dashboard or a scraper reads it). The first view is the baseline.
// The last 200 changes are kept in memory; nothing of it is on the request path.

export interface HealthRow {
  id: string;
  state: string;
  credentials?: HealthRow[];
  rate_limits?: HealthRow[];
}

export function healthRows(doc: unknown, key: 'providers' | 'deployments'): HealthRow[] {
  const v = doc !== null && typeof doc === 'object' ? (doc as Record<string, unknown>)[key] : undefined;
  return Array.isArray(v) ? (v as HealthRow[]) : [];
}

/** Every entity of a health view as [level, id, state]. */
export function healthEntities(doc: unknown): Array<[string, string, string]> {
  const out: Array<[string, string, string]> = [];
  for (const p of healthRows(doc, 'providers')) {
    out.push(['provider', p.id, p.state]);
    for (const c of p.credentials ?? []) out.push(['credential', c.id, c.state]);
  }
  for (const d of healthRows(doc, 'deployments')) {
    out.push(['deployment', d.id, d.state]);
    for (const c of d.credentials ?? []) out.push(['credential', c.id, c.state]);
    for (const c of d.rate_limits ?? []) out.push(['credential', c.id, c.state]);
  }
  return out;
}

export interface HealthChange {
  time: number;
  level: string;
  id: string;
  from: string;
  to: string;
}

export class HealthTimeline {
  private last: Map<string, string> | undefined;
  private readonly changes: HealthChange[] = [];

  constructor(readonly max = 200) {}

  observe(doc: unknown, now: number): void {
    const next = new Map<string, string>();
    for (const [level, id, state] of healthEntities(doc)) {
      const k = `${level}\u0000${id}`;
      next.set(k, state);
      const before = this.last?.get(k);
      if (this.last !== undefined && before !== undefined && before !== state) this.changes.push({ time: now, level, id, from: before, to: state });
    }
    if (this.changes.length > this.max) this.changes.splice(0, this.changes.length - this.max);
    this.last = next;
  }

  /** Newest first. */
  view(): HealthChange[] {
    return this.changes.slice().reverse();
  }
}
