import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { callUpstream, callUpstreamBuffered, closeUpstreamAgents, UpstreamBody } from './upstream.js';
import { AttemptAbort } from './cancel.js';
import { GatewayError } from '../spec/errors.js';

function body() {
  const calls = { aborted: [] as Error[], resumed: 0 };
  const b = new UpstreamBody((e) => calls.aborted.push(e), () => calls.resumed++);
  return { b, calls };
}

test('UpstreamBody: chunks queued while the consumer is busy arrive merged, in order, then done', async () => {
  const { b } = body();
  b.push(Buffer.from('ab'));
  b.push(Buffer.from('cd'));
  const it = b[Symbol.asyncIterator]();
  assert.equal((await it.next()).value!.toString(), 'abcd');
  const pending = it.next();
  b.push(Buffer.from('e'));
  assert.equal((await pending).value!.toString(), 'e');
  b.end();
  assert.equal((await it.next()).done, true);
});

test('UpstreamBody: past the high-water mark undici is paused, and resumed once the consumer reads', async () => {
  const { b, calls } = body();
  assert.equal(b.push(Buffer.alloc(200 * 1024)), true);
  assert.equal(b.push(Buffer.alloc(100 * 1024)), false, 'asks undici to pause');
  assert.equal(calls.resumed, 0);
  assert.equal((await b.next()).value!.length, 300 * 1024);
  assert.equal(calls.resumed, 1);
});

test('UpstreamBody: data before a failure is delivered, then the failure is thrown; error listeners hear it', async () => {
  const { b } = body();
  const heard: Error[] = [];
  b.once('error', (e) => heard.push(e));
  b.push(Buffer.from('x'));
  const boom = new Error('reset');
  b.fail(boom);
  assert.equal((await b.next()).value!.toString(), 'x');
  await assert.rejects(b.next(), /reset/);
  assert.deepEqual(heard, [boom]);
});

test('UpstreamBody: destroy and iterator return release the upstream, once; text() reads everything', async () => {
  const { b, calls } = body();
  const it = b[Symbol.asyncIterator]();
  const waiting = it.next();
  await it.return!();
  assert.equal(calls.aborted.length, 1);
  assert.equal((await waiting).done, true);
  b.destroy();
  assert.equal(calls.aborted.length, 1, 'a second release does nothing');

  const t = body();
  t.b.push(Buffer.from('{"a":'));
  t.b.push(Buffer.from('1}'));
  t.b.end();
  assert.equal(await t.b.text(), '{"a":1}');
  t.b.destroy();
  assert.equal(t.calls.aborted.length, 0, 'an ended body has nothing to abort');
});

async function server(handler: Parameters<typeof createServer>[1]): Promise<{ s: Server; url: string }> {
  const s = createServer(handler);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return { s, url: `http://127.0.0.1:${(s.address() as AddressInfo).port}` };
}

const timeouts = { connectMs: 1_000, firstByteMs: 1_000, totalMs: 2_000 };
const req = (url: string) => ({ url: `${url}/x`, method: 'POST' as const, headers: { 'content-type': 'application/json' }, body: '{}', warnings: [] });

test('callUpstream streams a real response; headers are parsed on demand; an abort mid-body surfaces as the abort reason', async (t) => {
  // The second event is written only once the first has been read: two writes sent back to back
  // may arrive as one chunk, and the test would then wait for a chunk that never comes.
  let firstRead!: () => void;
  const readFirst = new Promise<void>((r) => (firstRead = r));
  const { s, url } = await server((_rq, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'x-up': 'yes' });
    res.write('data: 1\n\n');
    void readFirst.then(() => res.write('data: 2\n\n'));
  });
  t.after(() => s.close());
  const controller = new AttemptAbort();
  const up = await callUpstream(req(url), timeouts, controller, 'test');
  assert.equal(up.status, 200);
  assert.equal(up.headers['x-up'], 'yes');
  const it = up.body[Symbol.asyncIterator]();
  assert.match((await it.next()).value!.toString(), /data: 1/);
  firstRead();
  assert.match((await it.next()).value!.toString(), /data: 2/);
  const reason = new Error('client left');
  controller.abort(reason);
  await assert.rejects(it.next(), (e) => e === reason);
  up.release();
  s.closeAllConnections();
});

test('callUpstream and callUpstreamBuffered: first-byte timeout and refused connections become GatewayErrors', async (t) => {
  const { s, url } = await server(() => {}); // never answers
  t.after(() => {
    s.closeAllConnections();
    s.close();
  });
  const short = { ...timeouts, firstByteMs: 100 };
  await assert.rejects(callUpstream(req(url), short, new AttemptAbort(), 'slow'), (e) => e instanceof GatewayError && e.code === 'upstream_timeout');
  await assert.rejects(callUpstreamBuffered(req(url), short, new AttemptAbort(), 'slow'), (e) => e instanceof GatewayError && e.code === 'upstream_timeout');
  await assert.rejects(callUpstream(req('http://127.0.0.1:1'), timeouts, new AttemptAbort(), 'closed'), (e) => e instanceof GatewayError && e.code === 'upstream_connection');
  const aborted = new AttemptAbort();
  aborted.abort(new Error('gone'));
  await assert.rejects(callUpstreamBuffered(req(url), timeouts, aborted, 'x'), (e) => e instanceof GatewayError);
  await closeUpstreamAgents();
});
