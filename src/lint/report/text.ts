// The human format: one finding per line as `file:line:col`, which terminals and editors turn into
// links, then what to do instead. Colour only on a terminal (and never with NO_COLOR).

import type { LintResult } from '../engine.js';

export interface TextOptions {
  colour: boolean;
}

export function formatText(result: LintResult, opts: TextOptions): string {
  const paint = (code: string, s: string) => (opts.colour ? `\u001b[${code}m${s}\u001b[0m` : s);
  const lines: string[] = [];
  for (const f of result.findings) {
    const sev = f.severity === 'error' ? paint('31', 'error') : paint('33', 'warning');
    lines.push(`${f.file}:${f.line}:${f.column}: ${sev} ${f.message} [${f.ruleId}]`);
    lines.push(`    ${paint('2', '->')} ${f.suggestion}`);
  }
  lines.push(summary(result));
  return lines.join('\n') + '\n';
}

export function summary(result: LintResult): string {
  const errors = result.findings.filter((f) => f.severity === 'error').length;
  const warnings = result.findings.length - errors;
  const parts = [`${result.filesScanned} file(s) scanned`];
  parts.push(errors + warnings === 0 ? 'no model ids found' : `${errors} error(s), ${warnings} warning(s)`);
  if (result.baselined) parts.push(`${result.baselined} known finding(s) in the baseline`);
  if (result.staleBaseline) parts.push(`${result.staleBaseline} baseline entr${result.staleBaseline === 1 ? 'y is' : 'ies are'} fixed: run --write-baseline to shrink it`);
  if (result.fixed) parts.push(`${result.fixed} literal(s) rewritten to route names`);
  if (result.baselineWritten) parts.push(`baseline written to ${result.baselineWritten}`);
  return `modelplane lint: ${parts.join('; ')}`;
}
