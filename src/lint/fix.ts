// `--fix`: rewrites a string literal that is exactly a model id to the one route that serves it.
// Only unambiguous cases are touched: a whole literal, and exactly one route in the gateway config.

import { readFileSync, writeFileSync } from 'node:fs';
import type { Finding } from './types.js';

export interface FixPlan {
  finding: Finding;
  route: string;
}

/** Applies the replacements to one file (all plans must be for `abs`); returns how many were made. */
export function applyFixes(abs: string, plans: readonly FixPlan[]): number {
  if (plans.length === 0) return 0;
  let text = readFileSync(abs, 'utf8');
  // From the end, so earlier offsets stay valid.
  const sorted = [...plans].sort((a, b) => b.finding.start - a.finding.start);
  let made = 0;
  for (const p of sorted) {
    if (text.slice(p.finding.start, p.finding.end) !== p.finding.id) continue;
    text = text.slice(0, p.finding.start) + p.route + text.slice(p.finding.end);
    made++;
  }
  writeFileSync(abs, text);
  return made;
}
