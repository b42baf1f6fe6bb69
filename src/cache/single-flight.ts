// Single-flight: identical concurrent misses (same exact key, which includes the tenant scope)
// make one upstream call. The first request becomes the leader; the others become followers and
// wait for the leader's answer. A leader that fails (upstream error, client gone, answer not
// cacheable) settles its followers with `undefined`, and each follower asks again: the first to
// ask becomes the new leader, so followers are never failed with a leader, and a retry storm
// still makes one call at a time.
//
// A leader may also `publish` a live value while it works (a streaming answer's live feed,
// live-feed.ts): followers that want it get it as soon as it is published (`live`), the others
// keep waiting for the final value.

export type Ticket<T, L = never> =
  | {
      leader: true;
      /** Hands the answer to every follower and ends the flight. */
      resolve(value: T): void;
      /** Ends the flight; followers try again. */
      release(): void;
      /** Offers followers a live value before the answer is complete (at most once). */
      publish(live: L): void;
    }
  | {
      leader: false;
      wait: Promise<T | undefined>;
      /** The leader's live value once published; undefined when the flight ended without one. */
      live: Promise<L | undefined>;
    };

interface Flight<T, L> {
  promise: Promise<T | undefined>;
  settle(v: T | undefined): void;
  live: Promise<L | undefined>;
  settleLive(l: L | undefined): void;
  followers: number;
}

export class SingleFlight<T, L = never> {
  private readonly flights = new Map<string, Flight<T, L>>();
  /** Followers that were served by a leader's answer (the upstream calls saved). */
  joined = 0;
  /** Followers waiting for a leader right now. */
  waiting = 0;

  get inFlight(): number {
    return this.flights.size;
  }

  begin(key: string): Ticket<T, L> {
    const f = this.flights.get(key);
    if (f !== undefined) {
      f.followers++;
      this.waiting++;
      return { leader: false, wait: f.promise.finally(() => this.waiting--), live: f.live };
    }
    let settle!: (v: T | undefined) => void;
    const promise = new Promise<T | undefined>((r) => (settle = r));
    let settleLive!: (l: L | undefined) => void;
    const live = new Promise<L | undefined>((r) => (settleLive = r));
    const flight: Flight<T, L> = { promise, settle, live, settleLive, followers: 0 };
    this.flights.set(key, flight);
    let done = false;
    const end = (v: T | undefined): void => {
      if (done) return;
      done = true;
      if (this.flights.get(key) === flight) this.flights.delete(key);
      if (v !== undefined) this.joined += flight.followers;
      flight.settleLive(undefined);
      flight.settle(v);
    };
    return { leader: true, resolve: (v) => end(v), release: () => end(undefined), publish: (l) => flight.settleLive(l) };
  }
}

/**
 * Runs `lead` at most once at a time per key: followers get the leader's value; when a leader
 * yields `undefined` or throws, waiting followers retry (one of them leads). The leader's own
 * error is the leader's alone.
 */
export async function singleFlight<T>(sf: SingleFlight<T>, key: string, lead: () => Promise<T | undefined>): Promise<{ value: T | undefined; shared: boolean }> {
  for (;;) {
    const t = sf.begin(key);
    if (t.leader) {
      let v: T | undefined;
      try {
        v = await lead();
      } finally {
        if (v === undefined) t.release();
        else t.resolve(v);
      }
      return { value: v, shared: false };
    }
    const v = await t.wait;
    if (v !== undefined) return { value: v, shared: true };
  }
}
