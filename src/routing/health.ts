// Health of every provider, deployment and credential, as circuit breakers (breaker.ts). The
// attempt loop reports outcomes; the planner asks what is available. The error's `scope`
// decides who is charged:
//   request     nothing (the client's fault; no deployment would do better)
//   credential  the credential only (rate_limited: a cooldown; insufficient_quota/upstream_auth:
//               a long lockout)
//   deployment  the deployment, and the provider's error rate (not its consecutive count)
//   provider    the provider and the deployment
// context_length_exceeded is deployment-scoped in the error table (another deployment may have a
// larger window) but says nothing about health, so it charges nothing here.
//
// Rate limits are per model on every major provider, so a 429 cools the pair (credential,
// deployment), shown as `<credential>@<deployment>`; quota and auth failures belong to the key
// and cool the credential everywhere it is used.

import type { GatewayError } from '../spec/errors.js';
import { Breaker, DEFAULT_BREAKER_POLICY, type BreakerPolicy, type BreakerState } from './breaker.js';

export type HealthLevel = 'provider' | 'deployment' | 'credential';

/** Identifies one attempt's targets. `trials` is set by `acquire`: which half-open slots it holds. */
export interface AttemptRef {
  providerId: string;
  deploymentId: string;
  credentialId?: string;
  trials?: number;
}

export interface HealthOptions {
  provider?: Partial<BreakerPolicy>;
  deployment?: Partial<BreakerPolicy>;
  credential?: Partial<BreakerPolicy>;
  /** Cooldown after a 429 without retry-after (doubling on repeats, up to the credential cap). */
  rateLimitCooldownMs?: number;
  /** Lockout after insufficient_quota or upstream_auth. */
  credentialLockoutMs?: number;
}

export interface HealthEntry {
  level: HealthLevel;
  id: string;
  state: BreakerState;
  reason: string;
  since: number;
  until?: number;
  errorRate: number;
  requests: number;
  p50LatencyMs?: number;
  consecutiveFailures: number;
}

export interface HealthChange {
  level: HealthLevel;
  id: string;
  from: BreakerState;
  to: BreakerState;
  reason: string;
  at: number;
  until?: number;
  /** Applied from another instance (cluster mode), not decided here: a sharer must not echo it. */
  shared?: true;
}

export type HealthListener = (change: HealthChange) => void;

const T_PROVIDER = 1;
const T_DEPLOYMENT = 2;
const T_CREDENTIAL = 4;
const T_RATE = 8;
const TRIAL_BITS = [T_PROVIDER, T_DEPLOYMENT, T_CREDENTIAL, T_RATE] as const;

export class HealthRegistry {
  private readonly providers = new Map<string, Breaker>();
  private readonly deployments = new Map<string, Breaker>();
  private readonly credentials = new Map<string, Breaker>();
  /** credential id → deployment id → breaker, for per-model rate limits (no key strings built). */
  private readonly rateLimits = new Map<string, Map<string, Breaker>>();
  private readonly policies: Record<HealthLevel, BreakerPolicy>;
  private readonly rateLimitCooldownMs: number;
  private readonly credentialLockoutMs: number;
  private readonly listeners = new Set<HealthListener>();
  private readonly names = new WeakMap<Breaker, { level: HealthLevel; id: string }>();

  /** Set while applying another instance's state (emitted changes are marked `shared`). */
  private sharing = false;

  constructor(options: HealthOptions = {}) {
    this.policies = {
      provider: { ...DEFAULT_BREAKER_POLICY, ...options.provider },
      deployment: { ...DEFAULT_BREAKER_POLICY, ...options.deployment },
      credential: { ...DEFAULT_BREAKER_POLICY, ...options.credential },
    };
    this.rateLimitCooldownMs = options.rateLimitCooldownMs ?? 10_000;
    this.credentialLockoutMs = options.credentialLockoutMs ?? 600_000;
  }

  // ------------------------------------------------------------------ single entity

  isAvailable(level: HealthLevel, id: string, now: number): boolean {
    return this.map(level).get(id)?.available(now) ?? true;
  }

  /** True when a request may go; in half-open this takes the single trial slot. */
  tryAcquire(level: HealthLevel, id: string, now: number): boolean {
    const b = this.map(level).get(id);
    return b === undefined || b.acquire(now) !== false;
  }

  release(level: HealthLevel, id: string): void {
    this.map(level).get(id)?.release();
  }

  // ------------------------------------------------------------------ one attempt (all levels)

  /** Whether every level of `ref` would admit a request now. */
  isRefAvailable(ref: AttemptRef, now: number): boolean {
    for (const b of this.breakersOf(ref)) if (b !== undefined && !b.available(now)) return false;
    return true;
  }

  /**
   * Takes passage on every level of `ref` at once: either all levels admit it (and half-open
   * trial slots are taken; `ref.trials` records which) or nothing is taken and it returns false.
   */
  acquire(ref: AttemptRef, now: number): boolean {
    if (!this.isRefAvailable(ref, now)) return false;
    ref.trials = this.take(ref, now, false);
    return true;
  }

  /** Whether an early probe (see planner) could run on `ref`: nothing hard-cooled, no trial out. */
  canProbe(ref: AttemptRef, now: number): boolean {
    for (const b of this.breakersOf(ref)) if (b !== undefined && !b.canProbe(now)) return false;
    return true;
  }

  /** Forces soft-open levels of `ref` half-open and takes their trial slots. */
  probe(ref: AttemptRef, now: number): boolean {
    if (!this.canProbe(ref, now)) return false;
    ref.trials = this.take(ref, now, true);
    return true;
  }

  /** Whether some level of `ref` has a half-open trial out. */
  trialInFlight(ref: AttemptRef, now: number): boolean {
    for (const b of this.breakersOf(ref)) if (b !== undefined && b.trialInFlight(now)) return true;
    return false;
  }

  /** The latest failure on any level of `ref` (-Infinity when none): "least recently failed". */
  lastFailureAt(ref: AttemptRef): number {
    let last = -Infinity;
    for (const b of this.breakersOf(ref)) if (b !== undefined && b.lastFailureAt > last) last = b.lastFailureAt;
    return last;
  }

  /** Human-readable reasons `ref` is unavailable now (empty when it is available). */
  describe(ref: AttemptRef, now: number): string[] {
    const out: string[] = [];
    for (const b of this.breakersOf(ref)) {
      if (b === undefined || b.available(now)) continue;
      const name = this.names.get(b)!;
      const until = b.state === 'open' && b.until !== undefined ? ` for ${Math.ceil((b.until - now) / 1000)}s more` : ' (trial in flight)';
      out.push(`${name.level} ${name.id} ${b.state}${until}: ${b.reason}`);
    }
    return out;
  }

  /** Earliest time any blocking level of `ref` reopens, for a retry-after hint. */
  availableAt(ref: AttemptRef, now: number): number {
    let at = now;
    for (const b of this.breakersOf(ref)) {
      if (b === undefined || b.available(now)) continue;
      const when = b.state === 'open' ? (b.until ?? now) : now + 1000;
      if (when > at) at = when;
    }
    return at;
  }

  /** Releases trial slots held by an attempt that ended without a verdict (client went away). */
  cancel(ref: AttemptRef): void {
    this.releaseTrials(ref, T_PROVIDER | T_DEPLOYMENT | T_CREDENTIAL | T_RATE);
  }

  // ------------------------------------------------------------------ outcomes

  /** Report as soon as the attempt is known good (response headers / first event for streams). */
  recordSuccess(ref: AttemptRef, latencyMs: number, now: number): void {
    this.entry('provider', ref.providerId, now).success(now, latencyMs);
    this.entry('deployment', ref.deploymentId, now).success(now, latencyMs);
    if (ref.credentialId !== undefined) {
      this.entry('credential', ref.credentialId, now).success(now, latencyMs);
      this.rateLimits.get(ref.credentialId)?.get(ref.deploymentId)?.success(now, latencyMs);
    }
    ref.trials = 0;
  }

  recordFailure(ref: AttemptRef, error: GatewayError, now: number): void {
    const code = error.code;
    if (error.scope === 'request' || code === 'context_length_exceeded') {
      this.releaseTrials(ref, T_PROVIDER | T_DEPLOYMENT | T_CREDENTIAL | T_RATE);
      return;
    }
    const retryAfter = error.retryAfterMs;
    if (error.scope === 'credential') {
      this.releaseTrials(ref, T_PROVIDER | T_DEPLOYMENT);
      const cred = ref.credentialId;
      if (cred === undefined) return;
      if (code === 'rate_limited') {
        this.releaseTrials(ref, T_CREDENTIAL);
        const b = this.rateEntry(cred, ref.deploymentId, now);
        const fallback = Math.min(this.rateLimitCooldownMs * 2 ** b.opens, b.policy.maxCooldownMs);
        b.failure(now, code, retryAfter ?? fallback);
      } else if (code === 'insufficient_quota' || code === 'upstream_auth') {
        this.releaseTrials(ref, T_RATE);
        this.entry('credential', cred, now).failure(now, code, this.credentialLockoutMs);
      } else {
        this.releaseTrials(ref, T_RATE);
        this.entry('credential', cred, now).failure(now, code, undefined, retryAfter);
      }
    } else if (error.scope === 'deployment') {
      this.releaseTrials(ref, T_CREDENTIAL | T_RATE | T_PROVIDER);
      this.entry('deployment', ref.deploymentId, now).failure(now, code, undefined, retryAfter);
      this.entry('provider', ref.providerId, now).rateOnlyFailure(now, code);
    } else {
      this.releaseTrials(ref, T_CREDENTIAL | T_RATE);
      this.entry('provider', ref.providerId, now).failure(now, code, undefined, retryAfter);
      this.entry('deployment', ref.deploymentId, now).failure(now, code, undefined, retryAfter);
    }
    ref.trials = 0;
  }

  // ------------------------------------------------------------------ observation

  snapshot(now: number): HealthEntry[] {
    const out: HealthEntry[] = [];
    const add = (level: HealthLevel, id: string, b: Breaker): void => {
      const state = b.effectiveState(now);
      const e: HealthEntry = {
        level,
        id,
        state,
        reason: b.reason,
        since: state !== b.state ? (b.until ?? b.since) : b.since,
        errorRate: b.window.errorRate(now),
        requests: b.window.requests(now),
        consecutiveFailures: b.consecutiveFailures,
      };
      if (b.state === 'open' && b.until !== undefined && state === 'open') e.until = b.until;
      const p50 = b.latencies.p50();
      if (p50 !== undefined) e.p50LatencyMs = p50;
      out.push(e);
    };
    for (const [id, b] of this.providers) add('provider', id, b);
    for (const [id, b] of this.deployments) add('deployment', id, b);
    for (const [id, b] of this.credentials) add('credential', id, b);
    for (const [cred, perDep] of this.rateLimits) for (const [dep, b] of perDep) add('credential', `${cred}@${dep}`, b);
    return out;
  }

  /** Subscribes to state transitions (for logs); returns the unsubscribe function. */
  onChange(listener: HealthListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Cluster mode (src/cluster/redis/breakers.ts): another instance opened this breaker until
   * `open.until`, or closed it (`open` undefined). Credential-per-deployment rate entries stay local.
   */
  applyShared(level: HealthLevel, id: string, open: { until: number; reason: string; hard: boolean } | undefined, now: number): void {
    const b = this.entry(level, id, now);
    this.sharing = true;
    try {
      if (open) b.openShared(now, open.until, open.reason, open.hard);
      else b.closeShared(now);
    } finally {
      this.sharing = false;
    }
  }

  /** Whether a breaker is open on an explicit cooldown (the early probe never overrides it). */
  isHardOpen(level: HealthLevel, id: string): boolean {
    const b = this.map(level).get(id);
    return b !== undefined && b.state === 'open' && b.hard;
  }

  /** Forgets entities no longer in the config (call after a hot reload). */
  retain(ids: { providers: ReadonlySet<string>; deployments: ReadonlySet<string>; credentials: ReadonlySet<string> }): void {
    for (const id of this.providers.keys()) if (!ids.providers.has(id)) this.providers.delete(id);
    for (const id of this.deployments.keys()) if (!ids.deployments.has(id)) this.deployments.delete(id);
    for (const id of this.credentials.keys()) if (!ids.credentials.has(id)) this.credentials.delete(id);
    for (const [cred, perDep] of this.rateLimits) {
      if (!ids.credentials.has(cred)) this.rateLimits.delete(cred);
      else for (const dep of perDep.keys()) if (!ids.deployments.has(dep)) perDep.delete(dep);
    }
  }

  // ------------------------------------------------------------------ internals

  private map(level: HealthLevel): Map<string, Breaker> {
    return level === 'provider' ? this.providers : level === 'deployment' ? this.deployments : this.credentials;
  }

  private entry(level: HealthLevel, id: string, now: number): Breaker {
    const map = this.map(level);
    let b = map.get(id);
    if (b === undefined) {
      b = this.create(level, id, now);
      map.set(id, b);
    }
    return b;
  }

  private rateEntry(cred: string, dep: string, now: number): Breaker {
    let perDep = this.rateLimits.get(cred);
    if (perDep === undefined) this.rateLimits.set(cred, (perDep = new Map()));
    let b = perDep.get(dep);
    if (b === undefined) perDep.set(dep, (b = this.create('credential', `${cred}@${dep}`, now)));
    return b;
  }

  private create(level: HealthLevel, id: string, now: number): Breaker {
    const b = new Breaker(this.policies[level], (from, to, breaker, at) => this.emit(breaker, from, to, at), now);
    this.names.set(b, { level, id });
    return b;
  }

  private emit(b: Breaker, from: BreakerState, to: BreakerState, at: number): void {
    if (this.listeners.size === 0) return;
    const name = this.names.get(b);
    if (name === undefined) return;
    const change: HealthChange = { level: name.level, id: name.id, from, to, reason: b.reason, at };
    if (to === 'open' && b.until !== undefined) change.until = b.until;
    if (this.sharing) change.shared = true;
    for (const l of this.listeners) {
      try {
        l(change);
      } catch {
        // A logging listener must never break the request that caused the transition.
      }
    }
  }

  /** The (up to four) breakers an attempt passes through; undefined = never seen = closed. */
  private breakersOf(ref: AttemptRef): [Breaker | undefined, Breaker | undefined, Breaker | undefined, Breaker | undefined] {
    const cred = ref.credentialId;
    return [
      this.providers.get(ref.providerId),
      this.deployments.get(ref.deploymentId),
      cred === undefined ? undefined : this.credentials.get(cred),
      cred === undefined ? undefined : this.rateLimits.get(cred)?.get(ref.deploymentId),
    ];
  }

  private take(ref: AttemptRef, now: number, early: boolean): number {
    const breakers = this.breakersOf(ref);
    let trials = 0;
    for (let i = 0; i < breakers.length; i++) {
      const b = breakers[i];
      if (b === undefined) continue;
      if ((early ? b.probe(now) : b.acquire(now)) === 'trial') trials |= TRIAL_BITS[i]!;
    }
    return trials;
  }

  private releaseTrials(ref: AttemptRef, mask: number): void {
    const held = (ref.trials ?? 0) & mask;
    if (held === 0) return;
    const [p, d, c, r] = this.breakersOf(ref);
    if (held & T_PROVIDER) p?.release();
    if (held & T_DEPLOYMENT) d?.release();
    if (held & T_CREDENTIAL) c?.release();
    if (held & T_RATE) r?.release();
    ref.trials = (ref.trials ?? 0) & ~held;
  }
}
