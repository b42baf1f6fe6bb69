// `node dist/bench/instructions.js [--features metrics-off] [--n 2000] [--scenario nonstream]`:
// CPU instructions per request of the gateway, counted by valgrind (callgrind), for `modelplane`
// and each feature variant. Wall-clock throughput on a shared machine moves with the neighbours;
// instruction counts hardly do, so a feature's cost reads as a stable ratio. Each target is run
// twice, serving `warm` and then `warm + n` requests from a fresh process, and the difference is
// divided by n: start-up and JIT warm-up cancel out. Under valgrind the gateway runs ~50x slower,
// so n is small; the mock upstream runs natively in this process.

import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'node:http';
import { FEATURES, parseFeatures } from './features.js';
import { startMockUpstream } from './mock-upstream.js';
import { freePort } from './procs.js';
import { MASTER_KEY, modelplaneConfig, REPO_ROOT, requestBody } from './targets.js';
import type { FeatureVariant } from './features.js';
import type { Scenario } from './summary.js';

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? def) : def;
}

function send(port: number, body: string, n: number, conc: number, headers: Record<string, string>): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: conc });
  let started = 0;
  const one = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/v1/chat/completions', method: 'POST', agent, headers: { 'content-type': 'application/json', authorization: `Bearer ${MASTER_KEY}`, ...headers } }, (res) => {
        if (res.statusCode !== 200) reject(new Error(`status ${res.statusCode}`));
        res.resume();
        res.on('end', () => resolve());
      });
      req.on('error', reject);
      req.end(body);
    });
  const lane = async () => {
    while (started < n) {
      started++;
      await one();
    }
  };
  return Promise.all(Array.from({ length: conc }, lane)).then(() => agent.destroy());
}

async function waitUp(port: number): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const ok = await new Promise<boolean>((r) => {
      const req = request({ host: '127.0.0.1', port, path: '/healthz', method: 'GET' }, (res) => {
        res.resume();
        r(true);
      });
      req.on('error', () => r(false));
      req.end();
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error('the gateway did not come up under valgrind');
}

/**
 * Instructions the gateway process executed from start to exit, serving `count` requests. A free
 * port can be taken by another process while valgrind starts the gateway (seconds): a run whose
 * requests are not answered by our gateway (401 from someone else's) is retried on a new port.
 */
async function count(dir: string, mockPort: number, feature: FeatureVariant | undefined, scenario: Scenario, n: number): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await countOnce(dir, mockPort, feature, scenario, n);
    } catch (e) {
      if (attempt >= 3) throw e;
      console.error(`retrying on another port: ${String(e)}`);
    }
  }
}

async function countOnce(dir: string, mockPort: number, feature: FeatureVariant | undefined, scenario: Scenario, n: number): Promise<number> {
  const port = await freePort();
  const config = join(dir, `gw-${port}.yaml`);
  writeFileSync(config, modelplaneConfig(port, mockPort, feature));
  const child = spawn('valgrind', ['--tool=callgrind', '--callgrind-out-file=/dev/null', process.execPath, join(REPO_ROOT, 'bin', 'modelplane.js'), 'serve', '--config', config], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, NODE_ENV: 'production' },
  });
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<void>((r) => child.on('exit', () => r()));
  try {
    await waitUp(port);
    const body = requestBody(feature?.route ?? 'bench', scenario);
    await send(port, body, n, 8, feature?.headers ?? {});
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
  const m = /Collected : (\d+)/.exec(err);
  if (!m) throw new Error(`no instruction count from valgrind:\n${err.slice(-2000)}`);
  return Number(m[1]);
}

const n = Number(arg('n', '2000'));
const warm = Number(arg('warm', '1000'));
const scenario = arg('scenario', 'nonstream') as Scenario;
const names = ['', ...parseFeatures(arg('features', 'metrics-off'))];
const dir = mkdtempSync(join(tmpdir(), 'modelplane-ir-'));
const mock = await startMockUpstream(0);
const addr = mock.address();
const mockPort = typeof addr === 'object' && addr ? addr.port : 0;
const per: Record<string, number> = {};
for (const name of names) {
  const f = name === '' ? undefined : FEATURES[name];
  const a = await count(dir, mockPort, f, scenario, warm);
  const b = await count(dir, mockPort, f, scenario, warm + n);
  per[name || 'modelplane'] = (b - a) / n;
  console.log(`${name || 'modelplane'} ${scenario}: ${Math.round((b - a) / n)} instructions per request (${warm} then ${warm + n} requests: ${a} and ${b})`);
}
const base = per.modelplane!;
for (const [k, v] of Object.entries(per)) if (k !== 'modelplane') console.log(`modelplane ÷ ${k}: ${(base / v).toFixed(4)}× instructions per request`);
mock.close();
