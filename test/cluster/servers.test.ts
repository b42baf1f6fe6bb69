// The engines the cluster suite runs on: they start, answer, stop, and come back on the same port.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { Redis } from 'ioredis';
import { startPostgres, startRedis } from '../../testkit/cluster-servers.js';

test('redis-server starts on a free port, stops, and restarts on the same port', async () => {
  const redis = await startRedis();
  const client = new Redis(redis.url, { maxRetriesPerRequest: 1, lazyConnect: true });
  client.on('error', () => {}); // the stop below makes it fail on purpose
  try {
    await client.connect();
    assert.equal(await client.ping(), 'PONG');
    await client.set('k', 'v');
    await redis.stop();
    assert.equal(redis.running, false);
    await assert.rejects(client.get('k'));
    await redis.start();
    // A restart without persistence is a cold Redis.
    assert.equal(await client.get('k'), null);
  } finally {
    client.disconnect();
    await redis.close();
  }
});

test('postgres starts (as an unprivileged user under root), stops and restarts keeping its data', async () => {
  const server = await startPostgres();
  const query = async (sql: string) => {
    const c = new pg.Client({ connectionString: server.url });
    await c.connect();
    try {
      return await c.query(sql);
    } finally {
      await c.end();
    }
  };
  try {
    await query('CREATE TABLE t (v int)');
    await query('INSERT INTO t VALUES (7)');
    await server.stop();
    await assert.rejects(query('SELECT 1'));
    await server.start();
    assert.deepEqual((await query('SELECT v FROM t')).rows, [{ v: 7 }]);
  } finally {
    await server.close();
  }
});
