// The live strong-tier share of each auto route, against the share its threshold was calibrated
// to send up. A router trained on other traffic, or traffic that changed, sends a different share
// up than the operator dialled in; that is a cost (or a quality) surprise, so it is a metric
// (`modelplane_router_strong_share`, beside `..._target`) and a warning when it drifts more than
// `band` (10 points) from the target.
//
// The window is the last `window` decisions of the route, not a time span: the share is a
// property of the traffic mix, and a count keeps it deterministic under test.

import type { AutoRouteSnapshot } from '../../config/snapshot.js';

/** The share of the calibration sample below the threshold: what the dial was set to send up. */
export function targetShare(auto: Pick<AutoRouteSnapshot, 'threshold' | 'strongShare' | 'router'>): number {
  if (auto.strongShare !== undefined) return auto.strongShare;
  const cal = auto.router.calibration;
  if (cal.length === 0) return Number.NaN;
  let below = 0;
  for (const s of cal) if (s < auto.threshold) below++;
  return below / cal.length;
}

export interface DriftOptions {
  /** Decisions per route the live share is computed over. */
  window?: number;
  /** No verdict before this many decisions. */
  minSamples?: number;
  /** Allowed |live - target|. */
  band?: number;
  /** Called once when a route leaves the band (again after it came back inside). */
  warn?: (route: string, live: number, target: number, samples: number) => void;
}

class RouteShare {
  readonly ring: Uint8Array;
  next = 0;
  filled = 0;
  up = 0;
  outside = false;

  constructor(
    size: number,
    public target: number,
  ) {
    this.ring = new Uint8Array(size);
  }

  push(sentUp: boolean): void {
    const v = sentUp ? 1 : 0;
    if (this.filled === this.ring.length) this.up -= this.ring[this.next]!;
    else this.filled++;
    this.ring[this.next] = v;
    this.up += v;
    this.next = (this.next + 1) % this.ring.length;
  }

  get live(): number {
    return this.filled === 0 ? Number.NaN : this.up / this.filled;
  }
}

export interface ShareView {
  route: string;
  live: number;
  target: number;
  samples: number;
  drifting: boolean;
}

export class StrongShareTracker {
  private readonly routes = new Map<string, RouteShare>();
  private readonly window: number;
  private readonly minSamples: number;
  private readonly band: number;

  constructor(private readonly o: DriftOptions = {}) {
    this.window = o.window ?? 500;
    this.minSamples = o.minSamples ?? 100;
    this.band = o.band ?? 0.1;
  }

  /** One decision: `sentUp` when the request went to a tier above the cheapest. O(1), no allocation. */
  record(route: string, auto: AutoRouteSnapshot, sentUp: boolean): void {
    let r = this.routes.get(route);
    if (r === undefined) this.routes.set(route, (r = new RouteShare(this.window, targetShare(auto))));
    else r.target = targetShare(auto); // a reload may have moved the dial
    r.push(sentUp);
    if (r.filled < this.minSamples || Number.isNaN(r.target)) return;
    const out = Math.abs(r.live - r.target) > this.band;
    if (out && !r.outside) this.o.warn?.(route, r.live, r.target, r.filled);
    r.outside = out;
  }

  view(): ShareView[] {
    return [...this.routes].map(([route, r]) => ({ route, live: r.live, target: r.target, samples: r.filled, drifting: r.filled >= this.minSamples && Math.abs(r.live - r.target) > this.band }));
  }
}
