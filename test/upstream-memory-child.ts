// Child process of e2e-upstream-memory.test.ts (run with --expose-gc): a gateway in front of an
// upstream that answers 100 MB, four requests at once (buffered and streamed), and the process's
// RSS before and after, each measured after forced garbage collections. Prints one JSON line.
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { once } from 'node:events';
import { startGateway } from '../src/server/app.js';
import { createLogger } from '../src/telemetry/log.js';
import { Writable } from 'node:stream';

const HUNDRED_MB = 100 * 1024 * 1024;
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');

/** Resolves on 'drain' or 'close', leaving no listener behind. */
function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => { res.off('drain', done); res.off('close', done); resolve(); };
    res.on('drain', done);
    res.on('close', done);
  });
}

async function pour(res: ServerResponse, unit: Buffer, total: number): Promise<void> {
  for (let sent = 0; sent < total && !res.destroyed; sent += unit.length) {
    if (!res.write(unit)) await drained(res);
  }
  if (!res.destroyed) res.end();
}

const small = JSON.stringify({ id: 'c1', object: 'chat.completion', created: 1, model: 'm', choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }], usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } });

const upstream = createServer((req, res) => {
  res.on('error', () => {});
  let body = '';
  req.on('data', (d: Buffer) => (body += d.toString()));
  req.on('end', () => {
    const parsed = JSON.parse(body) as { stream?: boolean; messages: Array<{ content: string }> };
    const big = parsed.messages[0]!.content === 'big';
    if (!big) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(small);
      return;
    }
    if (parsed.stream) {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const chunk = `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: { content: 'x'.repeat(4000) } }] })}\n\n`;
      void pour(res, Buffer.from(chunk.repeat(16)), HUNDRED_MB);
    } else {
      // A JSON answer whose content string is 100 MB long.
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"id":"c","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"');
      void pour(res, Buffer.alloc(64 * 1024, 0x61), HUNDRED_MB);
    }
  });
});
upstream.listen(0, '127.0.0.1');
await once(upstream, 'listening');
const upUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/v1`;

const quiet = createLogger('error', new Writable({ write: (_c, _e, cb) => cb() }));
const gw = await startGateway({
  configText: `providers:\n  up: { format: openai-chat, base_url: ${upUrl}, api_key: sk-memory-test-key }\ndeployments:\n  d: { provider: up, model: m }\nroutes:\n  r: { targets: [d], retry: { max_attempts: 1 } }\n`,
  port: 0,
  logger: quiet,
  env: {},
});

async function ask(content: string, stream: boolean): Promise<{ status: number; text: string }> {
  const res = await fetch(`${gw.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'r', stream, messages: [{ role: 'user', content }] }) });
  // Read as it comes, keeping only the head and the tail: the client must not be what holds memory.
  let head = '';
  let tail = '';
  const decoder = new TextDecoder();
  for await (const chunk of res.body!) {
    const t = decoder.decode(chunk, { stream: true });
    if (head.length < 300) head += t.slice(0, 300 - head.length);
    tail = (tail + t).slice(-600);
  }
  return { status: res.status, text: `${head} … ${tail}` };
}

interface Memory {
  rss: number;
  /** JS heap in use plus memory held outside it (Buffers): what the gateway itself still holds. */
  held: number;
}

async function settled(): Promise<Memory> {
  for (let i = 0; i < 6; i++) {
    gc!();
    await new Promise((r) => setImmediate(r));
  }
  const m = process.memoryUsage();
  return { rss: m.rss, held: m.heapUsed + m.external };
}

for (let i = 0; i < 20; i++) await ask('warm up', false);
const baseline = await settled();
const answers = await Promise.all([ask('big', false), ask('big', false), ask('big', true), ask('big', true)]);
const afterFirst = await settled();
// Again: memory that is truly released is reused, so a second round does not add to it.
const again = await Promise.all([ask('big', false), ask('big', false), ask('big', true), ask('big', true)]);
const after = await settled();
const ordinary = await ask('after', false);
await gw.close();
upstream.closeAllConnections();
upstream.close();
process.stdout.write(JSON.stringify({ baseline, afterFirst, after, answers: [...answers, ...again], ordinary }) + '\n');
