import { test } from 'node:test';
import assert from 'node:assert/strict';
import { estimateSeconds, parseBenchArgs } from './args.js';

test('defaults keep a 3-target run under about four minutes', () => {
  const o = parseBenchArgs([]);
  assert.deepEqual(o.scenarios, ['nonstream', 'stream']);
  assert.deepEqual(o.conns, [1, 50]);
  assert.equal(o.durationS, 3);
  assert.equal(o.rounds, 4);
  assert.ok(estimateSeconds(o, 3) <= 200, `estimate ${estimateSeconds(o, 3)} s`);
  assert.equal(o.pin, true);
  assert.equal(o.gatewayLogToFile, true);
});

test('--quick is about a minute; explicit flags win over it', () => {
  const q = parseBenchArgs(['--quick']);
  assert.ok(estimateSeconds(q, 3) <= 70, `estimate ${estimateSeconds(q, 3)} s`);
  assert.equal(parseBenchArgs(['--quick', '--duration', '3']).durationS, 3);
});

test('flags and the wrk-install environment switch are read', () => {
  const o = parseBenchArgs(['--conns', '8,64', '--scenarios', 'stream', '--rounds', '3', '--probe-n', '0', '--no-pin', '--with-portkey', '--log-devnull'], { BENCH_INSTALL_WRK: '1' });
  assert.deepEqual(o.conns, [8, 64]);
  assert.deepEqual(o.scenarios, ['stream']);
  assert.equal(o.rounds, 3);
  assert.equal(o.probeN, 0);
  assert.equal(o.pin, false);
  assert.equal(o.withPortkey, true);
  assert.equal(o.installWrk, true);
  assert.equal(o.gatewayLogToFile, false);
});

test('bad values are usage errors that name the flag', () => {
  assert.throws(() => parseBenchArgs(['--rounds', '0']), /--rounds/);
  assert.throws(() => parseBenchArgs(['--conns', '1,x']), /--conns/);
  assert.throws(() => parseBenchArgs(['--conns', '5000']), /--conns/);
  assert.throws(() => parseBenchArgs(['--scenarios', 'batch']), /batch/);
  assert.throws(() => parseBenchArgs(['--duration', '-1']), /--duration/);
  assert.throws(() => parseBenchArgs(['--nope']));
});
