import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadSnapshotFromText, ConfigError } from './load.js';

const base = 'providers: { p: { format: openai-chat, base_url: http://127.0.0.1:9/v1, auth: none } }\ndeployments: { d: { provider: p, model: m } }\nroutes: { r: { targets: [d] } }\n';

function problems(text: string, env: NodeJS.ProcessEnv = {}): string[] {
  try {
    loadSnapshotFromText(text, { env });
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  return [];
}

test('no cluster keys: embedded mode, no cluster settings', () => {
  assert.equal(loadSnapshotFromText(base, { env: {} }).cluster, undefined);
});

test('redis and postgres together turn cluster mode on, with ${ENV} expansion and defaults', () => {
  const s = loadSnapshotFromText(`${base}cluster: { redis: { url: \${REDIS_URL} } }\nstorage: { postgres: { url: \${DATABASE_URL} } }\n`, {
    env: { REDIS_URL: 'redis://127.0.0.1:6390', DATABASE_URL: 'postgres://u@127.0.0.1:5439/mp' },
  });
  assert.deepEqual(s.cluster, {
    redis: { url: 'redis://127.0.0.1:6390', keyPrefix: 'mp:' },
    postgres: { url: 'postgres://u@127.0.0.1:5439/mp', pool: 10 },
    onRedisUnavailable: 'local',
    admissionTimeoutMs: 50,
    leaseTtlMs: 30_000,
  });
});

test('every cluster key is read', () => {
  const s = loadSnapshotFromText(
    `${base}cluster: { redis: { url: "rediss://h:6380", key_prefix: "a:" }, on_redis_unavailable: refuse, admission_timeout_ms: 20, lease_ttl_ms: 5000 }\nstorage: { postgres: { url: "postgresql://h/db", pool: 3 } }\n`,
    { env: {} },
  );
  assert.deepEqual(s.cluster, { redis: { url: 'rediss://h:6380', keyPrefix: 'a:' }, postgres: { url: 'postgresql://h/db', pool: 3 }, onRedisUnavailable: 'refuse', admissionTimeoutMs: 20, leaseTtlMs: 5000 });
});

test('one engine without the other is a config error that says why', () => {
  const redisOnly = problems(`${base}cluster: { redis: { url: "redis://h:1" } }\n`);
  assert.equal(redisOnly.length, 1);
  assert.match(redisOnly[0]!, /^cluster: cluster mode also needs storage\.postgres/);
  const pgOnly = problems(`${base}storage: { postgres: { url: "postgres://h/db" } }\n`);
  assert.equal(pgOnly.length, 1);
  assert.match(pgOnly[0]!, /^storage\.postgres: cluster mode also needs cluster\.redis/);
});

test('URLs without their scheme and unset variables name the path', () => {
  const bad = problems(`${base}cluster: { redis: { url: "127.0.0.1:6379" } }\nstorage: { postgres: { url: "mysql://h/db" } }\n`);
  assert.ok(bad.some((p) => p.startsWith('cluster.redis.url') && p.includes('redis://')), bad.join('\n'));
  assert.ok(bad.some((p) => p.startsWith('storage.postgres.url') && p.includes('postgres://')), bad.join('\n'));
  const unset = problems(`${base}cluster: { redis: { url: \${REDIS_URL} } }\nstorage: { postgres: { url: \${DATABASE_URL} } }\n`);
  assert.ok(unset.some((p) => p.includes('REDIS_URL') && p.includes('not set')), unset.join('\n'));
});
