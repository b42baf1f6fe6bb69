// The body of a streaming upstream response, as the formats' parseStream reads it: an async
// iterable of network chunks that undici's handler callbacks (gateway/upstream.ts StreamCall)
// feed, with backpressure, a transport-error hook and an idempotent release.

/** Above this many unread bytes the socket is paused until the consumer catches up. */
const HIGH_WATER_BYTES = 256 * 1024;

/**
 * A streaming response body: an async iterable of network chunks, fed by undici's handler
 * callbacks. It replaces undici's Readable + its async iterator, which cost several promises and
 * stream-machinery calls per chunk. Chunks that queue up while the consumer is busy are handed
 * over together, in one iteration step.
 */
export class UpstreamBody implements AsyncIterable<Buffer> {
  destroyed = false;
  private queue: Buffer[] = [];
  private queued = 0;
  private ended = false;
  private error: Error | undefined;
  private wake: (() => void) | undefined;
  private paused = false;
  private onError: Array<(e: Error) => void> | undefined;

  constructor(
    private readonly abortUpstream: (e: Error) => void,
    private readonly resumeUpstream: () => void,
  ) {}

  /** From undici: false asks it to pause the socket. */
  push(chunk: Buffer): boolean {
    if (this.destroyed) return true;
    this.queue.push(chunk);
    this.queued += chunk.length;
    this.notify();
    if (this.queued < HIGH_WATER_BYTES) return true;
    this.paused = true;
    return false;
  }

  end(): void {
    this.ended = true;
    this.notify();
  }

  fail(e: Error): void {
    if (this.ended || this.error) return;
    this.error = e;
    const l = this.onError;
    this.onError = undefined;
    if (l) for (const fn of l) fn(e);
    this.notify();
  }

  /** Stops reading and releases the connection (undici closes it). */
  destroy(e?: Error): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.queue = [];
    this.queued = 0;
    if (!this.ended && !this.error) {
      const err = e ?? new Error('upstream body released');
      this.error = err;
      this.abortUpstream(err);
    }
    this.notify();
  }

  /** Like a Readable's `once('error')`: the transport failure that ended the body, if any. */
  once(event: 'error', fn: (e: Error) => void): this {
    if (event === 'error') (this.onError ??= []).push(fn);
    return this;
  }

  private notify(): void {
    const w = this.wake;
    if (w) {
      this.wake = undefined;
      w();
    }
  }

  /** Everything queued so far, as one buffer (several chunks are merged). */
  private take(): Buffer {
    const q = this.queue;
    const out = q.length === 1 ? q[0]! : Buffer.concat(q, this.queued);
    this.queue = [];
    this.queued = 0;
    if (this.paused) {
      this.paused = false;
      this.resumeUpstream();
    }
    return out;
  }

  async next(): Promise<IteratorResult<Buffer>> {
    for (;;) {
      if (this.queue.length > 0) return { value: this.take(), done: false };
      if (this.destroyed) return { value: undefined, done: true }; // released by the consumer
      if (this.error) throw this.error;
      if (this.ended) return { value: undefined, done: true };
      await new Promise<void>((r) => (this.wake = r));
    }
  }

  [Symbol.asyncIterator](): AsyncIterator<Buffer> {
    return {
      next: () => this.next(),
      return: async () => {
        this.destroy();
        return { value: undefined, done: true };
      },
    };
  }

  /** The whole body as text (error responses). */
  async text(): Promise<string> {
    const parts: Buffer[] = [];
    for (let r = await this.next(); !r.done; r = await this.next()) parts.push(r.value);
    return Buffer.concat(parts).toString('utf8');
  }
}

