import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DeploymentStats } from './stats.js';

test('in-flight counts up and down and never below zero', () => {
  const s = new DeploymentStats();
  s.begin('a');
  s.begin('a');
  assert.equal(s.inFlight('a'), 2);
  s.end('a');
  s.end('a');
  s.end('a');
  assert.equal(s.inFlight('a'), 0);
  assert.equal(s.inFlight('never-seen'), 0);
});

test('latency, ttft and error rate over the window; errors carry no latency sample', () => {
  const s = new DeploymentStats({ windowMs: 60_000, buckets: 10 });
  s.recordSuccess('a', 1_000, 400, 100);
  s.recordSuccess('a', 2_000, 600);
  s.recordError('a', 3_000);
  assert.deepEqual(s.view('a', 3_000), { id: 'a', requests: 3, errors: 1, errorRate: 1 / 3, inFlight: 0, meanLatencyMs: 500, meanTtftMs: 100 });
  assert.equal(s.meanLatency('a', 70_000), undefined, 'window forgot');
  assert.deepEqual(s.view('b', 0), { id: 'b', requests: 0, errors: 0, errorRate: 0, inFlight: 0 });
  s.retain(new Set(['b']));
  assert.deepEqual(s.ids(), []);
});
