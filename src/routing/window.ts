// A time-bucketed ring: the last `windowMs` split into `buckets` slots, each tagged with the
// bucket number it holds. Recording is O(1) and allocation-free; reading sums the live slots
// (O(buckets), 10 by default). A slot whose tag is stale is treated as empty and reset lazily
// on the next write, so an idle deployment needs no timer to forget old samples.
//
// Granularity: with 60 s in 10 buckets, the window covers the current bucket plus the nine
// before it, i.e. between 54 and 60 s of history.

export class SlidingWindow {
  readonly windowMs: number;
  readonly bucketMs: number;
  private readonly n: number;
  private readonly tags: Float64Array;
  private readonly count: Float64Array;
  private readonly errors: Float64Array;
  private readonly latencySum: Float64Array;
  private readonly latencyN: Float64Array;
  private readonly ttftSum: Float64Array;
  private readonly ttftN: Float64Array;

  constructor(windowMs = 60_000, buckets = 10) {
    if (!(windowMs > 0) || !(buckets >= 1)) throw new RangeError('window and bucket count must be positive');
    this.windowMs = windowMs;
    this.n = Math.floor(buckets);
    this.bucketMs = windowMs / this.n;
    this.tags = new Float64Array(this.n).fill(-Infinity);
    this.count = new Float64Array(this.n);
    this.errors = new Float64Array(this.n);
    this.latencySum = new Float64Array(this.n);
    this.latencyN = new Float64Array(this.n);
    this.ttftSum = new Float64Array(this.n);
    this.ttftN = new Float64Array(this.n);
  }

  /** Records one request outcome. `latencyMs` / `ttftMs` are optional (NaN or undefined = unknown). */
  add(now: number, ok: boolean, latencyMs?: number, ttftMs?: number): void {
    const tag = Math.floor(now / this.bucketMs);
    const slot = ((tag % this.n) + this.n) % this.n;
    if (this.tags[slot] !== tag) {
      this.tags[slot] = tag;
      this.count[slot] = 0;
      this.errors[slot] = 0;
      this.latencySum[slot] = 0;
      this.latencyN[slot] = 0;
      this.ttftSum[slot] = 0;
      this.ttftN[slot] = 0;
    }
    this.count[slot]! += 1;
    if (!ok) this.errors[slot]! += 1;
    if (latencyMs !== undefined && latencyMs >= 0) {
      this.latencySum[slot]! += latencyMs;
      this.latencyN[slot]! += 1;
    }
    if (ttftMs !== undefined && ttftMs >= 0) {
      this.ttftSum[slot]! += ttftMs;
      this.ttftN[slot]! += 1;
    }
  }

  /** Forgets everything (a breaker closing starts from a clean slate). */
  reset(): void {
    this.tags.fill(-Infinity);
  }

  requests(now: number): number {
    return this.sum(this.count, now);
  }

  errorCount(now: number): number {
    return this.sum(this.errors, now);
  }

  /** Errors / requests over the window; 0 when there were no requests. */
  errorRate(now: number): number {
    const n = this.sum(this.count, now);
    return n === 0 ? 0 : this.sum(this.errors, now) / n;
  }

  /** Mean total latency over the window, or undefined with no samples. */
  meanLatency(now: number): number | undefined {
    const n = this.sum(this.latencyN, now);
    return n === 0 ? undefined : this.sum(this.latencySum, now) / n;
  }

  /** Mean time to first token over the window, or undefined with no samples. */
  meanTtft(now: number): number | undefined {
    const n = this.sum(this.ttftN, now);
    return n === 0 ? undefined : this.sum(this.ttftSum, now) / n;
  }

  private sum(values: Float64Array, now: number): number {
    const current = Math.floor(now / this.bucketMs);
    const oldest = current - this.n;
    let total = 0;
    for (let i = 0; i < this.n; i++) {
      const tag = this.tags[i]!;
      if (tag > oldest && tag <= current) total += values[i]!;
    }
    return total;
  }
}

/**
 * The last `size` latency samples, for a p50 on the admin API. Recording is O(1); the median is
 * computed only when asked (a copy and a sort of at most `size` numbers), never on the hot path.
 */
export class LatencyReservoir {
  private readonly values: Float64Array;
  private next = 0;
  private filled = 0;

  constructor(size = 64) {
    this.values = new Float64Array(size);
  }

  add(latencyMs: number): void {
    this.values[this.next] = latencyMs;
    this.next = (this.next + 1) % this.values.length;
    if (this.filled < this.values.length) this.filled++;
  }

  /** Median of the retained samples, or undefined when empty. */
  p50(): number | undefined {
    if (this.filled === 0) return undefined;
    const sorted = this.values.slice(0, this.filled).sort();
    const mid = this.filled >> 1;
    return this.filled % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  }
}
