// Upstream attempts for the metrics extension's attempt observer: `modelplane_attempts_total`
// by verdict and code, and the GenAI client operation duration. Cells are kept per (deployment
// object, endpoint), so an attempt's verdict is a WeakMap hit, a Map hit and an addition.

import type { DeploymentSnapshot } from '../config/snapshot.js';
import type { Call } from '../gateway/call.js';
import type { Attempt } from '../routing/index.js';
import type { GatewayError } from '../spec/errors.js';
import type { Cell, FastCounter, FastHistogram, HistogramCell } from './fast-series.js';
import { NONE } from './label-guard.js';

/** Upstream attempt cells of one deployment and operation. */
interface AttemptCells {
  success: Cell;
  abandoned: Cell;
  failure: Map<string, Cell>;
  durationOk?: HistogramCell;
  durationByError: Map<string, HistogramCell>;
}

/** The GenAI operation of an endpoint (as gateway-metrics' operationName, without the import cycle). */
const operationName = (call: Call): string | undefined => (call.endpoint === 'chat' || call.endpoint === 'embeddings' ? call.endpoint : undefined);

const T0 = Symbol('metrics.firstAttemptStart');
const A0 = Symbol('metrics.firstAttempt');

export class AttemptMetrics {
  private readonly cells = new WeakMap<DeploymentSnapshot, Map<string, AttemptCells>>();
  /** Start times of attempts after a call's first (retries, hedges, fallbacks): rare. */
  private readonly laterStarts = new WeakMap<Attempt, number>();

  constructor(
    private readonly attempts: FastCounter,
    private readonly duration: FastHistogram,
  ) {}

  started(call: Call, a: Attempt, now: number): void {
    // The first attempt's start lives on the call; a WeakMap entry per attempt costs GC time.
    if (call[A0] === undefined) {
      call[A0] = a;
      call[T0] = now;
    } else this.laterStarts.set(a, now);
  }

  private cellsOf(call: Call, d: DeploymentSnapshot): AttemptCells {
    let byOp = this.cells.get(d);
    if (byOp === undefined) this.cells.set(d, (byOp = new Map()));
    let c = byOp.get(call.endpoint);
    if (c === undefined) {
      const op = operationName(call);
      byOp.set(
        call.endpoint,
        (c = {
          success: this.attempts.cell(d.id, d.provider.id, 'success', NONE),
          abandoned: this.attempts.cell(d.id, d.provider.id, 'abandoned', NONE),
          failure: new Map(),
          ...(op === undefined ? {} : { durationOk: this.duration.cell(op, d.provider.id, d.model, d.model, NONE) }),
          durationByError: new Map(),
        }),
      );
    }
    return c;
  }

  /** A successful attempt: its latency comes with the verdict. */
  succeeded(call: Call, a: Attempt, latencyMs: number): void {
    const c = this.cellsOf(call, a.deployment);
    c.success.value++;
    if (c.durationOk !== undefined) this.duration.observe(c.durationOk, latencyMs / 1000);
  }

  failed(call: Call, a: Attempt, err: GatewayError, now: number): void {
    const d = a.deployment;
    const c = this.cellsOf(call, d);
    const code = err.code;
    let f = c.failure.get(code);
    if (f === undefined) c.failure.set(code, (f = this.attempts.cell(d.id, d.provider.id, 'failure', code)));
    f.value++;
    const t0 = call[A0] === a ? (call[T0] as number) : this.laterStarts.get(a);
    const op = operationName(call);
    if (t0 === undefined || op === undefined) return;
    let h = c.durationByError.get(code);
    if (h === undefined) c.durationByError.set(code, (h = this.duration.cell(op, d.provider.id, d.model, d.model, code)));
    this.duration.observe(h, (now - t0) / 1000);
  }

  abandoned(call: Call, a: Attempt): void {
    this.cellsOf(call, a.deployment).abandoned.value++;
  }
}
