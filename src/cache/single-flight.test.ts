import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SingleFlight, singleFlight } from './single-flight.js';

test('100 identical concurrent calls make one upstream call and share its value', async () => {
  const sf = new SingleFlight<string>();
  let calls = 0;
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const lead = async (): Promise<string> => {
    calls++;
    await gate;
    return 'answer';
  };
  const all = Array.from({ length: 100 }, () => singleFlight(sf, 'k', lead));
  release();
  const results = await Promise.all(all);
  assert.equal(calls, 1);
  assert.equal(results.filter((r) => r.shared).length, 99);
  assert.ok(results.every((r) => r.value === 'answer'));
  assert.equal(sf.inFlight, 0);
  assert.equal(sf.joined, 99);
});

test('different keys do not wait for each other', async () => {
  const sf = new SingleFlight<string>();
  const a = sf.begin('a');
  const b = sf.begin('b');
  assert.equal(a.leader && b.leader, true);
});

test('a failing leader does not fail its followers: one of them leads the retry', async () => {
  const sf = new SingleFlight<string>();
  let calls = 0;
  let failFirst!: () => void;
  const firstGate = new Promise<void>((r) => (failFirst = r));
  const lead = async (): Promise<string> => {
    calls++;
    if (calls === 1) {
      await firstGate;
      throw new Error('upstream down');
    }
    return 'second';
  };
  const leader = singleFlight(sf, 'k', lead);
  const followers = Array.from({ length: 10 }, () => singleFlight(sf, 'k', lead));
  failFirst();
  await assert.rejects(leader, /upstream down/);
  const results = await Promise.all(followers);
  assert.equal(calls, 2, 'one retry call for all ten followers');
  assert.ok(results.every((r) => r.value === 'second'));
});

test('a leader that yields nothing (answer not cacheable) releases followers to go themselves', async () => {
  const sf = new SingleFlight<string>();
  const t = sf.begin('k');
  assert.ok(t.leader);
  const f = sf.begin('k');
  assert.ok(!f.leader);
  t.release();
  assert.equal(await f.wait, undefined);
  assert.ok(sf.begin('k').leader, 'the key is free again');
  // A second settle is ignored.
  t.resolve('late');
});
