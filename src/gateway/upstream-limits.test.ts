// What an upstream can make the gateway hold: a buffered body, one line of a stream, a whole
// stream. Each bound fails the attempt with upstream_protocol naming the config key, and
// closes the upstream connection (the upstream sees its socket go away).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { once } from 'node:events';
import { callUpstream, callUpstreamBuffered, closeUpstreamAgents, UpstreamBody } from './upstream.js';
import { AttemptAbort } from './cancel.js';
import { GatewayError } from '../spec/errors.js';
import type { UpstreamLimits } from '../spec/limits.js';

const LIMITS: UpstreamLimits = { maxBodyBytes: 1024 * 1024, maxEventBytes: 64 * 1024, maxStreamBytes: 2 * 1024 * 1024 };
const TIMEOUTS = { connectMs: 2_000, firstByteMs: 10_000, totalMs: 60_000 };

/** Writes `total` bytes of `unit` (repeated), honouring backpressure; resolves when done or cut. */
async function pour(res: ServerResponse, unit: Buffer, total: number): Promise<'finished' | 'cut'> {
  let sent = 0;
  while (sent < total) {
    if (res.destroyed) return 'cut';
    sent += unit.length;
    if (!res.write(unit)) {
      await new Promise<void>((resolve) => {
        const done = () => { res.off('drain', done); res.off('close', done); resolve(); };
        res.on('drain', done);
        res.on('close', done);
      });
      if (res.destroyed) return 'cut';
    }
  }
  res.end();
  return 'finished';
}

async function hostile(handler: (req: IncomingMessage, res: ServerResponse) => Promise<unknown>) {
  const outcomes: unknown[] = [];
  const server = createServer((req, res) => {
    res.on('error', () => {});
    void handler(req, res).then((o) => outcomes.push(o));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/x`;
  return {
    url,
    outcomes,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

const req = (url: string) => ({ method: 'POST' as const, url, headers: { 'content-type': 'application/json' }, body: '{}', warnings: [] });

function isTooLarge(key: string) {
  return (e: unknown) => {
    assert.ok(e instanceof GatewayError, String(e));
    assert.equal(e.code, 'upstream_protocol');
    assert.equal(e.retryable, true);
    assert.match(e.message, new RegExp(key.replaceAll('.', '\\.')));
    return true;
  };
}

test('a buffered body over the limit fails the attempt and the upstream connection is cut', async (t) => {
  const up = await hostile(async (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    return pour(res, Buffer.alloc(64 * 1024, 0x20), 50 * 1024 * 1024);
  });
  t.after(() => up.close());
  await assert.rejects(callUpstreamBuffered(req(up.url), TIMEOUTS, new AttemptAbort(), 'test', LIMITS), isTooLarge('server.limits.upstream_body'));
  while (up.outcomes.length === 0) await new Promise((r) => setImmediate(r));
  assert.deepEqual(up.outcomes, ['cut'], 'the upstream did not get to send its 50 MB');
});

test('a buffered body at the limit is accepted whole', async (t) => {
  const up = await hostile(async (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    return pour(res, Buffer.alloc(1024, 0x20), LIMITS.maxBodyBytes);
  });
  t.after(() => up.close());
  const r = await callUpstreamBuffered(req(up.url), TIMEOUTS, new AttemptAbort(), 'test', LIMITS);
  assert.equal(r.body.length, LIMITS.maxBodyBytes);
});

test('a stream whose total exceeds the limit fails the reader with the limit, and the upstream is cut', async (t) => {
  const up = await hostile(async (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    return pour(res, Buffer.from(`data: ${'x'.repeat(1000)}\n\n`), 40 * 1024 * 1024);
  });
  t.after(() => up.close());
  const r = await callUpstream(req(up.url), TIMEOUTS, new AttemptAbort(), 'test', LIMITS);
  let read = 0;
  await assert.rejects(
    (async () => {
      for await (const chunk of r.body) read += chunk.length;
    })(),
    isTooLarge('server.limits.upstream_stream'),
  );
  r.release();
  assert.ok(read <= LIMITS.maxStreamBytes, `read ${read} bytes`);
  while (up.outcomes.length === 0) await new Promise((r2) => setImmediate(r2));
  assert.deepEqual(up.outcomes, ['cut']);
});

test('a stream line that never ends fails at the per-event limit', async (t) => {
  const up = await hostile(async (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write('data: {"ok":1}\n\n');
    return pour(res, Buffer.alloc(16 * 1024, 0x61), 10 * 1024 * 1024);
  });
  t.after(() => up.close());
  const r = await callUpstream(req(up.url), TIMEOUTS, new AttemptAbort(), 'test', LIMITS);
  await assert.rejects(
    (async () => {
      for await (const _ of r.body) void _;
    })(),
    isTooLarge('server.limits.upstream_event'),
  );
  r.release();
});

test('UpstreamBody: the line bound counts across chunks and resets at a line feed; text() has the body bound', async () => {
  const limits: UpstreamLimits = { maxBodyBytes: 10, maxEventBytes: 8, maxStreamBytes: 1000 };
  const ok = new UpstreamBody(() => {}, () => {}, limits);
  for (let i = 0; i < 50; i++) ok.push(Buffer.from('abcd\nefg'));
  ok.end();
  let n = 0;
  for await (const c of ok) n += c.length;
  assert.equal(n, 400, 'short lines never trip the bound, however many');

  const aborted: Error[] = [];
  const long = new UpstreamBody((e) => aborted.push(e), () => {}, limits);
  long.push(Buffer.from('abcde'));
  long.push(Buffer.from('fghij')); // 10 bytes without a line feed
  await assert.rejects(long.next(), isTooLarge('server.limits.upstream_event'));
  assert.equal(aborted.length, 1, 'the upstream is aborted');

  const text = new UpstreamBody(() => {}, () => {}, limits);
  text.push(Buffer.from('0123\n'));
  text.push(Buffer.from('456789\n'));
  text.end();
  await assert.rejects(text.text(), isTooLarge('server.limits.upstream_body'));
});

test('cleanup', async () => {
  await closeUpstreamAgents();
});
