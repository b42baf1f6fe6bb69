// The Responses store on Postgres: the shared behavioural suite, and (issue 17, test 7)
// `previous_response_id` stored through one instance resolving through the others.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { request } from 'undici';
import OpenAI from 'openai';
import { startPostgres, type ManagedServer } from '../../testkit/cluster-servers.js';
import { createPgPool } from '../../src/cluster/pg-pool.js';
import { migrate } from '../../src/cluster/migrations.js';
import { PostgresResponsesStore } from '../../src/store/postgres-responses-store.js';
import { runResponsesStoreSuite } from '../../src/store/responses-store.suite.js';
import type { ResponsesStore } from '../../src/store/responses-store.js';
import { MASTER_KEY, startCluster } from './harness.js';

let server: ManagedServer;
let pool: pg.Pool;
let last: ResponsesStore | undefined;
before(async () => {
  server = await startPostgres();
  pool = createPgPool({ postgres: { url: server.url, pool: 4 } });
  await migrate(pool);
});
after(async () => {
  await last?.close();
  await pool.end();
  await server.close();
});

runResponsesStoreSuite({
  name: 'postgres',
  // A fresh store on an empty table: the previous test's store finishes its writes first.
  create: async () => {
    await last?.close();
    await pool.query('TRUNCATE mp_responses');
    last = new PostgresResponsesStore({ pool });
    return last;
  },
});

test('previous_response_id stored through A resolves through B and C; retrieve and delete work anywhere', { timeout: 120_000 }, async () => {
  const c = await startCluster();
  try {
    const [a, b, cc] = c.instances.map((i) => new OpenAI({ baseURL: `${i.url}/v1`, apiKey: MASTER_KEY, maxRetries: 0 }));
    const first = await a!.responses.create({ model: 'chat', input: 'remember the word heliotrope' });
    assert.equal(first.status, 'completed');
    const second = await b!.responses.create({ model: 'chat', input: 'what was the word?', previous_response_id: first.id });
    assert.equal(second.status, 'completed');
    const third = await cc!.responses.create({ model: 'chat', input: 'and again?', previous_response_id: second.id });
    assert.equal(third.status, 'completed');
    // The upstream saw the whole conversation each time: the history came from Postgres.
    const upstream = c.sim.requests.map((r) => JSON.stringify(r.body));
    const last3 = upstream.slice(-1)[0]!;
    for (const text of ['remember the word heliotrope', 'what was the word?', 'and again?']) assert.ok(last3.includes(text), `the third upstream request carries "${text}"`);
    // Retrieve through another instance, delete through a third, gone everywhere.
    assert.equal((await cc!.responses.retrieve(first.id)).id, first.id);
    const del = await request(`${c.instances[1]!.url}/v1/responses/${first.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${MASTER_KEY}` } });
    assert.equal(del.statusCode, 200, await del.body.text());
    for (const client of [a!, b!, cc!]) await assert.rejects(client.responses.retrieve(first.id), (e: unknown) => (e as { status?: number }).status === 404);
  } finally {
    await c.close();
  }
});
