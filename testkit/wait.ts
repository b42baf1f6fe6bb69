// Waiting on events, not on the clock: a test that sleeps "long enough" either wastes time or
// flakes on a busy machine. An EventLog records items as they happen (log lines, simulator
// lines, recorded requests) and resolves a waiter the moment a matching one arrives.

/**
 * A liveness guard only: a wait that is still pending this long means the event will never come
 * (a bug), and the test should fail with what it was waiting for instead of hanging the suite. It
 * is no bound on how fast anything must be; no correct run comes near it.
 */
export const HANG_GUARD_MS = 30_000;

interface Waiter<T> {
  match: (item: T) => boolean;
  resolve: (item: T) => void;
}

export class EventLog<T> {
  readonly items: T[] = [];
  private waiters: Waiter<T>[] = [];

  push(item: T): void {
    this.items.push(item);
    if (this.waiters.length === 0) return;
    const still: Waiter<T>[] = [];
    for (const w of this.waiters) {
      if (w.match(item)) w.resolve(item);
      else still.push(w);
    }
    this.waiters = still;
  }

  /**
   * The first item matching `match`, among those seen so far (from index `from`: pass
   * `items.length` taken earlier to ignore what came before) or, if none, the next to arrive.
   */
  waitFor(match: (item: T) => boolean, what = 'a matching event', from = 0): Promise<T> {
    const seen = this.items.slice(from).find(match);
    if (seen !== undefined) return Promise.resolve(seen);
    return this.next(match, what);
  }

  /** The next item matching `match` that arrives from now on (items already seen are ignored). */
  next(match: (item: T) => boolean, what = 'a matching event'): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const guard = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`waited ${HANG_GUARD_MS} ms for ${what}; it never came`));
      }, HANG_GUARD_MS);
      guard.unref();
      const waiter: Waiter<T> = {
        match,
        resolve: (item) => {
          clearTimeout(guard);
          resolve(item);
        },
      };
      this.waiters.push(waiter);
    });
  }

  /** Waits until `count` items match (already seen ones included); returns them. */
  async waitForCount(match: (item: T) => boolean, count: number, what = `${count} matching events`): Promise<T[]> {
    for (;;) {
      const found = this.items.filter(match);
      if (found.length >= count) return found;
      await this.next(match, what);
    }
  }
}
