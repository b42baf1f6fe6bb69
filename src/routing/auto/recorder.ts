// Write-behind for the auto router's decisions: a request's decision is pushed to a queue (O(1))
// and written to the router store in batches from a timer, so a chat request never waits on the
// disk. The most recent decisions also stay in memory with their feature vectors, so feedback
// that arrives soon after the answer (the usual case) can take the vector along as a training
// example without the gateway storing a vector for every request.

import type { Decision, Label, SparseVector, SqliteRouterStore } from './router-store.js';

export interface RecentDecision extends Decision {
  /** The request's feature vector (the one the router scored: kept by reference, not copied). */
  vector?: Float64Array;
  /** The featurizer that made it (the route's router's). */
  featurizer?: string;
}

export function sparse(v: Float64Array): SparseVector {
  const i: number[] = [];
  const x: number[] = [];
  for (let k = 0; k < v.length; k++) {
    const a = v[k]!;
    if (a !== 0) {
      i.push(k);
      x.push(Math.round(a * 1e6) / 1e6);
    }
  }
  return { dims: v.length, i, v: x };
}

/** The recorded decision's vector as stored with a label. */
export const sparseOf = (d: RecentDecision): SparseVector | undefined => (d.vector === undefined ? undefined : sparse(d.vector));

export function dense(s: SparseVector): Float64Array {
  const v = new Float64Array(s.dims);
  for (let k = 0; k < s.i.length; k++) v[s.i[k]!] = s.v[k]!;
  return v;
}

export interface RecorderOptions {
  store: SqliteRouterStore;
  /** Decisions kept in memory (with vectors) for feedback. */
  recent?: number;
  flushMs?: number;
  onError?: (e: unknown) => void;
}

/** Rows per write of the timer's flush (~5 µs a row in a batch). */
const CHUNK = 100;

export class DecisionRecorder {
  private queue: Decision[] = [];
  private draining = false;
  private closed = false;
  private readonly recent = new Map<string, RecentDecision>();
  private readonly cap: number;
  private readonly timer: NodeJS.Timeout | undefined;

  constructor(private readonly o: RecorderOptions) {
    // 2000 vectors of 528 doubles: ~8 MB, minutes of feedback at moderate traffic.
    this.cap = o.recent ?? 2000;
    // Small batches often: a flush runs on the event loop, and a second's worth of rows at a few
    // thousand requests a second would stall it for milliseconds.
    const ms = o.flushMs ?? 200;
    this.timer = ms > 0 ? setInterval(() => this.drain(), ms) : undefined;
    this.timer?.unref();
  }

  /** O(1), no copy: the row is written by the next flush; the vector stays only in memory. */
  record(d: RecentDecision): void {
    this.queue.push(d);
    this.recent.set(d.requestId, d);
    if (this.recent.size > this.cap) this.recent.delete(this.recent.keys().next().value!);
  }

  /** A decision by request id: from memory (with its vector) or from the store (without). */
  find(requestId: string): RecentDecision | undefined {
    return this.recent.get(requestId) ?? this.o.store.decision(requestId);
  }

  label(l: Label): void {
    this.flush(); // the label's decision row first, so the two are consistent on disk
    this.o.store.putLabel(l);
  }

  /** Writes everything queued (at feedback and close). */
  flush(): void {
    if (this.queue.length === 0) return;
    const rows = this.queue;
    this.queue = [];
    this.write(rows);
  }

  /**
   * The timer's flush: at most CHUNK rows per turn of the event loop, the rest after it yields, so
   * a busy second's rows never stall requests for more than a chunk's write (~0.5 ms).
   */
  private drain(): void {
    if (this.queue.length === 0 || this.draining) return;
    this.draining = true;
    const step = (): void => {
      if (this.closed) return; // close() wrote the rest
      this.write(this.queue.splice(0, CHUNK));
      if (this.queue.length > 0) setImmediate(step);
      else this.draining = false;
    };
    step();
  }

  private write(rows: readonly Decision[]): void {
    try {
      this.o.store.appendDecisions(rows);
    } catch (e) {
      this.o.onError?.(e);
    }
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.flush();
    this.closed = true;
    this.o.store.close();
  }
}
