// Counters, gauges and histograms whose recording is a property addition. prom-client hashes
// and validates the labels on every `inc` / `observe`, even through a bound child, which costs
// microseconds per request at the gateway's rates. These keep one cell per label tuple (the
// caller holds on to the cell) and hand prom-client's Registry the values only when /metrics is
// scraped: they implement the registry's metric interface (`name`, `help`, `type`, `get()`).

import type { Registry } from 'prom-client';

export interface Cell {
  value: number;
}

export interface HistogramCell {
  /** Per-bucket counts (not cumulative); the last slot is +Inf. */
  counts: Float64Array;
  sum: number;
  count: number;
}

interface Child<C> {
  labels: Record<string, string>;
  cell: C;
}

export interface MetricValue {
  labels: Record<string, string>;
  value: number;
  metricName?: string;
}

abstract class Series<C> {
  protected readonly children = new Map<string, Child<C>>();

  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[],
    registry: Registry,
  ) {
    // The registry reads name, help, type and get(); the cast is the one place we rely on that.
    registry.registerMetric(this as unknown as Parameters<Registry['registerMetric']>[0]);
  }

  abstract readonly type: string;
  protected abstract fresh(): C;

  /** The cell for these label values (positional, in `labelNames` order). Keep it: lookups build a key. */
  cell(...values: string[]): C {
    const key = values.join('\u001f');
    let c = this.children.get(key);
    if (c === undefined) {
      const labels: Record<string, string> = {};
      for (let i = 0; i < this.labelNames.length; i++) labels[this.labelNames[i]!] = values[i] ?? '';
      this.children.set(key, (c = { labels, cell: this.fresh() }));
    }
    return c.cell;
  }

  reset(): void {
    this.children.clear();
  }

  protected abstract values(): MetricValue[];

  get(): { name: string; help: string; type: string; values: MetricValue[]; aggregator: string } {
    return { name: this.name, help: this.help, type: this.type, values: this.values(), aggregator: 'sum' };
  }
}

export class FastCounter extends Series<Cell> {
  readonly type = 'counter';
  protected fresh(): Cell {
    return { value: 0 };
  }
  protected values(): MetricValue[] {
    return [...this.children.values()].map((c) => ({ labels: c.labels, value: c.cell.value }));
  }
}

export class FastGauge extends Series<Cell> {
  readonly type = 'gauge';
  protected fresh(): Cell {
    return { value: 0 };
  }
  protected values(): MetricValue[] {
    return [...this.children.values()].map((c) => ({ labels: c.labels, value: c.cell.value }));
  }
}

export class FastHistogram extends Series<HistogramCell> {
  readonly type = 'histogram';

  constructor(name: string, help: string, labelNames: readonly string[], readonly buckets: readonly number[], registry: Registry) {
    super(name, help, labelNames, registry);
  }

  protected fresh(): HistogramCell {
    return { counts: new Float64Array(this.buckets.length + 1), sum: 0, count: 0 };
  }

  observe(c: HistogramCell, v: number): void {
    const b = this.buckets;
    // Buckets are few (≤ 16): a linear scan beats a binary search here.
    let i = 0;
    while (i < b.length && v > b[i]!) i++;
    c.counts[i]!++;
    c.sum += v;
    c.count++;
  }

  /** Per-bucket counts summed over every label tuple (not cumulative; the last slot is +Inf). */
  merged(): number[] {
    const out = new Array<number>(this.buckets.length + 1).fill(0);
    for (const { cell } of this.children.values()) for (let i = 0; i < out.length; i++) out[i]! += cell.counts[i]!;
    return out;
  }

  protected values(): MetricValue[] {
    const out: MetricValue[] = [];
    for (const { labels, cell } of this.children.values()) {
      let acc = 0;
      for (let i = 0; i <= this.buckets.length; i++) {
        acc += cell.counts[i]!;
        out.push({ metricName: `${this.name}_bucket`, labels: { ...labels, le: i < this.buckets.length ? String(this.buckets[i]) : '+Inf' }, value: acc });
      }
      out.push({ metricName: `${this.name}_sum`, labels, value: cell.sum });
      out.push({ metricName: `${this.name}_count`, labels, value: cell.count });
    }
    return out;
  }
}

/**
 * A series whose values are read from another capability's state when /metrics is scraped (a
 * budget's spend, shadow totals): nothing is recorded on the hot path for it.
 */
export class ScrapedSeries {
  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: 'counter' | 'gauge',
    private readonly read: () => MetricValue[],
    registry: Registry,
  ) {
    registry.registerMetric(this as unknown as Parameters<Registry['registerMetric']>[0]);
  }

  get(): { name: string; help: string; type: string; values: MetricValue[]; aggregator: string } {
    return { name: this.name, help: this.help, type: this.type, values: this.read(), aggregator: 'sum' };
  }
}
