// Breakers shared through a real redis-server: a provider tripped on A is open on B after one
// pub/sub hop (no Redis call on B's request path), a trial that closes it on A closes it on B,
// and an instance that starts later catches up from the stored state.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startRedis, type ManagedServer } from '../../../testkit/cluster-servers.js';
import { HealthRegistry, type AttemptRef, type HealthChange } from '../../routing/health.js';
import { GatewayError } from '../../spec/errors.js';
import { shareBreakers } from './breakers.js';
import { createRedis, ready, type ScriptedRedis } from './client.js';
import { RedisNotices } from './notices.js';
import { noRedis } from './governors.suite.js';

let server: ManagedServer;
before(async () => {
  if (!noRedis) server = await startRedis();
});
after(async () => {
  await server?.close();
});

const ref: AttemptRef = { providerId: 'p', deploymentId: 'd', credentialId: 'p#0' };
const FAST = { consecutiveFailures: 3, baseCooldownMs: 60_000, maxCooldownMs: 60_000, minRequests: 100, errorRate: 0.99 };

interface Node {
  health: HealthRegistry;
  redis: ScriptedRedis;
  notices: RedisNotices;
  close(): void;
  /** Resolves on the next change applied from another instance. */
  nextShared(): Promise<HealthChange>;
}

async function node(name: string): Promise<Node> {
  const health = new HealthRegistry({ provider: FAST, deployment: FAST });
  const redis = createRedis(server.url);
  await ready(redis);
  const notices = new RedisNotices(server.url, 'bt:');
  const waiters: Array<(c: HealthChange) => void> = [];
  health.onChange((c) => {
    if (c.shared) waiters.splice(0).forEach((w) => w(c));
  });
  const sharing = shareBreakers(health, redis, notices, { prefix: 'bt:', instance: name });
  await notices.subscribed();
  return {
    health,
    redis,
    notices,
    nextShared: () => new Promise((r) => waiters.push(r)),
    close: () => {
      sharing.close();
      notices.close();
      redis.disconnect();
    },
  };
}

test('a provider tripped on A is open on B; A’s successful trial closes it on B; a late instance catches up', { skip: noRedis }, async () => {
  const a = await node('A');
  const b = await node('B');
  try {
    const now = Date.now();
    const seen = b.nextShared();
    for (let i = 0; i < 3; i++) a.health.recordFailure(ref, new GatewayError('upstream_unavailable', 'down'), now);
    assert.equal(a.health.isAvailable('provider', 'p', now), false);
    const c = await seen;
    assert.deepEqual([c.level, c.id, c.to], ['provider', 'p', 'open']);
    assert.equal(b.health.isAvailable('provider', 'p', Date.now()), false, 'B routes around it without asking Redis');
    assert.match(b.health.snapshot(Date.now()).find((e) => e.id === 'p')!.reason, /on another instance/);
    // Nothing echoes back to A (its own breaker keeps its own reason and cooldown exponent).
    assert.doesNotMatch(a.health.snapshot(Date.now()).find((e) => e.level === 'provider')!.reason, /another instance/);

    const late = await node('C');
    try {
      for (let i = 0; !late.health.snapshot(Date.now()).some((e) => e.id === 'p' && e.state === 'open'); i++) {
        assert.ok(i < 500, 'the late instance never caught up');
        await new Promise((r) => setTimeout(r, 10));
      }
    } finally {
      late.close();
    }

    // A's cooldown ends, its trial succeeds: closed everywhere.
    const closed = b.nextShared();
    const later = now + 61_000;
    assert.ok(a.health.acquire({ ...ref }, later));
    a.health.recordSuccess(ref, 5, later);
    const cc = await closed;
    assert.equal(cc.to, 'closed');
    assert.equal(b.health.isAvailable('provider', 'p', Date.now()), true);
  } finally {
    a.close();
    b.close();
  }
});
