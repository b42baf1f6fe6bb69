import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createLogger, LineBatcher } from './log.js';
import { jsonNum, jsonStr, LEVEL_INFO, LEVEL_WARN, writeLine } from './access-log.js';

function capture(level: string) {
  const lines: string[] = [];
  const stream = { write: (s: string) => void lines.push(s) };
  return { log: createLogger(level, stream), lines };
}

test('writeLine: the same JSON shape pino writes, with every value escaped', () => {
  for (const v of ['plain', 'q"uote', 'back\\slash', 'nl\n', '\u0001', 'é', '😀', '\ud800', '']) assert.equal(jsonStr(v), JSON.stringify(v));
  const { log, lines } = capture('info');
  const nasty = 'route "q" \\ \u0001 \u2028 é 😀';
  const f =
    `"request_id":${jsonStr('req_1')},"route":${jsonStr(nasty)},"stream":false,"status":${jsonNum(200)},"nan":${jsonNum(Number.NaN)}` +
    `,"reasons":${JSON.stringify(['a', 'b"c'])},"prompt":${JSON.stringify([{ role: 'user', content: 'hi\n' }])}`;
  writeLine(log, LEVEL_INFO, f, 'request');
  log.info({ request_id: 'req_1', route: nasty }, 'request'); // pino's own line, for comparison
  assert.equal(lines.length, 2);
  assert.ok(lines[0]!.endsWith('\n'));
  const ours = JSON.parse(lines[0]!) as Record<string, unknown>;
  const pinos = JSON.parse(lines[1]!) as Record<string, unknown>;
  assert.deepEqual(Object.keys(ours).slice(0, 3), Object.keys(pinos).slice(0, 3)); // level, time, service
  assert.equal(ours.level, 30);
  assert.equal(ours.service, 'modelplane');
  assert.equal(typeof ours.time, 'number');
  assert.equal(ours.route, nasty);
  assert.equal(ours.route, pinos.route);
  assert.equal(ours.stream, false);
  assert.equal(ours.status, 200);
  assert.equal(ours.nan, null);
  assert.deepEqual(ours.reasons, ['a', 'b"c']);
  assert.deepEqual(ours.prompt, [{ role: 'user', content: 'hi\n' }]);
  assert.equal(ours.msg, 'request');
  assert.equal(Object.keys(ours).at(-1), 'msg');
});

test('writeLine: the logger level filters lines; warn lines pass a warn logger', () => {
  const { log, lines } = capture('warn');
  writeLine(log, LEVEL_INFO, `"request_id":${jsonStr('a')}`, 'request');
  assert.equal(lines.length, 0);
  writeLine(log, LEVEL_WARN, `"request_id":${jsonStr('b')}`, 'request');
  assert.equal(lines.length, 1);
  assert.equal((JSON.parse(lines[0]!) as { level: number }).level, 40);
});

test('LineBatcher: lines reach the destination in order, as bytes, in batches, and on flush', async () => {
  const writes: Buffer[] = [];
  const dest = { write: (b: Buffer) => void writes.push(Buffer.from(b)) };
  const b = new LineBatcher(dest, 100);
  const lines = ['a'.repeat(30) + '\n', 'é😀 "x"\n', 'b'.repeat(30) + '\n', 'c'.repeat(60) + '\n'];
  for (const l of lines) b.write(l);
  assert.ok(writes.length >= 1, 'a batch went out once 100 bytes were pending');
  assert.ok(writes.length < lines.length, 'lines were batched, not written one by one');
  const before = writes.length;
  b.write('d\n');
  assert.equal(writes.length, before, 'a short line waits for the batch');
  await new Promise<void>((r) => b.flush(() => r()));
  assert.equal(Buffer.concat(writes).toString('utf8'), lines.join('') + 'd\n');
  // A line longer than the whole buffer still gets through, after what was pending.
  b.write('e\n');
  b.write('z'.repeat(500) + '\n');
  b.flushSync();
  assert.equal(Buffer.concat(writes).toString('utf8'), lines.join('') + 'd\ne\n' + 'z'.repeat(500) + '\n');
});
