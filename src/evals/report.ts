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
    `pass ${s.passed}/${s.cases} (${(s.passRate * 100).toFixed(1)}%)  errors ${s.errors}  p50 ${Math.round(s.p50LatencyMs)} ms  p95 ${Math.round(s.p95LatencyMs)} ms  tokens ${s.inputTokens}/${s.outputTokens}  cost ${s.costUsd === undefined ? 'unknown' : `$${s.costUsd.toFixed(6)}`}${s.judgeCostUsd === undefined ? '' : `  judge $${s.judgeCostUsd.toFixed(6)}`}`,
  );
  return lines.join('\n') + '\n';
}

export function formatJson(run: SuiteRun): string {
  return JSON.stringify(run, null, 2) + '\n';
}

/** A candidate run against a baseline run of the same suite, case by case. */
export interface Comparison {
  baseline: SuiteRun;
  candidate: SuiteRun;
  /** Cases the baseline passed and the candidate failed. */
  regressed: string[];
  /** Cases the baseline failed and the candidate passed. */
  fixed: string[];
  /** candidate pass rate - baseline pass rate. */
  passRateDelta: number;
}

const caseKey = (c: SuiteRun['cases'][number]) => (c.repeat > 0 ? `${c.id}#${c.repeat}` : c.id);

export function compareRuns(baseline: SuiteRun, candidate: SuiteRun): Comparison {
  const base = new Map(baseline.cases.map((c) => [caseKey(c), c]));
  const regressed: string[] = [];
  const fixed: string[] = [];
  for (const c of candidate.cases) {
    const b = base.get(caseKey(c));
    if (!b) continue;
    if (b.verdict.pass && !c.verdict.pass) regressed.push(caseKey(c));
    if (!b.verdict.pass && c.verdict.pass) fixed.push(caseKey(c));
  }
  return { baseline, candidate, regressed, fixed, passRateDelta: candidate.summary.passRate - baseline.summary.passRate };
}

/** 0 when the candidate meets `minPass` and loses at most `maxRegression` of pass rate against the baseline. */
export function compareExitCode(c: Comparison, gate: Gate & { maxRegression: number }): number {
  if (c.candidate.summary.passRate + 1e-9 < gate.minPass) return 1;
  return c.passRateDelta + 1e-9 >= -gate.maxRegression ? 0 : 1;
}

function side(run: SuiteRun): string {
  return run.target ?? `route ${run.route}`;
}

export function formatComparison(c: Comparison): string {
  const lines = [`suite ${c.candidate.suite}  route ${c.candidate.route}  baseline ${side(c.baseline)}  candidate ${side(c.candidate)}`];
  lines.push(`${pad('case', 24)} ${pad('baseline', 9)} ${pad('candidate', 9)} ${pad('ms', 13)} candidate failures`);
  const base = new Map(c.baseline.cases.map((x) => [caseKey(x), x]));
  for (const k of c.candidate.cases) {
    const b = base.get(caseKey(k));
    const mark = (p: boolean | undefined) => (p === undefined ? '-' : p ? 'pass' : 'FAIL');
    const failures = k.verdict.results.filter((r) => !r.pass).map((r) => `${r.type}: ${r.detail ?? ''}`).join(' | ');
    const ms = `${b ? Math.round(b.observation.latencyMs) : '-'} / ${Math.round(k.observation.latencyMs)}`;
    lines.push(`${pad(caseKey(k), 24)} ${pad(mark(b?.verdict.pass), 9)} ${pad(mark(k.verdict.pass), 9)} ${pad(ms, 13)} ${failures}`);
  }
  const row = (label: string, s: SuiteRun['summary']) =>
    `${pad(label, 10)} pass ${s.passed}/${s.cases} (${(s.passRate * 100).toFixed(1)}%)  p50 ${Math.round(s.p50LatencyMs)} ms  p95 ${Math.round(s.p95LatencyMs)} ms  tokens ${s.inputTokens}/${s.outputTokens}  cost ${s.costUsd === undefined ? 'unknown' : `$${s.costUsd.toFixed(6)}`}`;
  lines.push(row('baseline', c.baseline.summary), row('candidate', c.candidate.summary));
  lines.push(`pass rate ${c.passRateDelta >= 0 ? '+' : ''}${(100 * c.passRateDelta).toFixed(1)} points; regressed: ${c.regressed.join(', ') || 'none'}; fixed: ${c.fixed.join(', ') || 'none'}`);
  return lines.join('\n') + '\n';
}

const xml = (s: string) => s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);

/** JUnit XML, which CI systems (GitHub Actions reporters, GitLab, Jenkins) show as test results. */
export function formatJunit(run: SuiteRun): string {
  const s = run.summary;
  const name = `${run.suite}${run.target ? ` @ ${run.target}` : ''}`;
  const time = (ms: number) => (ms / 1000).toFixed(3);
  const total = run.cases.reduce((n, c) => n + c.observation.latencyMs, 0);
  const out = [`<?xml version="1.0" encoding="UTF-8"?>`, `<testsuites name="modelplane eval" tests="${s.cases}" failures="${s.cases - s.passed}">`];
  out.push(`  <testsuite name="${xml(name)}" tests="${s.cases}" failures="${s.cases - s.passed}" time="${time(total)}">`);
  for (const c of run.cases) {
    const id = c.repeat > 0 ? `${c.id}#${c.repeat}` : c.id;
    const open = `    <testcase classname="${xml(`${run.suite}.${run.route}`)}" name="${xml(id)}" time="${time(c.observation.latencyMs)}"`;
    if (c.verdict.pass) {
      out.push(`${open}/>`);
      continue;
    }
    const failures = c.verdict.results.filter((r) => !r.pass);
    out.push(`${open}>`, `      <failure message="${xml(`score ${c.verdict.score.toFixed(2)}: ${failures.map((f) => f.type).join(', ')}`)}">${xml(failures.map((f) => `${f.type}: ${f.detail ?? ''}`).join('\n'))}</failure>`, '    </testcase>');
  }
  out.push('  </testsuite>', '</testsuites>');
  return out.join('\n') + '\n';
}
