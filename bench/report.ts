// Renders a Summary and its goals as Markdown. Pure.

import type { Goal, Summary } from './summary.js';

/** Fixed-width-ish number: 3 significant-ish digits, '–' for a missing value. */
export function fmt(x: number, digits?: number): string {
  if (!Number.isFinite(x)) return '–';
  if (digits !== undefined) return x.toFixed(digits);
  const a = Math.abs(x);
  return a >= 100 ? x.toFixed(0) : a >= 10 ? x.toFixed(1) : a >= 1 ? x.toFixed(2) : x.toFixed(3);
}

export function fmtSigned(x: number, digits = 3): string {
  if (!Number.isFinite(x)) return '–';
  return (x >= 0 ? '+' : '') + x.toFixed(digits);
}

function times(x: number): string {
  return Number.isFinite(x) ? `${x.toFixed(2)}×` : '–';
}

function pct(x: number): string {
  return Number.isFinite(x) ? `${(x * 100).toFixed(0)}%` : '–';
}

export interface ReportMeta {
  title: string;
  loadGenerator: string;
  notes: string[];
  bare: string;
}

export function renderLoadTable(s: Summary, bare: string): string[] {
  const out = [
    `| scenario | conns | target | req/s | req/s ÷ ${bare} | p50 ms | p50 ÷ ${bare} | added p50 ms | p99 ms | p99 ÷ ${bare} | CPU % | CPU µs/req | CPU/req ÷ ${bare} | core0 / core1 busy % | req/s spread | errors |`,
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of s.load) {
    const isBare = r.target === bare;
    out.push(
      `| ${r.scenario} | ${r.conns} | ${r.target} | ${fmt(r.rps, 0)} | ${times(r.vsBare.rps)} | ${fmt(r.p50Ms)} | ${times(r.vsBare.p50)} | ` +
        `${isBare ? '–' : fmtSigned(r.vsBare.addedP50Ms)} | ${fmt(r.p99Ms)} | ${times(r.vsBare.p99)} | ${fmt(r.cpuPct, 0)} | ${fmt(r.cpuUsPerReq, 0)} | ` +
        `${times(r.vsBare.cpuUsPerReq)} | ${fmt(r.core0Pct, 0)} / ${fmt(r.core1Pct, 0)} | ${pct(r.rpsSpread)} | ${r.errors ? `**${r.errors}** of ${r.requests}` : '0'} |`,
    );
  }
  return out;
}

export function renderProbeTable(s: Summary, bare: string): string[] {
  const out = [
    `| scenario | target | n | TTFB p50 ms | TTFB ÷ ${bare} | added TTFB ms | TTFB p99 ms | p99 ÷ ${bare} | end p50 ms | end ÷ ${bare} | errors |`,
    '|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const p of s.probe) {
    out.push(
      `| ${p.scenario} | ${p.target} | ${p.n} | ${fmt(p.ttfbP50Ms)} | ${times(p.vsBare.ttfbP50)} | ${p.target === bare ? '–' : fmtSigned(p.vsBare.addedTtfbP50Ms)} | ` +
        `${fmt(p.ttfbP99Ms)} | ${times(p.vsBare.ttfbP99)} | ${fmt(p.endP50Ms)} | ${times(p.vsBare.endP50)} | ${p.errors} |`,
    );
  }
  return out;
}

export function renderGoals(goals: readonly Goal[], target: string): string[] {
  const out = [`| goal (${target}) | measured | required | result |`, '|---|---|---|---|'];
  for (const g of goals) {
    const m = !Number.isFinite(g.measured) ? '–' : g.unit === 'ms' ? `${fmtSigned(g.measured)} ms` : times(g.measured);
    const req = `${g.kind === 'min' ? '≥' : '≤'} ${g.unit === 'ms' ? `${g.threshold} ms` : `${g.threshold}× bare`}`;
    const res = g.pass === null ? 'not measured' : g.pass ? 'PASS' : '**FAIL**';
    out.push(`| ${g.description} | ${m} | ${req} | ${res} |`);
  }
  return out;
}

/** Each feature variant against modelplane with the feature off (the same run, paired per round). */
export function renderFeatureReport(s: Summary, features: ReadonlyArray<readonly [string, string]>): string {
  const lines = ['### Feature cost: modelplane with one feature on ÷ modelplane with it off', ''];
  for (const [f, d] of features) lines.push(`- \`modelplane+${f}\`: ${d}`);
  lines.push('', ...renderLoadTable({ load: s.load.filter((r) => r.target !== 'modelplane'), probe: [] }, 'modelplane'), '');
  const probes = s.probe.filter((p) => p.target !== 'modelplane');
  if (probes.length) lines.push(...renderProbeTable({ load: [], probe: probes }, 'modelplane'), '');
  return lines.join('\n');
}

export function renderReport(s: Summary, goals: readonly Goal[], goalTarget: string, meta: ReportMeta): string {
  const lines = [`## ${meta.title}`, ''];
  for (const n of meta.notes) lines.push(`- ${n}`);
  lines.push(`- load generator: ${meta.loadGenerator}`, '');
  lines.push('### Goals', '', ...renderGoals(goals, goalTarget), '');
  lines.push('### Throughput and latency (closed loop; median over rounds; ratios paired per round)', '', ...renderLoadTable(s, meta.bare), '');
  if (s.probe.length) {
    lines.push('### Time to first byte at concurrency 1 (stream: first complete SSE event)', '', ...renderProbeTable(s, meta.bare), '');
  }
  return lines.join('\n');
}
