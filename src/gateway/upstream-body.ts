// The body of a streaming upstream response, as the formats' parseStream reads it: an async
// iterable of network chunks that undici's handler callbacks (gateway/upstream.ts StreamCall)
// feed, with backpressure, a transport-error hook and an idempotent release.

import { GatewayError } from '../spec/errors.js';
import { DEFAULT_UPSTREAM_LIMITS, LIMIT_CONFIG_KEYS, type UpstreamLimits } from '../spec/limits.js';

/** Above this many unread bytes the socket is paused until the consumer catches up. */
const HIGH_WATER_BYTES = 256 * 1024;

/**
 * The error that ends an attempt whose upstream sent more than a limit allows. The deployment
 * misbehaved (it counts against its health) and another one may answer normally: retryable.
 */
export function tooLargeError(limit: 'maxBodyBytes' | 'maxEventBytes' | 'maxStreamBytes', max: number): GatewayError {
  const what = limit === 'maxBodyBytes' ? 'response body' : limit === 'maxEventBytes' ? 'stream event (line)' : 'stream';
  return new GatewayError('upstream_protocol', `upstream ${what} exceeds ${max} bytes (${LIMIT_CONFIG_KEYS[limit]}); the attempt was aborted`);
}

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
  /** Bytes received so far, and bytes since the last line feed (an SSE event is lines). */
  private total = 0;
  private sinceLf = 0;

  constructor(
    private readonly abortUpstream: (e: Error) => void,
    private readonly resumeUpstream: () => void,
    private readonly limits: UpstreamLimits = DEFAULT_UPSTREAM_LIMITS,
  ) {}

  /** From undici: false asks it to pause the socket. */
  push(chunk: Buffer): boolean {
    if (this.destroyed || this.error) return true;
    this.total += chunk.length;
    // Bounds on what one upstream can make us hold: the whole stream, and one line of it (a
    // line that never ends would grow the SSE parser's buffer without limit). Binary streams
    // (Bedrock's eventstream) contain LF bytes every few hundred bytes by chance, and carry
    // their own per-message bound.
    const lf = chunk.lastIndexOf(10);
    // The longest line this chunk ends or continues (lines wholly inside one socket read are
    // shorter than the read, which is far below the limit).
    const longest = lf === -1 ? this.sinceLf + chunk.length : Math.max(this.sinceLf + chunk.indexOf(10), chunk.length - lf - 1);
    this.sinceLf = lf === -1 ? this.sinceLf + chunk.length : chunk.length - lf - 1;
    if (this.total > this.limits.maxStreamBytes) {
      this.overflow(tooLargeError('maxStreamBytes', this.limits.maxStreamBytes));
      return true;
    }
    if (longest > this.limits.maxEventBytes) {
      this.overflow(tooLargeError('maxEventBytes', this.limits.maxEventBytes));
      return true;
    }
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

  /** A limit was crossed: drop what is queued, fail the reader, close the connection. */
  private overflow(e: GatewayError): void {
    this.queue = [];
    this.queued = 0;
    this.fail(e);
    this.abortUpstream(e);
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

  /** The whole body as text (error responses), under the buffered-body limit. */
  async text(): Promise<string> {
    const parts: Buffer[] = [];
    let size = 0;
    for (let r = await this.next(); !r.done; r = await this.next()) {
      size += r.value.length;
      if (size > this.limits.maxBodyBytes) {
        const e = tooLargeError('maxBodyBytes', this.limits.maxBodyBytes);
        this.destroy(e);
        throw e;
      }
      parts.push(r.value);
    }
    return Buffer.concat(parts).toString('utf8');
  }
}

