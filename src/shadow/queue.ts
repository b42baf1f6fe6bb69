// A bounded mirror queue per route: at most `maxInFlight` mirrors run at once and `queue` wait;
// anything beyond is dropped at once and counted, so a slow candidate costs the gateway a fixed
// amount of memory and never a primary's time.
export interface Limits {
  maxInFlight: number;
  queue: number;
}

export class MirrorQueue {
  private inFlight = 0;
  private readonly waiting: Array<{ label: string; job: () => Promise<void> }> = [];
  private idleWaiters: Array<() => void> = [];

  /** Queues a job; false when it was dropped. */
  offer(label: string, job: () => Promise<void>, limits: Limits): boolean {
    if (this.inFlight < limits.maxInFlight) {
      this.start(job, limits);
      return true;
    }
    if (this.waiting.length >= limits.queue) return false;
    this.waiting.push({ label, job });
    return true;
  }

  /** Drops every waiting job; returns their labels. */
  clear(): string[] {
    return this.waiting.splice(0).map((w) => w.label);
  }

  get size(): { inFlight: number; waiting: number } {
    return { inFlight: this.inFlight, waiting: this.waiting.length };
  }

  private start(job: () => Promise<void>, limits: Limits): void {
    this.inFlight++;
    void job()
      .catch(() => undefined)
      .finally(() => {
        this.inFlight--;
        const next = this.waiting.shift();
        if (next) this.start(next.job, limits);
        if (this.inFlight === 0 && this.waiting.length === 0) {
          const w = this.idleWaiters;
          this.idleWaiters = [];
          for (const r of w) r();
        }
      });
  }

  /** Resolves when nothing runs or waits (tests, shutdown). */
  idle(): Promise<void> {
    if (this.inFlight === 0 && this.waiting.length === 0) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }
}
