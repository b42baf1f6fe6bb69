// A live tee of a streaming miss: single-flight followers of a streaming leader receive its
// events as the leader's stream produces them, from the start, each in its own client format
// (the stage hands them canonical events; their ingress format encodes them).
//
// Backpressure: the leader only appends to one shared log and never waits for anyone; each
// follower reads the log at its own pace (the renderer waits for its socket to drain), so a slow
// follower lags behind without slowing the leader or costing memory of its own. The log is the
// only memory, bounded by `maxBytes` (the cache's largest entry): a stream that outgrows it stops
// being shared, and a follower that reaches the cut gets a clear error instead of a truncation.
//
// A follower joins only once the log holds content (the lookup waits for `publish`), so a leader
// that fails before any content releases its followers to retry as leaders; one that fails
// mid-stream ends its followers' streams with an error that says so.

import type { CanonicalEvent } from '../spec/canonical.js';
import { GatewayError } from '../spec/errors.js';
import type { CachedAnswer } from './answer.js';

type FeedState = 'open' | 'done' | 'failed' | 'overflow';

/** A rough size of an event in memory (its strings, UTF-16, plus object overhead). */
function eventBytes(e: CanonicalEvent): number {
  switch (e.type) {
    case 'text-delta':
      return 64 + e.text.length * 2;
    case 'reasoning-delta':
      return 64 + (e.text.length + (e.signature?.length ?? 0) + (e.redacted?.length ?? 0)) * 2;
    case 'tool-call-delta':
      return 64 + e.argumentsDelta.length * 2;
    default:
      return 128;
  }
}

export class LiveFeed {
  private readonly events: CanonicalEvent[] = [];
  private bytes = 0;
  private state: FeedState = 'open';
  private wakers: Array<() => void> = [];
  private contentSeen = false;
  /** The finished answer (with what it cost) once the leader completed it; undefined if it did not. */
  readonly done: Promise<CachedAnswer | undefined>;
  private resolveDone!: (a: CachedAnswer | undefined) => void;
  /** Called once, when the log first holds content (the single-flight ticket's `publish`). */
  onContent: (() => void) | undefined;

  constructor(private readonly maxBytes: number) {
    this.done = new Promise((r) => (this.resolveDone = r));
  }

  /** The leader's tap: synchronous, never waits. */
  push(e: CanonicalEvent): void {
    if (this.state !== 'open') return;
    // The leader's own error: followers get one that says what they shared (follow()).
    if (e.type === 'error') return this.settle('failed');
    this.bytes += eventBytes(e);
    if (this.bytes > this.maxBytes) {
      this.settle('overflow');
      return;
    }
    this.events.push(e);
    if (!this.contentSeen && e.type !== 'message-start') {
      this.contentSeen = true;
      this.onContent?.();
    }
    this.wake();
  }

  /** The leader's stream ended: cleanly with its answer, or not (`undefined`). */
  end(answer: CachedAnswer | undefined): void {
    this.resolveDone(answer);
    if (this.state === 'open') this.settle(answer !== undefined ? 'done' : 'failed');
  }

  private settle(s: FeedState): void {
    this.state = s;
    this.wake();
  }

  private wake(): void {
    if (this.wakers.length === 0) return;
    const w = this.wakers;
    this.wakers = [];
    for (const f of w) f();
  }

  /**
   * One follower's stream: every event from the start, then live ones, with the follower's own
   * response id (`rename` of the leader's). Ends after the leader's last event once the leader has completed; ends with an
   * error event when the leader failed mid-stream or the stream outgrew the shared log.
   */
  async *follow(rename: (leaderId: string) => string, created: number): AsyncGenerator<CanonicalEvent> {
    let i = 0;
    for (;;) {
      while (i < this.events.length) {
        const e = this.events[i++]!;
        yield e.type === 'message-start' ? { ...e, id: rename(e.id), created } : e;
      }
      if (this.state !== 'open') break;
      await new Promise<void>((r) => this.wakers.push(r));
    }
    if (this.state === 'done') return;
    const message =
      this.state === 'overflow'
        ? 'this request shared the stream of an identical concurrent request (single-flight), which grew too large to share; retry it'
        : 'this request shared the stream of an identical concurrent request (single-flight), which failed mid-way; retry it';
    yield { type: 'error', error: new GatewayError('stream_interrupted', message) };
  }
}
