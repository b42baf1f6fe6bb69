// `node dist/bench/metrics-record.js`: what the metrics extension costs one request, in process.
// Builds a realistic finished call (a route, a deployment, an attempt, usage, a key's
// attribution) from a loaded snapshot and runs the extension's stage, attempt observer and
// after-hook on it in a loop, interleaved with the same loop without the extension (the
// baseline: the call's own bookkeeping), several rounds. Prints ns per request for both and the
// difference; the spread across rounds says how noisy the machine was. No timing assertions.

import { loadSnapshotFromText } from '../src/config/load.js';
import type { Answer, Call } from '../src/gateway/call.js';
import type { Attempt } from '../src/routing/index.js';
import { metricsExtension } from '../src/telemetry/metrics-extension.js';

const CONFIG = `
auth: { master_key: sk-m }
telemetry: { metrics: { labels: [team, key] } }
providers: { p: { format: openai-chat, base_url: http://127.0.0.1:9/v1, auth: none } }
deployments: { d: { provider: p, model: m } }
routes: { r: { targets: [d] } }
`;

const snapshot = loadSnapshotFromText(CONFIG, { env: {} });
const route = snapshot.routes.get('r')!;
const deployment = snapshot.deployments.get('d')!;
const KEYS = ['k-alpha', 'k-beta', 'k-gamma', 'k-delta'];

function call(i: number): { call: Call; attempt: Attempt } {
  const attempt = { deployment, credential: undefined, index: 0, delayMs: 0, kind: 'primary' } as unknown as Attempt;
  const c = {
    ex: { startedAt: Date.now() - 3, snapshot, clock: Date.now },
    endpoint: 'chat',
    format: 'openai-chat',
    caller: { kind: 'key', keyId: KEYS[i & 3], team: 'blue' },
    route,
    headers: [],
    trace: { attempts: 1, failures: [], warnings: [] },
    outcome: { status: 200, attempt, usage: { inputTokens: 31, outputTokens: 12 }, costUsd: 0.00012 },
  } as unknown as Call;
  return { call: c, attempt };
}

const answer: Answer = { kind: 'json', status: 200, body: null };
const next = () => Promise.resolve(answer);

function loop(n: number, ext: ReturnType<typeof metricsExtension> | undefined): number {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    const { call: c, attempt } = call(i);
    if (ext) {
      void ext.stage!(c, next);
      ext.observer!.started!(c, attempt);
      ext.observer!.succeeded!(c, attempt, 3, undefined, Date.now());
      ext.after!(c);
    }
  }
  return Number(process.hrtime.bigint() - t0) / n;
}

const ext = metricsExtension({ snapshot });
const n = Number(process.env.N ?? 200_000);
const rounds = Number(process.env.ROUNDS ?? 7);
loop(n, ext);
loop(n, undefined);
const on: number[] = [];
const off: number[] = [];
for (let r = 0; r < rounds; r++) {
  on.push(loop(n, ext));
  off.push(loop(n, undefined));
}
const med = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1]!;
const diffs = on.map((v, i) => v - off[i]!);
console.log(`per request, ${rounds} rounds of ${n}: with metrics ${med(on).toFixed(0)} ns, without ${med(off).toFixed(0)} ns, metrics ${med(diffs).toFixed(0)} ns (rounds ${Math.min(...diffs).toFixed(0)}–${Math.max(...diffs).toFixed(0)} ns)`);
