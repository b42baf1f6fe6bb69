// `node --expose-gc dist/bench/soak.js [requests] [concurrency]`: a long seeded mix of ordinary
// and hostile requests (streaming and buffered chat, Anthropic messages, Responses chains, bad
// bodies, hostile upstream answers over the size limits) through one gateway, printing the
// process's RSS and heap every tenth of the run: a leak shows as a curve that keeps climbing.
// Loopback only; the gateway, the simulated providers and the client share this process, so the
// figures are an upper bound on the gateway's own.

import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { startSimulator } from '../testkit/simulator.js';
import { mulberry32 } from '../testkit/prng.js';
import { startGateway } from '../src/server/app.js';
import { createLogger } from '../src/telemetry/log.js';

export interface SoakSample {
  done: number;
  rssMb: number;
  heapMb: number;
}

function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => { res.off('drain', done); res.off('close', done); resolve(); };
    res.on('drain', done);
    res.on('close', done);
  });
}

/** An upstream that answers 40 MB (over the default 32 MiB buffered limit). */
async function bigUpstream() {
  const unit = Buffer.alloc(64 * 1024, 0x61);
  const server = createServer((req, res) => {
    res.on('error', () => {});
    req.resume();
    req.on('end', async () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      for (let sent = 0; sent < 40 * 1024 * 1024 && !res.destroyed; sent += unit.length) if (!res.write(unit)) await drained(res);
      if (!res.destroyed) res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => { server.closeAllConnections(); server.close(); } };
}

export async function soak(total: number, concurrency: number, onSample: (s: SoakSample) => void): Promise<SoakSample[]> {
  const sim = await startSimulator({ port: 0, seed: 3 });
  const big = await bigUpstream();
  const gw = await startGateway({
    configText: `
providers:
  sim:    { format: openai-chat, base_url: ${sim.url}/openai/v1, api_key: sk-soak-a }
  claude: { format: anthropic-messages, base_url: ${sim.url}/anthropic/v1, api_key: sk-soak-b }
  big:    { format: openai-chat, base_url: ${big.url}/v1, api_key: sk-soak-c }
deployments:
  a: { provider: sim, model: up-model-1 }
  b: { provider: claude, model: up-model-2 }
  huge: { provider: big, model: m }
routes:
  chat: { targets: [a, b] }
  huge: { targets: [huge], retry: { max_attempts: 1 } }
`,
    port: 0,
    logger: createLogger('silent', new Writable({ write: (_c, _e, cb) => cb() })),
    env: {},
  });
  const rnd = mulberry32(11);
  const samples: SoakSample[] = [];
  const gc = (globalThis as { gc?: () => void }).gc;
  const sample = (done: number) => {
    gc?.();
    const m = process.memoryUsage();
    const s = { done, rssMb: Math.round(m.rss / 1048576), heapMb: Math.round(m.heapUsed / 1048576) };
    samples.push(s);
    onSample(s);
  };
  const call = async (i: number) => {
    const roll = rnd();
    const [path, body] =
      roll < 0.35 ? ['/v1/chat/completions', { model: 'chat', stream: rnd() < 0.5, messages: [{ role: 'user', content: `soak ${i}` }] }]
      : roll < 0.6 ? ['/v1/messages', { model: 'chat', max_tokens: 30, stream: rnd() < 0.5, messages: [{ role: 'user', content: `soak ${i}` }] }]
      : roll < 0.8 ? ['/v1/responses', { model: 'chat', input: `soak ${i}` }]
      : roll < 0.98 ? ['/v1/chat/completions', { model: 'chat', messages: [{ role: 'user', content: [{ type: 'nope' }] }], tools: 'x' }]
      : ['/v1/chat/completions', { model: 'huge', messages: [{ role: 'user', content: 'big' }] }];
    const res = await fetch(`${gw.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' }, body: JSON.stringify(body) });
    await res.arrayBuffer();
  };
  let next = 0;
  let done = 0;
  const every = Math.max(1, Math.floor(total / 10));
  sample(0);
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        await call(next++);
        if (++done % every === 0) sample(done);
      }
    }),
  );
  await gw.close();
  await sim.close();
  big.close();
  return samples;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const total = Number(process.argv[2] ?? 100_000);
  const concurrency = Number(process.argv[3] ?? 16);
  process.stdout.write('requests,rss_mb,heap_mb\n');
  await soak(total, concurrency, (s) => process.stdout.write(`${s.done},${s.rssMb},${s.heapMb}\n`));
}
