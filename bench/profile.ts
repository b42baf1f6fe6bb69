// `npm run bench -- --profile`: runs modelplane under `node --cpu-prof`, once per scenario (so the
// profiles do not mix), under the highest connection count, then ranks the self time of its
// functions. The gateway is stopped with SIGTERM so V8 writes the profile on the way out.

import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchOptions } from './args.js';
import { selfTimeByArea, selfTimes, type CpuProfile, type SelfTime } from './cpuprofile.js';
import { FEATURES } from './features.js';
import type { LoadRunner } from './load.js';
import { fmt } from './report.js';
import { cpuSeconds, type ProcessSet } from './procs.js';
import { requestBody, smokeCheck, startModelplane, type StartContext } from './targets.js';

export interface ProfileResult {
  scenario: string;
  /** The feature variant profiled (bench/features.ts), or undefined for the base config. */
  feature?: string;
  conns: number;
  served: number;
  /** The measured run alone: its requests and its window in V8's sample clock (microseconds). */
  measured: { requests: number; fromUs: number; toUs: number };
  rps: number;
  cpuPct: number;
  busyMs: number;
  byArea: Record<SelfTime['area'], number>;
  top: SelfTime[];
  topSrc: SelfTime[];
}

function renderRows(rows: readonly SelfTime[]): string[] {
  const out = ['| self ms | % of busy | function | where |', '|---|---|---|---|'];
  for (const r of rows) out.push(`| ${fmt(r.selfMs, 0)} | ${r.pct.toFixed(1)} | \`${r.functionName}\` | ${r.location} |`);
  return out;
}

export function renderProfile(p: ProfileResult): string {
  const a = p.byArea;
  const share = (x: number) => `${((100 * x) / (p.busyMs || 1)).toFixed(1)}%`;
  return [
    `### modelplane${p.feature ? `+${p.feature}` : ''} CPU profile: ${p.scenario}, c=${p.conns} (${fmt(p.rps, 0)} req/s, gateway CPU ${fmt(p.cpuPct, 0)}%, ${fmt((1000 * p.busyMs) / (p.served || 1), 1)} µs busy per request)`,
    '',
    `Busy (non-idle) samples: ${fmt(p.busyMs, 0)} ms. Self time by area: our code (dist/src) ${share(a.src)}, node_modules ${share(a.node_modules)}, Node internals ${share(a.node)}, ` +
      `VM/native/GC ${share(a.vm)}.`,
    '',
    'Top self time overall:',
    '',
    ...renderRows(p.top),
    '',
    'Top self time in src/:',
    '',
    ...renderRows(p.topSrc),
    '',
  ].join('\n');
}

export async function runProfiles(opts: BenchOptions, ctx: StartContext, runner: LoadRunner, say: (m: string) => void): Promise<ProfileResult[]> {
  const conns = Math.max(...opts.conns);
  const results: ProfileResult[] = [];
  // The base config first, then each --features variant: a feature's cost read by function is
  // the difference between its profile and the base one taken in the same run.
  const variants: (string | undefined)[] = [undefined, ...opts.features];
  const runs = variants.flatMap((feature) => opts.scenarios.map((scenario) => ({ feature, scenario })));
  for (const { feature, scenario } of runs) {
    const label = feature === undefined ? scenario : `${scenario}-${feature}`;
    const dir = join(ctx.outDir, 'profiles', label);
    mkdirSync(dir, { recursive: true });
    const variant = feature === undefined ? {} : { feature: FEATURES[feature]! };
    const t = await startModelplane(ctx, { name: `modelplane-prof-${label}`, nodeFlags: process.env.BENCH_HEAP_PROF ? (process.env.BENCH_HEAP_PROF === 'gc' ? ['--trace-gc', '--trace-gc-nvp', '--cpu-prof', `--cpu-prof-dir=${dir}`] : ['--import', process.env.HEAP_PRELOAD ?? '/tmp/heapsample.mjs']) : ['--cpu-prof', `--cpu-prof-dir=${dir}`], logToFile: opts.gatewayLogToFile, ...variant });
    const smoke = await smokeCheck(t, [scenario]);
    if (!smoke.ok) throw new Error(`modelplane failed the smoke check: ${smoke.detail}`);
    const spec = { url: t.url, headers: t.headers, body: requestBody(t.model, scenario), conns };
    // Every request the profiled process served (warm-up included), so self time divides into
    // microseconds per request and profiles taken at different loads compare.
    let served = 0;
    if (opts.warmupS > 0) served += (await runner.run({ ...spec, durationS: opts.warmupS }, join(ctx.outDir, 'logs', 'load-profile.log'))).requests;
    // The measured run's bounds on the monotonic clock V8 stamps its samples with, so a reader can
    // leave start-up and warm-up out (they weigh differently at different loads).
    const t0 = Number(process.hrtime.bigint() / 1000n);
    const c0 = cpuSeconds(t.proc!.pid);
    const w0 = Date.now();
    const r = await runner.run({ ...spec, durationS: opts.durationS }, join(ctx.outDir, 'logs', 'load-profile.log'));
    const t1 = Number(process.hrtime.bigint() / 1000n);
    served += r.requests;
    const cpuPct = (100 * (cpuSeconds(t.proc!.pid) - c0)) / ((Date.now() - w0) / 1000);
    say(`profile ${label} c=${conns}: ${r.rps.toFixed(0)} req/s, gateway CPU ${cpuPct.toFixed(0)}%; stopping the gateway so it writes the profile`);
    await ctx.procs.stop(t.proc!, 15_000);
    const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
    if (!file) {
      say(`no .cpuprofile in ${dir}: the gateway did not exit cleanly on SIGTERM`);
      continue;
    }
    const prof = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;
    const { busyMs, rows } = selfTimes(prof);
    results.push({
      scenario,
      ...(feature === undefined ? {} : { feature }),
      conns,
      served,
      measured: { requests: r.requests, fromUs: t0, toUs: t1 },
      rps: r.rps,
      cpuPct,
      busyMs,
      byArea: selfTimeByArea(rows),
      top: rows.filter((x) => x.functionName !== '(idle)').slice(0, 15),
      topSrc: rows.filter((x) => x.area === 'src').slice(0, 12),
    });
  }
  return results;
}
