// `node dist/bench/metrics-ab.js [--rounds 10] [--n 2000]`: the CPU cost of metrics as a paired,
// in-process A/B. Two gateways with the default extensions in this process, identical but for
// `telemetry.metrics.enabled`, requests injected without a socket (light-my-request), the mock
// upstream in a child process over real HTTP. Rounds alternate A and B (which goes first
// alternates too) and each is timed by this process's CPU time (user + system), so neighbours on
// the machine slow both alike; the ratio of each round is printed with the median and the range.
// The denominator has no server socket work, so the ratio overstates metrics' share of a real
// request a little: read it as an upper bound. `--aa` runs two identical gateways (metrics on in
// both): the spread of that ratio is the method's own.

import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { injectable, type Injectable } from '../testkit/inject.js';

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
}

const rounds = arg('rounds', 10);
const n = arg('n', 2000);
const conc = 16;

const mock = spawn(process.execPath, [fileURLToPath(new URL('./mock-upstream.js', import.meta.url)), '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
const port = await new Promise<number>((resolve, reject) => {
  mock.stdout.on('data', (d: Buffer) => {
    const m = /listening (\d+)/.exec(d.toString());
    if (m) resolve(Number(m[1]));
  });
  mock.on('exit', () => reject(new Error('the mock upstream exited')));
});

const config = (metrics: boolean) => `
auth: { master_key: sk-ab }
telemetry: { metrics: { enabled: ${metrics} } }
logging: { level: warn }
providers: { mock: { format: openai-chat, base_url: http://127.0.0.1:${port}/v1, auth: none } }
deployments: { a: { provider: mock, model: bench-model } }
routes: { bench: { targets: [a] } }
`;
const payload = { model: 'bench', messages: [{ role: 'user', content: 'In one sentence: what does an API gateway do?' }], max_tokens: 64 };

async function load(g: Injectable, count: number): Promise<number> {
  let sent = 0;
  const c0 = process.cpuUsage();
  const lane = async () => {
    while (sent < count) {
      sent++;
      const r = await g.inject({ method: 'POST', url: '/v1/chat/completions', headers: { authorization: 'Bearer sk-ab' }, payload });
      if (r.statusCode !== 200) throw new Error(`status ${r.statusCode}: ${r.body}`);
    }
  };
  await Promise.all(Array.from({ length: conc }, lane));
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / count;
}

const on = injectable({ configText: config(true) });
// --aa: both gateways with metrics on, to see the bias and spread of the method itself.
const off = injectable({ configText: config(process.argv.includes('--aa')) });
try {
  await load(on, n);
  await load(off, n);
  const ratios: number[] = [];
  const perOn: number[] = [];
  const perOff: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const first = r % 2 === 0;
    const a = first ? await load(on, n) : 0;
    const b = await load(off, n);
    const a2 = first ? a : await load(on, n);
    perOn.push(a2);
    perOff.push(b);
    ratios.push(a2 / b);
    console.log(`round ${r + 1}: metrics on ${a2.toFixed(1)} µs CPU/request, off ${b.toFixed(1)} µs, ratio ${(a2 / b).toFixed(3)}`);
  }
  const med = (x: number[]) => [...x].sort((p, q) => p - q)[x.length >> 1]!;
  console.log(`median CPU per request: on ${med(perOn).toFixed(1)} µs, off ${med(perOff).toFixed(1)} µs; on ÷ off median ${med(ratios).toFixed(3)} (rounds ${Math.min(...ratios).toFixed(3)}–${Math.max(...ratios).toFixed(3)})`);
} finally {
  await on.close();
  await off.close();
  mock.kill();
}
