import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createLogger, LineBatcher } from './log.js';
import { Fields, LEVEL_INFO, LEVEL_WARN, writeLine } from './access-log.js';

function capture(level: string) {
  const lines: string[] = [];
  const stream = { write: (s: string) => void lines.push(s) };
  return { log: createLogger(level, stream), lines };
}

test('writeLine: the same JSON shape pino writes, with every value escaped', () => {
  const { log, lines } = capture('info');
  const nasty = 'route "q" \\ \u0001 \u2028 é 😀';
  const f = new Fields('request_id', 'req_1')
    .str('route', nasty)
    .str('skipped', undefined)
    .num('stream', false)
    .num('status', 200)
    .num('nan', Number.NaN)
    .num('absent', undefined)
    .json('reasons', ['a', 'b"c'])
    .json('prompt', [{ role: 'user', content: 'hi\n' }]);
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
  assert.ok(!('skipped' in ours) && !('absent' in ours));
  assert.deepEqual(ours.reasons, ['a', 'b"c']);
  assert.deepEqual(ours.prompt, [{ role: 'user', content: 'hi\n' }]);
  assert.equal(ours.msg, 'request');
  assert.equal(Object.keys(ours).at(-1), 'msg');
});

test('writeLine: the logger level filters lines; warn lines pass a warn logger', () => {
  const { log, lines } = capture('warn');
  writeLine(log, LEVEL_INFO, new Fields('request_id', 'a'), 'request');
  assert.equal(lines.length, 0);
  writeLine(log, LEVEL_WARN, new Fields('request_id', 'b'), 'request');
  assert.equal(lines.length, 1);
  assert.equal((JSON.parse(lines[0]!) as { level: number }).level, 40);
});

test('LineBatcher: lines reach the destination in order, in batches, and on flush', async () => {
  const writes: string[] = [];
  const dest = new Writable({
    write(chunk: Buffer, _enc, cb) {
      writes.push(chunk.toString());
      cb();
    },
  });
  const b = new LineBatcher(dest, 100);
  b.write('a'.repeat(40) + '\n');
  b.write('b'.repeat(40) + '\n');
  assert.equal(writes.length, 0, 'below the batch size nothing is written');
  b.write('c'.repeat(40) + '\n');
  await new Promise((r) => setImmediate(r));
  assert.equal(writes.length, 1, 'one write for the whole batch');
  assert.equal(writes[0], 'a'.repeat(40) + '\n' + 'b'.repeat(40) + '\n' + 'c'.repeat(40) + '\n');
  b.write('d\n');
  await new Promise<void>((r) => b.flush(() => r()));
  await new Promise((r) => setImmediate(r));
  assert.equal(writes.join(''), ['a', 'b', 'c'].map((x) => x.repeat(40) + '\n').join('') + 'd\n');
  b.flushSync(); // nothing pending: a no-op, not a throw
});
