// A ratcheting baseline for repositories that cannot fix every finding at once: today's findings
// are recorded by file, rule, id and fingerprint; later runs fail only on findings not recorded.
// Rewriting the baseline keeps only entries still found and never adds new ones, so it only shrinks.

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import type { Finding } from './types.js';

export const DEFAULT_BASELINE_FILE = '.modelplane-lint-baseline.json';

const entry = z.strictObject({ file: z.string(), ruleId: z.string(), id: z.string(), fingerprint: z.string(), count: z.number().int().positive() });
const schema = z.strictObject({ version: z.literal(1), findings: z.array(entry) });
type Entry = z.output<typeof entry>;

export class BaselineError extends Error {}

export type Baseline = Map<string, Entry>;

export function readBaseline(path: string): Baseline | undefined {
  if (!existsSync(path)) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new BaselineError(`${path}: not JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  const r = schema.safeParse(raw);
  if (!r.success) throw new BaselineError(`${path}: not a modelplane lint baseline (${r.error.issues[0]!.message})`);
  return new Map(r.data.findings.map((e) => [e.fingerprint, { ...e }]));
}

export interface BaselineSplit {
  fresh: Finding[];
  baselined: Finding[];
  /** Recorded findings no longer present: the baseline can shrink by this many. */
  stale: number;
}

/** Splits findings into those the baseline records and those it does not. */
export function applyBaseline(findings: readonly Finding[], baseline: Baseline | undefined): BaselineSplit {
  if (!baseline) return { fresh: [...findings], baselined: [], stale: 0 };
  const left = new Map([...baseline].map(([k, e]) => [k, e.count]));
  const fresh: Finding[] = [];
  const baselined: Finding[] = [];
  for (const f of findings) {
    const n = left.get(f.fingerprint) ?? 0;
    if (n > 0) {
      left.set(f.fingerprint, n - 1);
      baselined.push(f);
    } else fresh.push(f);
  }
  let stale = 0;
  for (const n of left.values()) stale += n;
  return { fresh, baselined, stale };
}

/**
 * Writes the baseline. With an existing baseline only its entries still found are kept (so new
 * findings cannot be waved through by rewriting it); returns the findings left out.
 */
export function writeBaseline(path: string, findings: readonly Finding[], existing: Baseline | undefined): Finding[] {
  const keep = existing ? applyBaseline(findings, existing) : { baselined: [...findings], fresh: [] };
  const byPrint = new Map<string, Entry>();
  for (const f of keep.baselined) {
    const e = byPrint.get(f.fingerprint);
    if (e) e.count++;
    else byPrint.set(f.fingerprint, { file: f.file, ruleId: f.ruleId, id: f.id, fingerprint: f.fingerprint, count: 1 });
  }
  const entries = [...byPrint.values()].sort((a, b) => (a.file === b.file ? a.fingerprint.localeCompare(b.fingerprint) : a.file.localeCompare(b.file)));
  writeFileSync(path, JSON.stringify({ version: 1, findings: entries }, null, 2) + '\n');
  return keep.fresh;
}
