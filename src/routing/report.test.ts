import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GatewayError } from '../spec/errors.js';
import { HealthRegistry } from './health.js';
import { reportCancelled, reportFailure, reportSuccess } from './report.js';
import { DeploymentStats } from './stats.js';

test('report helpers keep health and stats in step and always end the in-flight count', () => {
  const state = { health: new HealthRegistry({ deployment: { consecutiveFailures: 1, baseCooldownMs: 1_000 } }), stats: new DeploymentStats() };
  const ref = { providerId: 'p', deploymentId: 'd', credentialId: 'p#0' };
  state.stats.begin('d');
  state.stats.begin('d');
  state.stats.begin('d');
  reportSuccess(state, ref, 10, 400, 120);
  reportFailure(state, { ...ref }, new GatewayError('upstream_bad_request', 'x'), 20);
  assert.deepEqual(state.stats.view('d', 20), { id: 'd', requests: 1, errors: 0, errorRate: 0, inFlight: 1, meanLatencyMs: 400, meanTtftMs: 120 });
  reportFailure(state, { ...ref }, new GatewayError('upstream_error', 'x'), 30);
  assert.equal(state.stats.view('d', 30).errors, 1);
  assert.equal(state.stats.inFlight('d'), 0);
  assert.equal(state.health.isAvailable('deployment', 'd', 30), false);

  const trial = { ...ref };
  assert.equal(state.health.acquire(trial, 1_030), true);
  state.stats.begin('d');
  assert.equal(state.health.isAvailable('deployment', 'd', 1_031), false);
  reportCancelled(state, trial);
  assert.equal(state.health.isAvailable('deployment', 'd', 1_031), true, 'cancelled trial gave its slot back');
  assert.equal(state.stats.inFlight('d'), 0);
});
