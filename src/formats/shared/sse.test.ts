import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSse, SseDecoder } from './sse.js';

async function* chunks(...parts: string[]) {
  for (const p of parts) yield new TextEncoder().encode(p);
}
async function collect(it: AsyncIterable<unknown>) {
  const out = [];
  for await (const x of it) out.push(x);
  return out;
}

test('parses LF, CRLF and CR framing, comments and multi-line data', async () => {
  const evs = await collect(parseSse(chunks(': keep-alive\n\n', 'event: a\ndata: {"x":1}\r\n\r\n', 'data: l1\rdata: l2\r\r')));
  assert.deepEqual(evs, [{ event: 'a', data: '{"x":1}' }, { data: 'l1\nl2' }]);
});

test('a CRLF split across chunks is one line ending, and a missing final blank line still dispatches', async () => {
  const evs = await collect(parseSse(chunks('data: one\r', '\n\r', '\ndata: two')));
  assert.deepEqual(evs, [{ data: 'one' }, { data: 'two' }]);
});

test('multi-byte UTF-8 split across chunks survives', async () => {
  const bytes = new TextEncoder().encode('data: héllo €\n\n');
  async function* split() { for (const b of bytes) yield new Uint8Array([b]); }
  const evs = await collect(parseSse(split()));
  assert.deepEqual(evs, [{ data: 'héllo €' }]);
});

test('SseDecoder: one push returns every event the chunk completes; partial lines wait for the next chunk', () => {
  const d = new SseDecoder();
  assert.deepEqual(d.push('data: a\n\ndata: b\n\ndata: c\n\nda'), [{ data: 'a' }, { data: 'b' }, { data: 'c' }]);
  assert.deepEqual(d.push('ta: d'), []);
  assert.deepEqual(d.push(new TextEncoder().encode('\r')), []);
  assert.deepEqual(d.push('\n\r\nevent: e\ndata: {"x":1}\n'), [{ data: 'd' }]);
  assert.deepEqual(d.end(), [{ event: 'e', data: '{"x":1}' }]);
});
