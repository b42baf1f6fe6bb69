// Writes ledger records behind the requests: record() only pushes onto an array; a timer
// (every 100 ms) or a full batch writes them in one transaction. A clean shutdown flushes
// everything; a SIGKILL loses at most what arrived since the last flush (one window).

import type { LedgerRecord, LedgerStore } from '../store/ledger-store.js';

export const DEFAULT_FLUSH_MS = 100;
const BATCH = 512;

export class LedgerWriter {
  private pending: LedgerRecord[] = [];
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  private closed = false;
  /** Records written since start (for tests and the admin API). */
  written = 0;
  private readonly waiters: Array<() => void> = [];

  constructor(
    readonly store: LedgerStore,
    private readonly onError: (err: unknown, lost: number) => void = () => {},
    private readonly flushMs = DEFAULT_FLUSH_MS,
  ) {}

  record(r: LedgerRecord): void {
    if (this.closed) return;
    this.pending.push(r);
    // 0: no write-behind window (cluster mode's local spool takes each record as it settles).
    if (this.flushMs === 0) {
      this.flush();
      return;
    }
    if (this.pending.length >= BATCH) this.immediate ??= setImmediate(() => this.flush());
    else this.timer ??= setTimeout(() => this.flush(), this.flushMs);
  }

  get pendingCount(): number {
    return this.pending.length;
  }

  flush(): number {
    if (this.timer) clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.timer = undefined;
    this.immediate = undefined;
    const batch = this.pending;
    if (batch.length > 0) {
      this.pending = [];
      try {
        this.store.append(batch);
        this.written += batch.length;
      } catch (err) {
        this.onError(err, batch.length);
      }
    }
    for (const w of this.waiters.splice(0)) w();
    return batch.length;
  }

  /** Resolves after the next flush (tests wait on this instead of sleeping). */
  flushed(): Promise<void> {
    if (this.pending.length === 0) return Promise.resolve();
    return new Promise((r) => this.waiters.push(r));
  }

  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
  }
}
