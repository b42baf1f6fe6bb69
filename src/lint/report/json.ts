// `--format json`: the findings and the summary, stable field names, for scripts and dashboards.

import type { LintResult } from '../engine.js';

export function formatJson(result: LintResult): string {
  const errors = result.findings.filter((f) => f.severity === 'error').length;
  return (
    JSON.stringify(
      {
        version: 1,
        summary: {
          filesScanned: result.filesScanned,
          errors,
          warnings: result.findings.length - errors,
          baselined: result.baselined,
          staleBaseline: result.staleBaseline,
          fixed: result.fixed,
        },
        /** Files read as gateway configs (by name or shape) and so not scanned. */
        gatewayConfigsSkipped: result.skippedConfigs,
        findings: result.findings.map((f) => ({
          file: f.file,
          line: f.line,
          column: f.column,
          endColumn: f.endColumn,
          ruleId: f.ruleId,
          severity: f.severity,
          id: f.id,
          message: f.message,
          suggestion: f.suggestion,
          fingerprint: f.fingerprint,
        })),
      },
      null,
      2,
    ) + '\n'
  );
}
