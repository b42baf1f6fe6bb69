// A suite run as a table for people or JSON for machines, and the CI gate's exit code.
import type { SuiteRun } from './runner.js';

export interface Gate {
  /** Fail when the pass rate is under this (default 1: every case must pass). */
  minPass: number;
}

/** 0: the run meets the gate; 1: it does not. */
export function exitCode(run: SuiteRun, gate: Gate): number {
  return run.summary.passRate + 1e-9 >= gate.minPass ? 0 : 1;
}

const pad = (s: string, n: number) => (s.length >= n ? s.slice(0, n) : s + ' '.repeat(n - s.length));

export function formatTable(run: SuiteRun): string {
  const lines: string[] = [];
  lines.push(`suite ${run.suite}  route ${run.route}${run.target ? `  target ${run.target}` : ''}`);
  lines.push(`${pad('case', 24)} ${pad('result', 6)} ${pad('score', 5)} ${pad('ms', 7)} ${pad('deployment', 18)} failures`);
  for (const c of run.cases) {
    const failures = c.verdict.results.filter((r) => !r.pass).map((r) => `${r.type}: ${r.detail ?? ''}`).join(' | ');
    const id = c.repeat > 0 ? `${c.id}#${c.repeat}` : c.id;
    lines.push(`${pad(id, 24)} ${pad(c.verdict.pass ? 'pass' : 'FAIL', 6)} ${pad(c.verdict.score.toFixed(2), 5)} ${pad(String(Math.round(c.observation.latencyMs)), 7)} ${pad(c.observation.deployment ?? '-', 18)} ${failures}`);
  }
  const s = run.summary;
  lines.push(
    `pass ${s.passed}/${s.cases} (${(s.passRate * 100).toFixed(1)}%)  errors ${s.errors}  p50 ${Math.round(s.p50LatencyMs)} ms  p95 ${Math.round(s.p95LatencyMs)} ms  tokens ${s.inputTokens}/${s.outputTokens}  cost ${s.costUsd === undefined ? 'unknown' : `$${s.costUsd.toFixed(6)}`}`,
  );
  return lines.join('\n') + '\n';
}

export function formatJson(run: SuiteRun): string {
  return JSON.stringify(run, null, 2) + '\n';
}
