// `npm run bench -- --profile`: runs modelplane under `node --cpu-prof`, once per scenario (so the
// profiles do not mix), under the highest connection count, then ranks the self time of its
// functions. The gateway is stopped with SIGTERM so V8 writes the profile on the way out.

import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchOptions } from './args.js';
import { selfTimeByArea, selfTimes, type CpuProfile, type SelfTime } from './cpuprofile.js';
import type { LoadRunner } from './load.js';
import { fmt } from './report.js';
import { cpuSeconds, type ProcessSet } from './procs.js';
import { requestBody, smokeCheck, startModelplane, type StartContext } from './targets.js';

export interface ProfileResult {
  scenario: string;
  conns: number;
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
    `### modelplane CPU profile: ${p.scenario}, c=${p.conns} (${fmt(p.rps, 0)} req/s, gateway CPU ${fmt(p.cpuPct, 0)}%)`,
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
  for (const scenario of opts.scenarios) {
    const dir = join(ctx.outDir, 'profiles', scenario);
    mkdirSync(dir, { recursive: true });
    const t = await startModelplane(ctx, { name: `modelplane-prof-${scenario}`, nodeFlags: ['--cpu-prof', `--cpu-prof-dir=${dir}`], logToFile: opts.gatewayLogToFile });
    const smoke = await smokeCheck(t, [scenario]);
    if (!smoke.ok) throw new Error(`modelplane failed the smoke check: ${smoke.detail}`);
    const spec = { url: t.url, headers: t.headers, body: requestBody(t.model, scenario), conns };
    if (opts.warmupS > 0) await runner.run({ ...spec, durationS: opts.warmupS }, join(ctx.outDir, 'logs', 'load-profile.log'));
    const c0 = cpuSeconds(t.proc!.pid);
    const w0 = Date.now();
    const r = await runner.run({ ...spec, durationS: opts.durationS }, join(ctx.outDir, 'logs', 'load-profile.log'));
    const cpuPct = (100 * (cpuSeconds(t.proc!.pid) - c0)) / ((Date.now() - w0) / 1000);
    say(`profile ${scenario} c=${conns}: ${r.rps.toFixed(0)} req/s, gateway CPU ${cpuPct.toFixed(0)}%; stopping the gateway so it writes the profile`);
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
      conns,
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
