// Cardinality guard for label values that come from callers' attribution (team, key, customer,
// agent, workflow): the first `max` distinct values are kept as they are, every later one is
// counted under one overflow value, so a flood of new keys cannot grow the scrape without bound.
// Values seen once stay admitted for the life of the process (a series never changes its name).

export const OVERFLOW = '__overflow__';
/** The label value for "not attributed" (Prometheus treats an empty value as a missing label). */
export const NONE = '';

export class LabelGuard {
  private readonly seen = new Set<string>();

  /** `overflow` counts the values sent to the overflow bucket (a metrics cell, or a plain counter). */
  constructor(
    readonly max: number,
    private readonly overflow: { value: number } = { value: 0 },
  ) {}

  get overflowed(): number {
    return this.overflow.value;
  }

  admit(value: string | undefined): string {
    if (value === undefined || value === '') return NONE;
    // Label values are free text from a key's metadata: bound their length too.
    const v = value.length > 64 ? value.slice(0, 64) : value;
    if (this.seen.has(v)) return v;
    if (this.seen.size >= this.max) {
      this.overflow.value++;
      return OVERFLOW;
    }
    this.seen.add(v);
    return v;
  }

  get size(): number {
    return this.seen.size;
  }
}
