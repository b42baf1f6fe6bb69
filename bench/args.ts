// Command-line options of `npm run bench`. Pure: argv + env in, options out (or a usage error).

import { parseArgs } from 'node:util';
import type { Scenario } from './summary.js';
import { parseFeatures } from './features.js';

export interface BenchOptions {
  scenarios: Scenario[];
  conns: number[];
  durationS: number;
  warmupS: number;
  rounds: number;
  probeN: number;
  withPortkey: boolean;
  /** Also measure modelplane with 10% shadow traffic on the route (issue 12). */
  pin: boolean;
  installWrk: boolean;
  forceNodeLoad: boolean;
  out?: string;
  maxSeconds: number;
  profile: boolean;
  gatewayLogToFile: boolean;
  /** Feature variants measured against `modelplane` (bench/features.ts). */
  features: string[];
  help: boolean;
}

export const USAGE = `usage: npm run bench -- [options]
  --quick              ~1 minute: 2 s per measurement, 1 s warm-up, 2 rounds, 150 probe requests
  --duration S         seconds per measurement (default 3)
  --warmup S           warm-up seconds per target and scenario, results discarded (default 2)
  --rounds N           interleaved rounds; tables show medians over rounds (default 4)
  --conns LIST         connection counts, comma-separated (default 1,50)
  --scenarios LIST     nonstream,stream (default both)
  --probe-n N          requests per TTFB probe at concurrency 1; 0 turns the probe off (default 300)
  --with-portkey       also measure @portkey-ai/gateway 1.15.2, installed with npm into a temp dir
  --no-pin             do not pin processes with taskset
  --install-wrk        when wrk is missing and we run as root: apt-get install -y wrk
                       (also BENCH_INSTALL_WRK=1); otherwise a Node load generator is used
  --node-load          use the Node (undici) load generator even when wrk is installed
  --log-devnull        send the gateway's info logs to /dev/null instead of a file in the results dir
  --profile            instead of the comparison: run modelplane under node --cpu-prof, one
                       non-stream and one stream load, and print the top self-time functions
  --features LIST      also measure modelplane with these features on (comma-separated; see
                       bench/features.ts: auto, cache), each as a ratio to modelplane with it off
  --out DIR            results directory (default: $TMPDIR/modelplane-bench/<timestamp>)
  --max-seconds S      hard limit for the whole run; everything is stopped after it (default 600)
`;

function positiveInt(name: string, v: string | undefined, def: number, min = 1): number {
  if (v === undefined) return def;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer >= ${min}, got "${v}"`);
  return n;
}

function positiveNumber(name: string, v: string | undefined, def: number): number {
  if (v === undefined) return def;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number, got "${v}"`);
  return n;
}

export function parseBenchArgs(argv: readonly string[], env: NodeJS.ProcessEnv = {}): BenchOptions {
  const { values: v } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      quick: { type: 'boolean' },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      rounds: { type: 'string' },
      conns: { type: 'string' },
      scenarios: { type: 'string' },
      'probe-n': { type: 'string' },
      'with-portkey': { type: 'boolean' },
      'no-pin': { type: 'boolean' },
      'install-wrk': { type: 'boolean' },
      'node-load': { type: 'boolean' },
      'log-devnull': { type: 'boolean' },
      profile: { type: 'boolean' },
      out: { type: 'string' },
      'max-seconds': { type: 'string' },
      features: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const quick = v.quick === true;
  const scenarios = (v.scenarios ?? 'nonstream,stream').split(',').map((s) => s.trim());
  for (const s of scenarios) if (s !== 'nonstream' && s !== 'stream') throw new Error(`--scenarios: unknown scenario "${s}" (nonstream, stream)`);
  const conns = (v.conns ?? '1,50').split(',').map((c) => positiveInt('conns', c.trim(), 1));
  if (conns.some((c) => c > 1000)) throw new Error('--conns: at most 1000 connections');
  const opts: BenchOptions = {
    scenarios: scenarios as Scenario[],
    conns,
    durationS: positiveNumber('duration', v.duration, quick ? 2 : 3),
    warmupS: v.warmup === '0' ? 0 : positiveNumber('warmup', v.warmup, quick ? 1 : 2),
    rounds: positiveInt('rounds', v.rounds, quick ? 2 : 4),
    probeN: v['probe-n'] === '0' ? 0 : positiveInt('probe-n', v['probe-n'], quick ? 150 : 300),
    withPortkey: v['with-portkey'] === true,
    pin: v['no-pin'] !== true,
    installWrk: v['install-wrk'] === true || env.BENCH_INSTALL_WRK === '1',
    forceNodeLoad: v['node-load'] === true,
    maxSeconds: positiveNumber('max-seconds', v['max-seconds'], 600),
    profile: v.profile === true,
    gatewayLogToFile: v['log-devnull'] !== true,
    features: parseFeatures(v.features),
    help: v.help === true,
  };
  if (v.out !== undefined) opts.out = v.out;
  return opts;
}

/** Seconds the measurement loop should take (load runs and warm-ups; probes and start-up come on top). */
export function estimateSeconds(o: BenchOptions, targets: number): number {
  const perScenario = targets * (o.warmupS + o.conns.length * o.rounds * (o.durationS + 0.3));
  return Math.round(o.scenarios.length * perScenario);
}
