// `npm run bench`: how much modelplane costs compared with calling the upstream directly and with
// a bare Node pass-through proxy, measured in one run on 127.0.0.1 against one mock upstream.
// Targets are interleaved round by round; tables show medians and ratios to the bare proxy from
// the same rounds. Every process started here is stopped at the end, on error, on Ctrl-C and at
// the run's time limit. See docs/benchmarks.md.

import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { USAGE, estimateSeconds, parseBenchArgs, type BenchOptions } from './args.js';
import { nodeRunner, wrkRunner, type LoadRunner } from './load.js';
import { commandExists, coreBusyPct, coreTicks, cpuSeconds, ProcessSet, type Started } from './procs.js';
import { renderProfile, runProfiles } from './profile.js';
import { startPortkey } from './portkey.js';
import { renderFeatureReport, renderReport } from './report.js';
import { evaluateGoals, summarise, type LoadRecord, type ProbeRecord, type Scenario } from './summary.js';
import { FEATURES } from './features.js';
import { directTarget, requestBody, smokeCheck, startBare, startModelplane, type StartContext, type Target } from './targets.js';
import type { ProbeResult } from './ttfb-probe.js';

const GATEWAY_CPU = 1;
const LOAD_CPU = 0;
const t0 = Date.now();

function say(m: string): void {
  process.stderr.write(`[bench +${((Date.now() - t0) / 1000).toFixed(0).padStart(3)}s] ${m}\n`);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function chooseLoadRunner(opts: BenchOptions, procs: ProcessSet, outDir: string): LoadRunner {
  if (opts.forceNodeLoad) return nodeRunner(procs, LOAD_CPU);
  if (!commandExists('wrk')) {
    const root = typeof process.getuid === 'function' && process.getuid() === 0;
    if (opts.installWrk && root) {
      say('wrk is missing: running `apt-get update && apt-get install -y wrk` (asked for by --install-wrk / BENCH_INSTALL_WRK=1)');
      try {
        execFileSync('apt-get', ['update'], { stdio: ['ignore', 'ignore', 'inherit'], timeout: 180_000 });
        execFileSync('apt-get', ['install', '-y', 'wrk'], { stdio: ['ignore', 'ignore', 'inherit'], timeout: 180_000 });
      } catch (e) {
        say(`apt-get failed: ${(e as Error).message.split('\n')[0]}`);
      }
    } else {
      say(`wrk is not installed${opts.installWrk ? ' and we are not root' : ''}; ${root ? 'pass --install-wrk to apt-get it, or ' : ''}falling back to the Node load generator (less precise)`);
    }
  }
  return commandExists('wrk') ? wrkRunner(procs, outDir, LOAD_CPU) : nodeRunner(procs, LOAD_CPU);
}

async function runProbe(procs: ProcessSet, t: Target, scenario: Scenario, round: number, opts: BenchOptions, logFile: string): Promise<ProbeRecord | undefined> {
  const script = fileURLToPath(new URL('./ttfb-probe.js', import.meta.url));
  const env = { ...process.env, BENCH_BODY: requestBody(t.model, scenario), BENCH_HEADERS: JSON.stringify(t.headers) };
  const s = procs.start('probe', process.execPath, [script, '--url', t.url, '--n', String(opts.probeN), '--warmup', '30', '--max-seconds', '30'], { logFile, env, pipeStdout: true, cpu: LOAD_CPU });
  const m = await procs.waitForLine(s, /PROBE_RESULT (\{.*\})\n/, 45_000).catch((e: Error) => {
    say(`probe ${t.name}/${scenario}: ${e.message}`);
    return undefined;
  });
  await procs.stop(s, 1000);
  if (!m) return undefined;
  const r = JSON.parse(m[1]!) as ProbeResult;
  // For SSE what matters is the first whole event (the first token); for JSON, the first byte.
  const stream = scenario === 'stream';
  return {
    target: t.name,
    scenario,
    round,
    n: r.n,
    errors: r.errors,
    headP50Ms: r.headP50Ms,
    ttfbP50Ms: stream ? r.firstEventP50Ms : r.firstByteP50Ms,
    ttfbP99Ms: stream ? r.firstEventP99Ms : r.firstByteP99Ms,
    endP50Ms: r.endP50Ms,
    endP99Ms: r.endP99Ms,
  };
}

async function measure(runner: LoadRunner, t: Target, scenario: Scenario, conns: number, round: number, opts: BenchOptions, logFile: string): Promise<LoadRecord> {
  const pid = t.proc?.pid;
  const cpu0 = pid === undefined ? NaN : cpuSeconds(pid);
  const cores0 = coreTicks();
  const w0 = process.hrtime.bigint();
  const r = await runner.run({ url: t.url, headers: t.headers, body: requestBody(t.model, scenario), conns, durationS: opts.durationS }, logFile);
  const wall = Number(process.hrtime.bigint() - w0) / 1e9;
  const cores1 = coreTicks();
  const cpuPct = pid === undefined ? null : (100 * (cpuSeconds(pid) - cpu0)) / wall;
  return {
    target: t.name,
    scenario,
    conns,
    round,
    requests: r.requests,
    durationS: r.durationS,
    rps: r.rps,
    p50Ms: r.p50Ms,
    p99Ms: r.p99Ms,
    maxMs: r.maxMs,
    errors: r.errors,
    cpuPct,
    core0Pct: coreBusyPct(cores0, cores1, 0),
    core1Pct: coreBusyPct(cores0, cores1, 1),
  };
}

function rotate<T>(xs: readonly T[], k: number): T[] {
  const n = xs.length;
  return xs.map((_, i) => xs[(i + k) % n]!);
}

function wrkVersion(): string {
  try {
    execFileSync('wrk', ['-v'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const out = String((e as { stdout?: string }).stdout ?? '');
    return out.split('\n')[0] ?? '';
  }
  return '';
}

async function compare(opts: BenchOptions, ctx: StartContext, runner: LoadRunner, outDir: string) {
  const targets: Target[] = [directTarget(ctx.mockPort), await startBare(ctx), await startModelplane(ctx, { logToFile: opts.gatewayLogToFile })];
  for (const f of opts.features) targets.push(await startModelplane(ctx, { name: `modelplane+${f}`, feature: FEATURES[f]!, logToFile: opts.gatewayLogToFile }));
  const skipped: string[] = [];
  if (opts.withPortkey) {
    try {
      targets.push(await startPortkey(ctx, say));
    } catch (e) {
      skipped.push(`portkey: ${(e as Error).message}`);
      say(`portkey skipped: ${(e as Error).message}`);
    }
  }
  const smoke: Record<string, string> = {};
  const live: Target[] = [];
  for (const t of targets) {
    const r = await smokeCheck(t, opts.scenarios);
    smoke[t.name] = `${r.ok ? 'ok' : 'FAILED'}: ${r.detail}`;
    say(`smoke ${t.name}: ${smoke[t.name]}`);
    if (r.ok) live.push(t);
    else if (t.name === 'bare' || t.name === 'modelplane') throw new Error(`${t.name} failed the smoke check; nothing to compare`);
    else skipped.push(`${t.name}: failed the smoke check`);
  }
  say(`targets: ${live.map((t) => t.name).join(', ')}; about ${estimateSeconds(opts, live.length)} s of load, plus probes`);
  const loads: LoadRecord[] = [];
  const probes: ProbeRecord[] = [];
  const loadLog = join(outDir, 'logs', 'load.log');
  const highConns = Math.max(...opts.conns);
  for (const scenario of opts.scenarios) {
    if (opts.warmupS > 0) {
      for (const t of live) {
        say(`warm-up ${t.name} ${scenario} c=${highConns} ${opts.warmupS}s`);
        await runner.run({ url: t.url, headers: t.headers, body: requestBody(t.model, scenario), conns: highConns, durationS: opts.warmupS }, loadLog);
      }
    }
    for (const conns of opts.conns) {
      for (let round = 1; round <= opts.rounds; round++) {
        for (const t of rotate(live, round - 1)) {
          await sleep(200);
          const r = await measure(runner, t, scenario, conns, round, opts, loadLog);
          loads.push(r);
          say(
            `${t.name.padEnd(10)} ${scenario.padEnd(9)} c=${String(conns).padEnd(3)} round ${round}: ${r.rps.toFixed(0).padStart(6)} req/s  p50 ${r.p50Ms.toFixed(3)} ms  ` +
              `p99 ${r.p99Ms.toFixed(3)} ms  CPU ${r.cpuPct === null ? '–' : r.cpuPct.toFixed(0) + '%'}  cores ${r.core0Pct.toFixed(0)}/${r.core1Pct.toFixed(0)}%${r.errors ? `  ERRORS ${r.errors}` : ''}`,
          );
        }
      }
    }
    if (opts.probeN > 0) {
      for (let round = 1; round <= opts.rounds; round++) {
        for (const t of rotate(live, round - 1)) {
          const p = await runProbe(ctx.procs, t, scenario, round, opts, join(outDir, 'logs', 'probe.log'));
          if (!p) continue;
          probes.push(p);
          say(`${t.name.padEnd(10)} ${scenario.padEnd(9)} probe round ${round}: TTFB p50 ${p.ttfbP50Ms.toFixed(3)} ms  p99 ${p.ttfbP99Ms.toFixed(3)} ms  end p50 ${p.endP50Ms.toFixed(3)} ms${p.errors ? `  ERRORS ${p.errors}` : ''}`);
        }
      }
    }
  }
  const summary = summarise(loads, probes, 'bare');
  // Each feature against the gateway with it off, paired per round like the bare ratios.
  const featureSummary = opts.features.length ? summarise(loads.filter((r) => r.target.startsWith('modelplane')), probes.filter((p) => p.target.startsWith('modelplane')), 'modelplane') : undefined;
  const goals = evaluateGoals(summary, 'modelplane', highConns);
  return { targets: live.map((t) => ({ name: t.name, url: t.url, pid: t.proc?.pid ?? null })), skipped, smoke, loads, probes, summary, featureSummary, goals };
}

async function main(): Promise<number> {
  // Cluster mode has a bench of its own (engines, workers, Redis command counts): bench/cluster.ts.
  if (process.argv.includes('--cluster')) return (await import('./cluster.js')).runClusterBench(process.argv.slice(2));
  let opts: BenchOptions;
  try {
    opts = parseBenchArgs(process.argv.slice(2), process.env);
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (opts.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const outDir = opts.out ?? join(tmpdir(), 'modelplane-bench', stamp);
  mkdirSync(join(outDir, 'logs'), { recursive: true });
  const procs = new ProcessSet(opts.pin);
  let stopping = false;
  const shutdown = async (why: string, code: number) => {
    if (stopping) return;
    stopping = true;
    say(`${why}: stopping every process this run started`);
    await procs.stopAll();
    process.exit(code);
  };
  process.on('SIGINT', () => void shutdown('interrupted', 130));
  process.on('SIGTERM', () => void shutdown('terminated', 143));
  process.on('exit', () => procs.killAllSync());
  const watchdog = setTimeout(() => void shutdown(`time limit of ${opts.maxSeconds}s reached`, 124), opts.maxSeconds * 1000);

  try {
    say(`results in ${outDir}`);
    if (!procs.pinning) say(opts.pin ? 'taskset not found: processes are NOT pinned' : 'pinning off (--no-pin)');
    // Other work on this shared machine skews everything; measure it so the report can say so.
    const idle0 = coreTicks();
    await sleep(1000);
    const idle1 = coreTicks();
    const background = [0, 1].map((c) => coreBusyPct(idle0, idle1, c));
    say(`background CPU before the run: core0 ${background[0]!.toFixed(0)}%, core1 ${background[1]!.toFixed(0)}%`);
    const runner = chooseLoadRunner(opts, procs, outDir);
    say(`load generator: ${runner.name}`);
    const mockScript = fileURLToPath(new URL('./mock-upstream.js', import.meta.url));
    const mock: Started = procs.start('mock', process.execPath, [mockScript, '--port', '0'], { logFile: join(outDir, 'logs', 'mock.log'), pipeStdout: true, cpu: LOAD_CPU });
    const mockPort = Number((await procs.waitForLine(mock, /listening (\d+)/, 10_000))[1]);
    const ctx: StartContext = { procs, outDir, mockPort, gatewayCpu: GATEWAY_CPU };
    const meta = {
      startedAt: new Date(t0).toISOString(),
      node: process.version,
      kernel: release(),
      cpus: `${cpus().length} × ${cpus()[0]?.model ?? '?'}`,
      loadavgBefore: loadavg(),
      backgroundCpuPct: background,
      loadGenerator: runner.name,
      wrk: runner.precise ? wrkVersion() : null,
      pinned: procs.pinning ? `gateway/proxy on core ${GATEWAY_CPU}; mock, load generator and probe on core ${LOAD_CPU}` : 'no',
      gatewayLog: opts.gatewayLogToFile ? join(outDir, 'logs', 'modelplane.requests.log') : '/dev/null',
    };

    if (opts.profile) {
      const profiles = await runProfiles(opts, ctx, runner, say);
      writeFileSync(join(outDir, 'profiles.json'), JSON.stringify({ meta, options: opts, profiles }, null, 2));
      const md = profiles.map(renderProfile).join('\n');
      writeFileSync(join(outDir, 'profiles.md'), md);
      process.stdout.write(`${md}\n`);
      say(`profiles in ${join(outDir, 'profiles')}`);
      return 0;
    }

    const result = await compare(opts, ctx, runner, outDir);
    const fullMeta = { ...meta, loadavgAfter: loadavg(), seconds: Math.round((Date.now() - t0) / 1000) };
    const jsonFile = join(outDir, 'results.json');
    writeFileSync(jsonFile, JSON.stringify({ meta: fullMeta, options: opts, ...result }, null, 2));
    const md = renderReport(result.summary, result.goals, 'modelplane', {
      title: `modelplane vs bare proxy (${new Date(t0).toISOString().slice(0, 16)}Z)`,
      loadGenerator: runner.name,
      bare: 'bare',
      notes: [
        `${meta.cpus}, Node ${meta.node}; pinned: ${meta.pinned}`,
        `${opts.rounds} round(s) × ${opts.durationS} s per measurement, ${opts.warmupS} s warm-up; probe ${opts.probeN} requests per target and round`,
        `modelplane: auth on, one route → one openai-chat deployment, info request logs to ${meta.gatewayLog}`,
        `background CPU in the second before the run (not ours): core0 ${background[0]!.toFixed(0)}%, core1 ${background[1]!.toFixed(0)}%; ` +
          `loadavg before ${meta.loadavgBefore.map((x) => x.toFixed(2)).join(' ')}, after ${fullMeta.loadavgAfter.map((x) => x.toFixed(2)).join(' ')}; shared 2-core machine: compare within a run`,
        ...result.skipped.map((s) => `skipped ${s}`),
        `JSON: ${jsonFile}`,
      ],
    });
    const featureMd = result.featureSummary ? renderFeatureReport(result.featureSummary, opts.features.map((f) => [f, FEATURES[f]!.describe] as const)) : '';
    writeFileSync(join(outDir, 'report.md'), md + featureMd);
    process.stdout.write(`${md}\n${featureMd}`);
    return 0;
  } finally {
    clearTimeout(watchdog);
    await procs.stopAll();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    say(`failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
    process.exitCode = 1;
  },
);
