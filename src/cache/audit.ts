// Knowing the false-hit rate instead of guessing it: a route may set `cache.audit: 0.02`, which
// sends that share of its semantic hits upstream as well, in the background (the caller has the
// cached answer already), compares the fresh answer with the cached one, and publishes the
// measured disagreement rate per route with a 95% Wilson interval.
//
// "Disagree" is a proxy: the two answers' texts embedded with the local embedder fall below a
// similarity floor, or their tool calls differ (names or arguments). Two correct answers to one
// question can be worded differently, so the rate over-counts; an LLM judge through a route
// would be the better comparison (not built). At most `maxInFlight` audits run at once, so a
// burst of semantic hits cannot turn into a burst of upstream calls.

import type { CanonicalRequest, CanonicalResponse } from '../spec/canonical.js';
import { dot, type SyncEmbedder } from './embedder.js';

export interface AuditRow {
  route: string;
  audits: number;
  disagreements: number;
  /** Audits that could not get a fresh answer (not counted in the rate). */
  failed: number;
  falseHitRate: number;
  /** 95% Wilson score interval of the rate. */
  ci95: [number, number];
}

export function wilson(k: number, n: number, z = 1.96): [number, number] {
  if (n === 0) return [0, 1];
  const p = k / n;
  const d = 1 + (z * z) / n;
  const centre = (p + (z * z) / (2 * n)) / d;
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / d;
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

function text(r: CanonicalResponse): string {
  return r.content.map((p) => (p.type === 'text' ? p.text : '')).join('');
}

function calls(r: CanonicalResponse): string {
  const out: string[] = [];
  for (const p of r.content) {
    if (p.type !== 'tool-call') continue;
    let args: unknown = p.arguments;
    try {
      args = JSON.parse(p.arguments);
    } catch {
      // compared as text
    }
    out.push(`${p.name}:${JSON.stringify(args)}`);
  }
  return out.join('\n');
}

/** Similarity floor under which two answer texts are taken to say different things. */
export const AGREEMENT_FLOOR = 0.5;

export function answersAgree(cached: CanonicalResponse, fresh: CanonicalResponse, embedder: SyncEmbedder): boolean {
  if (calls(cached) !== calls(fresh)) return false;
  const a = text(cached);
  const b = text(fresh);
  if (a === b) return true;
  if (a.trim() === '' || b.trim() === '') return false;
  return dot(embedder.embedSync(a), embedder.embedSync(b)) >= AGREEMENT_FLOOR;
}

export interface AuditorOptions {
  embedder: SyncEmbedder;
  /** Gets a fresh answer for the request, bypassing the cache; wired by the gateway (loopback). */
  fresh: (route: string, request: CanonicalRequest) => Promise<CanonicalResponse>;
  random?: () => number;
  maxInFlight?: number;
  warn?: (message: string, detail: Record<string, unknown>) => void;
}

export class CacheAuditor {
  private readonly rows = new Map<string, { audits: number; disagreements: number; failed: number }>();
  private inFlight = 0;
  private readonly random: () => number;
  private readonly maxInFlight: number;
  /** Settles when the audits started so far have finished (tests wait on it, not on time). */
  private pending: Promise<void> = Promise.resolve();

  constructor(private readonly o: AuditorOptions) {
    this.random = o.random ?? Math.random;
    this.maxInFlight = o.maxInFlight ?? 4;
  }

  /**
   * Starts an audit of a semantic hit with probability `share`; never waits, never throws.
   * `onVerdict` hears whether the answers agreed (a `threshold: auto` route learns from it).
   */
  maybeAudit(route: string, share: number, request: CanonicalRequest, cached: CanonicalResponse, onVerdict?: (agree: boolean) => void): boolean {
    if (share <= 0 || this.inFlight >= this.maxInFlight || this.random() >= share) return false;
    this.inFlight++;
    const row = this.row(route);
    const run = this.o
      .fresh(route, { ...request, stream: false })
      .then(
        (fresh) => {
          row.audits++;
          const agree = answersAgree(cached, fresh, this.o.embedder);
          if (!agree) row.disagreements++;
          onVerdict?.(agree);
        },
        (err: unknown) => {
          row.failed++;
          this.o.warn?.('cache audit could not get a fresh answer', { route, err: String(err) });
        },
      )
      .finally(() => this.inFlight--);
    this.pending = Promise.all([this.pending, run]).then(() => undefined);
    return true;
  }

  idle(): Promise<void> {
    return this.pending;
  }

  report(): AuditRow[] {
    return [...this.rows].map(([route, r]) => ({ route, ...r, falseHitRate: r.audits === 0 ? 0 : r.disagreements / r.audits, ci95: wilson(r.disagreements, r.audits) }));
  }

  private row(route: string): { audits: number; disagreements: number; failed: number } {
    let r = this.rows.get(route);
    if (r === undefined) this.rows.set(route, (r = { audits: 0, disagreements: 0, failed: 0 }));
    return r;
  }
}
