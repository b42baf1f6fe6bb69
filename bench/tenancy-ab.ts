// In-process A/B of tenancy's hot-path cost: several gateways in this one process (pinned to
// core 1), the mock upstream and wrk on core 0, loaded in interleaved rounds so every variant
// sees the same machine. Reports req/s and this process's CPU per request (process.cpuUsage over
// the load window, which on a shared machine moves less than req/s), each as a ratio to `off`.
//
//   off     no data dir: tenancy and the ledger off (what issue 9's 0.9x goal compares with)
//   master  a data dir (tenancy and the ledger on, as `serve --config` runs), the master key
//   noledger  the same with `ledger: { enabled: false }` (what the ledger's writes cost)
//   key     the same, a virtual key with a budget, two rate limits and attribution headers
//
// Metrics are off in every variant (their cost is telemetry's to state). Results on stderr; the
// gateways' request logs go to stdout, so run with >/dev/null:
//   node dist/bench/tenancy-ab.js [--rounds 5] [--duration 3] [--conns 50] >/dev/null

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';
import { startGateway, type Gateway } from '../src/server/app.js';
import { childArgs } from './child.js';
import { wrkRunner } from './load.js';
import { ProcessSet } from './procs.js';
import { requestBody } from './targets.js';

const MASTER = 'sk-bench';
const KEY = `mp-${'b'.repeat(32)}`;

interface Variant {
  name: string;
  dataDir: boolean;
  extra: string[];
  headers: Record<string, string>;
}

const VARIANTS: Variant[] = [
  { name: 'off', dataDir: false, extra: [], headers: { authorization: `Bearer ${MASTER}` } },
  { name: 'master', dataDir: true, extra: [], headers: { authorization: `Bearer ${MASTER}` } },
  { name: 'noledger', dataDir: true, extra: ['ledger: { enabled: false }'], headers: { authorization: `Bearer ${MASTER}` } },
  {
    name: 'key',
    dataDir: true,
    extra: ['keys:', `  bench-key: { key: ${KEY}, agent: bench-agent, budget: { usd: 1000000, period: month }, limits: { rpm: 100000000, tpm: 100000000000 } }`],
    headers: { authorization: `Bearer ${KEY}`, 'x-modelplane-workflow': 'bench', 'x-modelplane-customer': 'bench-customer' },
  },
];

function config(mockPort: number, v: Variant, dir: string): string {
  return [
    `auth: { master_key: ${MASTER} }`,
    'logging: { level: info }',
    'telemetry: { metrics: { enabled: false } }',
    ...(v.dataDir ? [`storage: { data_dir: ${join(dir, v.name)} }`] : []),
    ...v.extra,
    'providers:',
    `  mock: { format: openai-chat, base_url: http://127.0.0.1:${mockPort}/v1, auth: none }`,
    'deployments:',
    '  a: { provider: mock, model: bench-model }',
    'routes:',
    '  bench: { targets: [a] }',
    '',
  ].join('\n');
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

async function main(): Promise<void> {
  const args = childArgs(process.argv.slice(2));
  const rounds = Number(args.get('rounds') ?? 5);
  const duration = Number(args.get('duration') ?? 3);
  const conns = Number(args.get('conns') ?? 50);
  const only = args.get('variants')?.split(',');
  try {
    execFileSync('taskset', ['-pc', '1', String(process.pid)], { stdio: 'ignore' });
  } catch {
    process.stderr.write('taskset unavailable: not pinned\n');
  }
  const dir = mkdtempSync(join(tmpdir(), 'mp-tenancy-ab-'));
  const procs = new ProcessSet(true);
  const mock = procs.start('mock', process.execPath, [fileURLToPath(new URL('./mock-upstream.js', import.meta.url)), '--port', '0'], { logFile: join(dir, 'mock.log'), pipeStdout: true, cpu: 0 });
  const mockPort = Number((await procs.waitForLine(mock, /listening (\d+)/, 10_000))[1]);
  const wrk = wrkRunner(procs, dir, 0);
  const variants = only ? VARIANTS.filter((v) => only.includes(v.name)) : VARIANTS;
  const gws: Array<{ v: Variant; gw: Gateway }> = [];
  for (const v of variants) gws.push({ v, gw: await startGateway({ configText: config(mockPort, v, dir), port: 0, host: '127.0.0.1' }) });
  const body = requestBody('bench', 'nonstream');
  const res = new Map<string, { rps: number[]; cpu: number[] }>(variants.map((v) => [v.name, { rps: [], cpu: [] }]));
  try {
    for (const { v, gw } of gws) await wrk.run({ url: `http://127.0.0.1:${gw.port}/v1/chat/completions`, headers: v.headers, body, conns, durationS: 1 }, join(dir, 'wrk.log'));
    for (let r = 0; r < rounds; r++) {
      // Alternate the order each round so neither variant always follows the other.
      const order = r % 2 === 0 ? gws : [...gws].reverse();
      for (const { v, gw } of order) {
        const c0 = process.cpuUsage();
        const out = await wrk.run({ url: `http://127.0.0.1:${gw.port}/v1/chat/completions`, headers: v.headers, body, conns, durationS: duration }, join(dir, 'wrk.log'));
        const c = process.cpuUsage(c0);
        if (out.errors > 0) throw new Error(`${v.name}: ${out.errors} errors`);
        const cpuUs = (c.user + c.system) / out.requests;
        res.get(v.name)!.rps.push(out.rps);
        res.get(v.name)!.cpu.push(cpuUs);
        process.stderr.write(`round ${r + 1} ${v.name.padEnd(7)} ${out.rps.toFixed(0).padStart(6)} req/s  ${cpuUs.toFixed(1).padStart(6)} µs CPU/req\n`);
      }
    }
  } finally {
    for (const { gw } of gws) await gw.close();
    await procs.stopAll();
    rmSync(dir, { recursive: true, force: true });
  }
  const base = res.get(variants[0]!.name)!;
  process.stderr.write(`\nvariant  median req/s  ÷${variants[0]!.name} (paired median)  median µs CPU/req  ÷${variants[0]!.name} (paired median)\n`);
  for (const v of variants) {
    const m = res.get(v.name)!;
    const rr = median(m.rps.map((x, i) => x / base.rps[i]!));
    const cr = median(m.cpu.map((x, i) => x / base.cpu[i]!));
    process.stderr.write(`${v.name.padEnd(8)} ${median(m.rps).toFixed(0).padStart(12)}  ${rr.toFixed(3).padStart(10)}×  ${median(m.cpu).toFixed(1).padStart(18)}  ${cr.toFixed(3).padStart(10)}×\n`);
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${String(e)}\n`);
  process.exit(1);
});
