// One circuit breaker: the state machine behind every provider, deployment and credential
// entry of the HealthRegistry. Time is always passed in (`now`), never read, so tests are exact
// and there are no timers: "open → half-open after the cooldown" happens lazily, on the first
// acquire after `until`.
//
//   closed ──(N consecutive failures | error rate ≥ X over ≥ M requests)──▶ open
//   open ──(now ≥ until, on acquire)──▶ half-open: exactly one trial request at a time
//   half-open ──success──▶ closed          half-open ──failure──▶ open, cooldown doubled (capped)
//
// An explicit cooldown (429 retry-after, exhausted quota, refused key) opens the breaker at
// once for the given time and marks it `hard`: the planner's early probe never overrides it.

import { LatencyReservoir, SlidingWindow } from './window.js';

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface BreakerPolicy {
  /** Consecutive failures that open a closed breaker. */
  consecutiveFailures: number;
  /** Error rate (0..1) over the window that opens it, once `minRequests` were seen. */
  errorRate: number;
  minRequests: number;
  windowMs: number;
  buckets: number;
  /** First cooldown; each failed trial doubles it up to `maxCooldownMs`. */
  baseCooldownMs: number;
  maxCooldownMs: number;
  /**
   * A half-open trial that never reports back (aborted, lost) stops blocking others after
   * this long, so a lost trial cannot wedge a breaker half-open forever.
   */
  trialTimeoutMs: number;
}

export const DEFAULT_BREAKER_POLICY: BreakerPolicy = {
  consecutiveFailures: 5,
  errorRate: 0.5,
  minRequests: 20,
  windowMs: 60_000,
  buckets: 10,
  baseCooldownMs: 10_000,
  maxCooldownMs: 300_000,
  trialTimeoutMs: 60_000,
};

export type Transition = (from: BreakerState, to: BreakerState, breaker: Breaker, now: number) => void;

export class Breaker {
  state: BreakerState = 'closed';
  reason = '';
  since: number;
  until: number | undefined;
  hard = false;
  consecutiveFailures = 0;
  /** Times opened since it last closed: the exponent of the next cooldown. */
  opens = 0;
  lastFailureAt = -Infinity;
  private trialAt: number | undefined;
  readonly window: SlidingWindow;
  readonly latencies = new LatencyReservoir();

  constructor(
    readonly policy: BreakerPolicy,
    private readonly onTransition: Transition,
    now: number,
  ) {
    this.since = now;
    this.window = new SlidingWindow(policy.windowMs, policy.buckets);
  }

  /** Whether a request could go through now (without taking a half-open trial). */
  available(now: number): boolean {
    if (this.state === 'closed') return true;
    if (this.state === 'open') return now >= (this.until ?? 0);
    return !this.trialBusy(now);
  }

  /** Takes passage: 'pass' when closed, 'trial' when it took the one half-open slot, else false. */
  acquire(now: number): 'pass' | 'trial' | false {
    if (this.state === 'closed') return 'pass';
    if (this.state === 'open') {
      if (now < (this.until ?? 0)) return false;
      this.move('half-open', now, this.reason);
    } else if (this.trialBusy(now)) {
      return false;
    }
    this.trialAt = now;
    return 'trial';
  }

  /** Early probe (see planner): a soft-open breaker goes half-open before its cooldown ends. */
  canProbe(now: number): boolean {
    if (this.state === 'closed') return true;
    if (this.state === 'half-open') return !this.trialBusy(now);
    return !this.hard || now >= (this.until ?? 0);
  }

  probe(now: number): 'pass' | 'trial' | false {
    if (!this.canProbe(now)) return false;
    if (this.state === 'open') {
      this.move('half-open', now, `${this.reason}; early probe, every target was down`);
      this.trialAt = now;
      return 'trial';
    }
    return this.acquire(now);
  }

  /** Half-open with its trial out: someone is already finding out whether it recovered. */
  trialInFlight(now: number): boolean {
    return this.state === 'half-open' && this.trialBusy(now);
  }

  /** Gives back a trial slot without a verdict (request-scope error, cancelled attempt). */
  release(): void {
    this.trialAt = undefined;
  }

  success(now: number, latencyMs: number): void {
    this.window.add(now, true, latencyMs);
    if (latencyMs >= 0) this.latencies.add(latencyMs);
    this.consecutiveFailures = 0;
    if (this.state === 'half-open') {
      this.opens = 0;
      this.trialAt = undefined;
      this.window.reset();
      this.move('closed', now, 'trial succeeded');
    }
  }

  /**
   * A failure charged to this entity. `cooldownMs`, when given, is an explicit cooldown (hard
   * open now); `minCooldownMs` (a retry-after on a 5xx) only stretches a trip's cooldown.
   */
  failure(now: number, code: string, cooldownMs?: number, minCooldownMs?: number): void {
    this.window.add(now, false);
    this.consecutiveFailures++;
    this.lastFailureAt = now;
    if (cooldownMs !== undefined) {
      const until = now + cooldownMs;
      if (this.state !== 'open' || until > (this.until ?? 0)) this.open(now, until, `${code} (cooldown ${cooldownMs} ms)`, true);
      return;
    }
    if (this.state === 'half-open') {
      this.open(now, now + this.nextCooldown(minCooldownMs), `trial failed: ${code}`, false);
      return;
    }
    if (this.state === 'closed') {
      const p = this.policy;
      if (this.consecutiveFailures >= p.consecutiveFailures) {
        this.open(now, now + this.nextCooldown(minCooldownMs), `${this.consecutiveFailures} consecutive failures (last: ${code})`, false);
        return;
      }
      this.checkRate(now, code, minCooldownMs);
    }
  }

  /**
   * An error that counts towards this entity's error rate but is not its own failure (a
   * deployment's error, seen by its provider): no consecutive count, no trial verdict.
   */
  rateOnlyFailure(now: number, code: string): void {
    this.window.add(now, false);
    if (this.state === 'closed') this.checkRate(now, code, undefined);
  }

  /** Exponential cooldown for the next opening: base · 2^opens, capped. */
  nextCooldown(minMs = 0): number {
    const p = this.policy;
    const backoff = Math.min(p.maxCooldownMs, p.baseCooldownMs * 2 ** this.opens);
    return Math.max(backoff, minMs);
  }

  /** State as seen from outside: an open breaker past its cooldown admits a trial. */
  effectiveState(now: number): BreakerState {
    return this.state === 'open' && now >= (this.until ?? 0) ? 'half-open' : this.state;
  }

  /** Another instance opened it (cluster mode): open until `until`, without counting an opening here. */
  openShared(now: number, until: number, reason: string, hard: boolean): void {
    if (this.state === 'open' && (this.until ?? 0) >= until) return;
    this.until = until;
    this.hard = hard;
    this.trialAt = undefined;
    this.move('open', now, reason);
  }

  /** Another instance's trial succeeded (cluster mode): closed, as after a local one. */
  closeShared(now: number): void {
    if (this.state === 'closed') return;
    this.opens = 0;
    this.consecutiveFailures = 0;
    this.trialAt = undefined;
    this.window.reset();
    this.move('closed', now, 'closed on another instance');
  }

  private checkRate(now: number, code: string, minCooldownMs: number | undefined): void {
    const p = this.policy;
    const requests = this.window.requests(now);
    if (requests < p.minRequests) return;
    const rate = this.window.errorRate(now);
    if (rate >= p.errorRate) {
      this.open(now, now + this.nextCooldown(minCooldownMs), `error rate ${Math.round(rate * 100)}% over ${requests} requests (last: ${code})`, false);
    }
  }

  private open(now: number, until: number, reason: string, hard: boolean): void {
    this.until = until;
    this.hard = hard;
    this.trialAt = undefined;
    this.opens++;
    this.move('open', now, reason);
  }

  private move(to: BreakerState, now: number, reason: string): void {
    const from = this.state;
    this.state = to;
    this.reason = reason;
    this.since = now;
    if (to === 'closed') {
      this.until = undefined;
      this.hard = false;
    }
    this.onTransition(from, to, this, now);
  }

  private trialBusy(now: number): boolean {
    return this.trialAt !== undefined && now - this.trialAt < this.policy.trialTimeoutMs;
  }
}
