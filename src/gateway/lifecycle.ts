// The lifecycle of one snapshot: the extensions that are enabled under it, composed once. The
// data plane asks `lifecycles.for(snapshot)` per request (a WeakMap hit); a reload builds the
// next one lazily on its first request. The router's health is the first attempt observer and
// the request line the last after-hook, so neither needs a call site of its own.

import type { Snapshot } from '../config/snapshot.js';
import type { Logger } from '../telemetry/log.js';
import { writeRequestLine } from '../telemetry/request-line.js';
import type { Call, Caller } from './call.js';
import { compose, type Composed } from './compose.js';
import type { AttemptInterceptor, AttemptObserver, Extension, StreamTap } from './extension.js';
import type { Router } from './router.js';

export interface Lifecycle {
  readonly authenticators: ReadonlyArray<(presentedKey: string | undefined, call: Call) => Caller | undefined>;
  /** The stages, composed: `run(call, produce)`. */
  readonly run: Composed;
  readonly observers: readonly AttemptObserver[];
  readonly interceptors: readonly AttemptInterceptor[];
  /** Per-call tap factories; empty for most snapshots. */
  readonly taps: ReadonlyArray<(call: Call) => StreamTap | undefined>;
  /** Runs every after-hook once; a throwing hook is logged and the others still run. */
  after(call: Call): void;
}

/** The router as the first observer: health and latency feed on every verdict. */
export function routerObserver(router: Router): AttemptObserver {
  return {
    started: (_c, a) => router.started(a),
    succeeded: (_c, a, latencyMs, ttftMs, now) => router.succeeded(a, latencyMs, ttftMs, now),
    failed: (_c, a, err, now) => router.failed(a, err, now),
    abandoned: (_c, a) => router.abandoned(a),
  };
}

export class Lifecycles {
  private readonly built = new WeakMap<Snapshot, Lifecycle>();

  constructor(
    private readonly router: Router,
    private readonly log: Logger,
    private readonly extensions: readonly Extension[] = [],
  ) {}

  for(snapshot: Snapshot): Lifecycle {
    let l = this.built.get(snapshot);
    if (l === undefined) this.built.set(snapshot, (l = this.build(snapshot)));
    return l;
  }

  private build(snapshot: Snapshot): Lifecycle {
    const active = this.extensions.filter((e) => e.enabled === undefined || e.enabled(snapshot));
    const log = this.log;
    const hooks: Array<(call: Call) => void> = [];
    for (const e of active) if (e.after) hooks.push(e.after.bind(e));
    const names = active.filter((e) => e.after).map((e) => e.name);
    return {
      authenticators: active.flatMap((e) => (e.authenticate ? [e.authenticate.bind(e)] : [])),
      run: compose(active.flatMap((e) => (e.stage ? [e.stage] : []))),
      observers: [routerObserver(this.router), ...active.flatMap((e) => (e.observer ? [e.observer] : []))],
      interceptors: active.flatMap((e) => (e.interceptor ? [e.interceptor] : [])),
      taps: active.flatMap((e) => (e.tap ? [e.tap.bind(e)] : [])),
      after(call) {
        for (let i = 0; i < hooks.length; i++) {
          try {
            hooks[i]!(call);
          } catch (err) {
            log.error({ request_id: call.ex.requestId, hook: names[i], err: err instanceof Error ? err.stack : String(err) }, 'after-hook failed');
          }
        }
        writeRequestLine(log, call);
      },
    };
  }
}
