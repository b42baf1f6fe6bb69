// Gateway latency of the cache's three paths over real HTTP on loopback: a miss (the mock
// upstream answers), an exact hit and a semantic hit (nothing goes upstream), next to an
// uncached route, sequentially (one request at a time, so each figure is one request's own cost).
// Usage: npx tsc -p tsconfig.json && node dist/bench/cache-gateway.js [--n 500]

import type { AddressInfo } from 'node:net';
import { request as httpRequest, Agent } from 'node:http';
import { startGateway } from '../src/server/app.js';
import { createLogger } from '../src/telemetry/log.js';
import { startMockUpstream } from './mock-upstream.js';
import { summariseLatencies } from './stats.js';

const n = Number(process.argv[process.argv.indexOf('--n') + 1] ?? 500) || 500;
const KEY = 'sk-bench';
const upstream = await startMockUpstream(0);
const upUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
const gw = await startGateway({
  configText: `
auth: { master_key: ${KEY} }
logging: { level: silent }
providers: { up: { format: openai-chat, base_url: ${upUrl}/v1, api_key: k } }
deployments: { d: { provider: up, model: bench-model } }
routes:
  plain: { targets: [d] }
  exact: { targets: [d], cache: { mode: exact } }
  semantic: { targets: [d], cache: { mode: semantic } }
`,
  port: 0,
  logger: createLogger('silent'),
  env: {},
});
const agent = new Agent({ keepAlive: true, maxSockets: 1 });

function post(body: unknown): Promise<{ ms: number; cache: string | undefined }> {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const req = httpRequest(`${gw.url}/v1/chat/completions`, { method: 'POST', agent, headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ ms: Number(process.hrtime.bigint() - t0) / 1e6, cache: res.headers['x-modelplane-cache'] as string | undefined }));
    });
    req.on('error', reject);
    req.end(payload);
  });
}

const body = (route: string, text: string) => ({ model: route, messages: [{ role: 'system', content: 'You are a support bot.' }, { role: 'user', content: text }], temperature: 0 });

async function run(label: string, make: (i: number) => unknown, expect: string | undefined): Promise<void> {
  for (let i = 0; i < 50; i++) await post(make(i)); // warm-up
  const ms: number[] = [];
  for (let i = 0; i < n; i++) {
    const r = await post(make(i + 50));
    if (r.cache !== expect) throw new Error(`${label}: expected x-modelplane-cache ${expect}, got ${r.cache}`);
    ms.push(r.ms);
  }
  const s = summariseLatencies(ms);
  console.log(`| ${label} | ${s.p50.toFixed(3)} | ${s.p99.toFixed(3)} |`);
}

console.log(`n = ${n} sequential requests per row`);
console.log('| path | p50 ms | p99 ms |');
console.log('|---|---|---|');
await run('uncached route (proxy to the mock upstream)', () => body('plain', 'How do I reset my password?'), undefined);
await run('miss (unique question, stored)', (i) => body('exact', `Question number ${i} about my order?`), 'miss');
await post(body('exact', 'How do I reset my password?'));
await run('exact hit', () => body('exact', 'How do I reset my password?'), 'hit-exact');
await post(body('semantic', 'How do I reset my password?'));
await run('semantic hit (paraphrase)', (i) => body('semantic', i % 2 ? 'How can I reset my password?' : 'how to reset my password'), 'hit-semantic');
await gw.close();
agent.destroy();
upstream.close();
