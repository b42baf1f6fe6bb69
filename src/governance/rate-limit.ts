// Rate limits: requests per minute, tokens per minute and concurrent requests per scope (key,
// team, customer, agent). Windows slide in one-second buckets over the last 60 s: exact to a
// second, constant memory, and no timer. Tokens are counted at admission from the estimate and
// corrected at settlement with the real usage, in the bucket they were first counted in.

const BUCKETS = 60;
const BUCKET_MS = 1000;
export const WINDOW_MS = BUCKETS * BUCKET_MS;

/**
 * A sliding 60-second sum in one-second buckets, with a running total: reading it expires the
 * seconds that left the window since the last read (amortised O(1), no allocation), so a limited
 * caller's request does not pay a 60-bucket walk per limit.
 */
export class SlidingWindow {
  private readonly counts = new Float64Array(BUCKETS);
  /** The second each slot currently holds (a slot from an older minute counts as empty). */
  private readonly seconds = new Float64Array(BUCKETS).fill(-1);
  private total = 0;
  /** The latest second the total has been advanced to. */
  private head = -1;

  private advance(sec: number): void {
    if (sec <= this.head) return;
    if (sec - this.head >= BUCKETS) {
      // Everything expired: the slots now stand for the 60 seconds ending at `sec`.
      this.counts.fill(0);
      for (let s = sec - BUCKETS + 1; s <= sec; s++) this.seconds[((s % BUCKETS) + BUCKETS) % BUCKETS] = s;
      this.total = 0;
    } else {
      for (let s = this.head + 1; s <= sec; s++) {
        const slot = s % BUCKETS;
        if (this.seconds[slot] !== s) {
          this.total -= this.counts[slot]!;
          this.counts[slot] = 0;
          this.seconds[slot] = s;
        }
      }
    }
    this.head = sec;
    if (this.total < 1e-9) this.total = 0;
  }

  /** Sum over the 60 seconds ending at `now`. */
  used(now: number): number {
    this.advance(Math.floor(now / BUCKET_MS));
    return this.total;
  }

  /** Adds `n` (negative to correct) at `at`; a correction for a second that left the window is dropped. */
  add(n: number, at: number, now = at): void {
    const cur = Math.floor(now / BUCKET_MS);
    this.advance(cur);
    const sec = Math.floor(at / BUCKET_MS);
    if (sec <= cur - BUCKETS || sec > cur) return;
    const slot = sec % BUCKETS;
    const before = this.counts[slot]!;
    const after = Math.max(0, before + n);
    this.counts[slot] = after;
    this.total += after - before;
  }

  /** Milliseconds until the whole window's use has expired (the reset a response header shows). */
  msUntilEmpty(now: number): number {
    const cur = Math.floor(now / BUCKET_MS);
    this.advance(cur);
    if (this.total <= 0) return 0;
    // Newest second first: under steady traffic the current second is used, one step.
    for (let s = cur; s > cur - BUCKETS; s--) {
      const slot = ((s % BUCKETS) + BUCKETS) % BUCKETS;
      if (this.seconds[slot] === s && this.counts[slot]! > 0) return Math.max(0, (s + BUCKETS) * BUCKET_MS - now);
    }
    return 0;
  }

  /** Milliseconds until at least `need` of the window's use has expired (0 if nothing is needed). */
  msUntilFree(now: number, need: number): number {
    if (need <= 0) return 0;
    const cur = Math.floor(now / BUCKET_MS);
    this.advance(cur);
    let freed = 0;
    // Oldest second first: slot of second s is s % 60, for s from cur-59 to cur.
    for (let s = cur - BUCKETS + 1; s <= cur; s++) {
      const slot = ((s % BUCKETS) + BUCKETS) % BUCKETS;
      if (this.seconds[slot] !== s) continue;
      freed += this.counts[slot]!;
      if (freed >= need) return Math.max(0, (s + BUCKETS) * BUCKET_MS - now);
    }
    return WINDOW_MS;
  }
}

export interface LimitState {
  id: string;
  rpm?: number;
  tpm?: number;
  concurrency?: number;
  requests: SlidingWindow;
  tokens: SlidingWindow;
  inFlight: number;
}

export interface LimitRefusal {
  state: LimitState;
  which: 'requests' | 'tokens' | 'concurrency';
  limit: number;
  retryAfterMs: number;
}

/** Held between admission and settlement. */
export interface LimitTicket {
  /** The caller's own array (admission builds one per request), not copied. */
  states: readonly LimitState[];
  tokens: number;
  at: number;
  done: boolean;
}

/** The most constrained figures across a request's limits, for response headers. */
export interface LimitReport {
  requests?: { limit: number; remaining: number; resetMs: number };
  tokens?: { limit: number; remaining: number; resetMs: number };
}

export class RateLimiter {
  private readonly states = new Map<string, LimitState>();

  constructor(private readonly now: () => number = Date.now) {}

  ensure(id: string, spec: { rpm?: number; tpm?: number; concurrency?: number }): LimitState {
    let s = this.states.get(id);
    if (!s) {
      s = { id, requests: new SlidingWindow(), tokens: new SlidingWindow(), inFlight: 0 };
      this.states.set(id, s);
    }
    if (spec.rpm !== undefined) s.rpm = spec.rpm;
    else delete s.rpm;
    if (spec.tpm !== undefined) s.tpm = spec.tpm;
    else delete s.tpm;
    if (spec.concurrency !== undefined) s.concurrency = spec.concurrency;
    else delete s.concurrency;
    return s;
  }

  retain(ids: ReadonlySet<string>): void {
    for (const id of this.states.keys()) if (!ids.has(id)) this.states.delete(id);
  }

  /** All or nothing across every limit that applies. `tokens` is the admission estimate. */
  admit(states: readonly LimitState[], tokens: number): LimitTicket | LimitRefusal {
    const now = this.now();
    for (const s of states) {
      if (s.concurrency !== undefined && s.inFlight + 1 > s.concurrency) {
        return { state: s, which: 'concurrency', limit: s.concurrency, retryAfterMs: 1000 };
      }
      if (s.rpm !== undefined && s.requests.used(now) + 1 > s.rpm) {
        return { state: s, which: 'requests', limit: s.rpm, retryAfterMs: Math.max(1, s.requests.msUntilFree(now, s.requests.used(now) + 1 - s.rpm)) };
      }
      // A single request larger than the whole limit is admitted when the window is empty;
      // otherwise it could never run at all.
      if (s.tpm !== undefined) {
        const used = s.tokens.used(now);
        if (used > 0 && used + tokens > s.tpm) {
          return { state: s, which: 'tokens', limit: s.tpm, retryAfterMs: Math.max(1, s.tokens.msUntilFree(now, used + tokens - s.tpm)) };
        }
      }
    }
    for (const s of states) {
      s.inFlight++;
      s.requests.add(1, now);
      s.tokens.add(tokens, now);
    }
    return { states, tokens, at: now, done: false };
  }

  /** Corrects the token count with real usage and frees the concurrency slot. Idempotent. */
  settle(t: LimitTicket, actualTokens: number | undefined): void {
    if (t.done) return;
    t.done = true;
    const now = this.now();
    for (const s of t.states) {
      s.inFlight = Math.max(0, s.inFlight - 1);
      if (actualTokens !== undefined) s.tokens.add(actualTokens - t.tokens, t.at, now);
    }
  }

  report(states: readonly LimitState[]): LimitReport {
    const now = this.now();
    const out: LimitReport = {};
    for (const s of states) {
      if (s.rpm !== undefined) {
        const used = s.requests.used(now);
        const remaining = Math.max(0, s.rpm - used);
        if (!out.requests || remaining < out.requests.remaining) out.requests = { limit: s.rpm, remaining, resetMs: s.requests.msUntilEmpty(now) };
      }
      if (s.tpm !== undefined) {
        const used = s.tokens.used(now);
        const remaining = Math.max(0, s.tpm - used);
        if (!out.tokens || remaining < out.tokens.remaining) out.tokens = { limit: s.tpm, remaining, resetMs: s.tokens.msUntilEmpty(now) };
      }
    }
    return out;
  }
}

export function isLimitRefusal(r: LimitTicket | LimitRefusal): r is LimitRefusal {
  return 'which' in r;
}

/** OpenAI's reset format: `1s`, `6m0s`, `250ms`. */
export function openaiDuration(ms: number): string {
  if (ms < 1000) return `${Math.ceil(ms)}ms`;
  const s = Math.ceil(ms / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${s % 60}s`;
}

/**
 * Response headers for a limited caller: OpenAI's x-ratelimit-* and the IETF draft's
 * RateLimit-Policy / RateLimit structured fields (draft-ietf-httpapi-ratelimit-headers), as a
 * flat [name, value, ...] list.
 */
export function rateLimitHeaders(r: LimitReport): string[] {
  const q = r.requests;
  const t = r.tokens;
  // One flat list, values built once each: this runs on every response of a limited key.
  if (q && t) {
    return [
      'x-ratelimit-limit-requests', String(q.limit), 'x-ratelimit-remaining-requests', String(q.remaining), 'x-ratelimit-reset-requests', openaiDuration(q.resetMs),
      'x-ratelimit-limit-tokens', String(t.limit), 'x-ratelimit-remaining-tokens', String(t.remaining), 'x-ratelimit-reset-tokens', openaiDuration(t.resetMs),
      'ratelimit-policy', `"requests";q=${q.limit};w=60, "tokens";q=${t.limit};w=60`,
      'ratelimit', `"requests";r=${q.remaining};t=${Math.ceil(q.resetMs / 1000)}, "tokens";r=${t.remaining};t=${Math.ceil(t.resetMs / 1000)}`,
    ];
  }
  if (q) {
    return [
      'x-ratelimit-limit-requests', String(q.limit), 'x-ratelimit-remaining-requests', String(q.remaining), 'x-ratelimit-reset-requests', openaiDuration(q.resetMs),
      'ratelimit-policy', `"requests";q=${q.limit};w=60`, 'ratelimit', `"requests";r=${q.remaining};t=${Math.ceil(q.resetMs / 1000)}`,
    ];
  }
  if (t) {
    return [
      'x-ratelimit-limit-tokens', String(t.limit), 'x-ratelimit-remaining-tokens', String(t.remaining), 'x-ratelimit-reset-tokens', openaiDuration(t.resetMs),
      'ratelimit-policy', `"tokens";q=${t.limit};w=60`, 'ratelimit', `"tokens";r=${t.remaining};t=${Math.ceil(t.resetMs / 1000)}`,
    ];
  }
  return [];
}
