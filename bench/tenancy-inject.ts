// The whole request pipeline without sockets on the gateway side (light-my-request, as
// testkit/inject.ts), for variants that differ only in who calls and what their key carries: CPU
// per request of this process, interleaved rounds, 8 requests in flight. The upstream is the
// bench mock on loopback, the same for every variant, so differences are the gateway's own. Less
// exposed to a busy machine than wrk against a socket: no client process, no accept queue.
//
//   node dist/bench/tenancy-inject.js [--n 4000] [--rounds 5] [--variants master,key]

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import inject from 'light-my-request';
import { assembleGateway, type GatewayCore } from '../src/server/app.js';
import { createLogger } from '../src/telemetry/log.js';
import { childArgs } from './child.js';
import { ProcessSet } from './procs.js';
import { requestBody } from './targets.js';

const MASTER = 'sk-bench';
const KEY = `mp-${'b'.repeat(32)}`;
const ATTRIBUTION = { 'x-modelplane-workflow': 'bench', 'x-modelplane-customer': 'bench-customer' };

const VARIANTS: Record<string, { keys?: string; headers: Record<string, string> }> = {
  master: { headers: { authorization: `Bearer ${MASTER}` } },
  'master-attr': { headers: { authorization: `Bearer ${MASTER}`, ...ATTRIBUTION } },
  'key-plain': { keys: `{ key: ${KEY}, agent: bench-agent }`, headers: { authorization: `Bearer ${KEY}`, ...ATTRIBUTION } },
  'key-budget': { keys: `{ key: ${KEY}, agent: bench-agent, budget: { usd: 1000000, period: month } }`, headers: { authorization: `Bearer ${KEY}`, ...ATTRIBUTION } },
  key: { keys: `{ key: ${KEY}, agent: bench-agent, budget: { usd: 1000000, period: month }, limits: { rpm: 100000000, tpm: 100000000000 } }`, headers: { authorization: `Bearer ${KEY}`, ...ATTRIBUTION } },
};

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

async function main(): Promise<void> {
  const args = childArgs(process.argv.slice(2));
  const n = Number(args.get('n') ?? 4000);
  const rounds = Number(args.get('rounds') ?? 5);
  const names = (args.get('variants') ?? 'master,master-attr,key-plain,key-budget,key').split(',');
  const dir = mkdtempSync(join(tmpdir(), 'mp-tenancy-inject-'));
  const procs = new ProcessSet(true);
  const mock = procs.start('mock', process.execPath, [fileURLToPath(new URL('./mock-upstream.js', import.meta.url)), '--port', '0'], { logFile: join(dir, 'mock.log'), pipeStdout: true, cpu: 0 });
  const port = Number((await procs.waitForLine(mock, /listening (\d+)/, 10_000))[1]);
  const sink = new Writable({ write: (_c, _e, cb) => cb() });
  const cores = new Map<string, GatewayCore>();
  for (const name of names) {
    const v = VARIANTS[name]!;
    const configText = [
      `auth: { master_key: ${MASTER} }`, 'logging: { level: info }', 'telemetry: { metrics: { enabled: false } }', `storage: { data_dir: ${join(dir, name)} }`,
      ...(v.keys ? ['keys:', `  bench-key: ${v.keys}`] : []),
      'providers:', `  mock: { format: openai-chat, base_url: http://127.0.0.1:${port}/v1, auth: none }`,
      'deployments:', '  a: { provider: mock, model: bench-model }', 'routes:', '  bench: { targets: [a] }', '',
    ].join('\n');
    cores.set(name, assembleGateway({ configText, env: {}, logger: createLogger('info', sink) }));
  }
  const payload = requestBody('bench', 'nonstream');
  const run = async (name: string, count: number) => {
    const core = cores.get(name)!;
    const headers = { 'content-type': 'application/json', ...VARIANTS[name]!.headers };
    let left = count;
    const worker = async () => {
      while (left-- > 0) {
        const r = await inject(core.handler, { method: 'POST', url: '/v1/chat/completions', headers, payload });
        if (r.statusCode !== 200) throw new Error(`${name}: HTTP ${r.statusCode} ${r.payload.slice(0, 200)}`);
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
  };
  const res = new Map<string, number[]>(names.map((x) => [x, []]));
  try {
    for (const name of names) await run(name, 1000);
    for (let r = 0; r < rounds; r++) {
      for (const name of r % 2 === 0 ? names : [...names].reverse()) {
        const c0 = process.cpuUsage();
        await run(name, n);
        const c = process.cpuUsage(c0);
        res.get(name)!.push((c.user + c.system) / n);
      }
    }
  } finally {
    for (const c of cores.values()) await c.close();
    await procs.stopAll();
    rmSync(dir, { recursive: true, force: true });
  }
  const base = res.get(names[0]!)!;
  for (const name of names) {
    const xs = res.get(name)!;
    const ratio = median(xs.map((x, i) => x / base[i]!));
    process.stdout.write(`${name.padEnd(12)} ${median(xs).toFixed(1).padStart(7)} µs CPU/request  ${ratio.toFixed(3)}× ${names[0]} (paired median; rounds ${xs.map((x) => x.toFixed(0)).join(' ')})\n`);
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${String(e)}\n`);
  process.exit(1);
});
