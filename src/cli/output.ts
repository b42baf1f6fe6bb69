// Table, JSON and CSV output for the tenant commands.

export type Format = 'table' | 'json' | 'csv';

export function parseFormat(v: string | undefined, allowed: readonly Format[] = ['table', 'json', 'csv']): Format {
  const f = (v ?? 'table') as Format;
  if (!allowed.includes(f)) throw new UsageError(`--format: expected ${allowed.join(' | ')}, got "${v}"`);
  return f;
}

export class UsageError extends Error {
  override name = 'UsageError';
}

/** Budgets and limits read as `50/day` and `rpm=60 tpm=20000` in tables. */
function compact(v: Record<string, unknown>): string | undefined {
  if (typeof v.usd === 'number' && typeof v.period === 'string') return `$${v.usd}/${v.period}${v.enforce === false ? ' (shadow)' : ''}`;
  const limits = ['rpm', 'tpm', 'concurrency'].filter((k) => typeof v[k] === 'number');
  if (limits.length > 0 && limits.length === Object.keys(v).length) return limits.map((k) => `${k}=${String(v[k])}`).join(' ');
  return undefined;
}

function cell(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (Array.isArray(v)) return v.map(String).join(',');
  if (typeof v === 'object') return compact(v as Record<string, unknown>) ?? JSON.stringify(v);
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

export function table(rows: ReadonlyArray<Record<string, unknown>>, columns?: string[]): string {
  const cols = columns ?? [...new Set(rows.flatMap((r) => Object.keys(r)))];
  if (rows.length === 0) return '(none)\n';
  const cells = rows.map((r) => cols.map((c) => cell(r[c])));
  const widths = cols.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i]!.length)));
  const line = (vals: string[]) => vals.map((v, i) => v.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(cols), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n') + '\n';
}

export function csv(rows: ReadonlyArray<Record<string, unknown>>, columns?: string[]): string {
  const cols = columns ?? [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const esc = (v: unknown) => {
    const s = cell(v);
    return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [cols.join(','), ...rows.map((r) => cols.map((c) => esc(r[c])).join(','))].join('\n') + '\n';
}

export function render(format: Format, rows: ReadonlyArray<Record<string, unknown>>, columns?: string[], wrapper?: Record<string, unknown>): string {
  if (format === 'json') return JSON.stringify(wrapper ?? rows, null, 2) + '\n';
  if (format === 'csv') return csv(rows, columns);
  return table(rows, columns);
}
