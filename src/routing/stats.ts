// Per-deployment load and latency, read by the strategies (least-latency, least-busy) and shown
// on the admin API. Sliding window (see window.ts): 60 s in 10 buckets by default, chosen over an
// EWMA because a window forgets completely: a deployment that had one bad minute and then got no
// traffic comes back as "unknown" and is explored again, instead of carrying a stale score
// forever. Every write is O(1) and allocation-free after the deployment's first sample.

import { SlidingWindow } from './window.js';

interface Entry {
  window: SlidingWindow;
  inFlight: number;
}

export interface DeploymentStatsView {
  id: string;
  requests: number;
  errors: number;
  errorRate: number;
  meanLatencyMs?: number;
  meanTtftMs?: number;
  inFlight: number;
}

export interface DeploymentStatsOptions {
  windowMs?: number;
  buckets?: number;
}

export class DeploymentStats {
  private readonly entries = new Map<string, Entry>();
  private readonly windowMs: number;
  private readonly buckets: number;

  constructor(options: DeploymentStatsOptions = {}) {
    this.windowMs = options.windowMs ?? 60_000;
    this.buckets = options.buckets ?? 10;
  }

  /** An attempt on `id` started: call once per upstream call, paired with `end`. */
  begin(id: string): void {
    this.entry(id).inFlight++;
  }

  /** The attempt that `begin` counted is over (whatever the outcome). */
  end(id: string): void {
    const e = this.entries.get(id);
    if (e !== undefined && e.inFlight > 0) e.inFlight--;
  }

  /**
   * A successful attempt. `latencyMs` is the whole attempt; `ttftMs` the time to the first
   * content event (streams) when known.
   */
  recordSuccess(id: string, now: number, latencyMs: number, ttftMs?: number): void {
    this.entry(id).window.add(now, true, latencyMs, ttftMs);
  }

  /**
   * A failed attempt that says something about the deployment (not a request-scope error: a 400
   * caused by the client is not the deployment's fault). The latency of a failure is not
   * sampled: a fast 500 must not make a deployment look quick.
   */
  recordError(id: string, now: number): void {
    this.entry(id).window.add(now, false);
  }

  inFlight(id: string): number {
    return this.entries.get(id)?.inFlight ?? 0;
  }

  meanLatency(id: string, now: number): number | undefined {
    return this.entries.get(id)?.window.meanLatency(now);
  }

  meanTtft(id: string, now: number): number | undefined {
    return this.entries.get(id)?.window.meanTtft(now);
  }

  errorRate(id: string, now: number): number {
    return this.entries.get(id)?.window.errorRate(now) ?? 0;
  }

  view(id: string, now: number): DeploymentStatsView {
    const e = this.entries.get(id);
    const view: DeploymentStatsView = {
      id,
      requests: e?.window.requests(now) ?? 0,
      errors: e?.window.errorCount(now) ?? 0,
      errorRate: e?.window.errorRate(now) ?? 0,
      inFlight: e?.inFlight ?? 0,
    };
    const latency = e?.window.meanLatency(now);
    const ttft = e?.window.meanTtft(now);
    if (latency !== undefined) view.meanLatencyMs = latency;
    if (ttft !== undefined) view.meanTtftMs = ttft;
    return view;
  }

  /** Every deployment seen so far. */
  ids(): string[] {
    return [...this.entries.keys()];
  }

  /** Drops deployments no longer in the config (call after a hot reload). */
  retain(ids: ReadonlySet<string>): void {
    for (const id of this.entries.keys()) if (!ids.has(id)) this.entries.delete(id);
  }

  private entry(id: string): Entry {
    let e = this.entries.get(id);
    if (e === undefined) {
      e = { window: new SlidingWindow(this.windowMs, this.buckets), inFlight: 0 };
      this.entries.set(id, e);
    }
    return e;
  }
}
