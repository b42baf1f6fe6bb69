// Cluster mode's plumbing: migrate, the schema check, the instance registry, readiness, workers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, GatewayProcess, adminGet, chat, clusterConfig, startCluster } from './harness.js';
import { startPostgres, startRedis } from '../../testkit/cluster-servers.js';

test('three instances: each serves, /admin/cluster lists all three with one config hash, /readyz says ready', { timeout: 120_000 }, async () => {
  const c = await startCluster();
  try {
    for (const [i, inst] of c.instances.entries()) assert.equal((await chat(c, inst.url, `basic-${i}`)).status, 200);
    // Heartbeats are written before the port opens: every instance is listed at once.
    const view = (await adminGet(c, c.instances[1]!.url, '/admin/cluster')).json as { instances: Array<{ id: string; config_hash: string; config_mismatch: boolean; self: boolean }>; config_mismatch: boolean };
    assert.equal(view.instances.length, 3, JSON.stringify(view));
    assert.equal(new Set(view.instances.map((i) => i.config_hash)).size, 1);
    assert.equal(view.config_mismatch, false);
    assert.equal(view.instances.filter((i) => i.self).length, 1);
    // Spend across the cluster, asked of any instance, once the spools have shipped.
    let spend: { rows: Array<{ route: string; requests: number; input_tokens: number }> };
    do spend = (await adminGet(c, c.instances[2]!.url, '/admin/cluster/spend?group_by=route')).json as typeof spend;
    while ((spend.rows[0]?.requests ?? 0) < 3);
    assert.equal(spend.rows.length, 1);
    assert.equal(spend.rows[0]!.route, 'chat');
    assert.equal(spend.rows[0]!.requests, 3);
    assert.equal((await adminGet(c, c.instances[2]!.url, '/admin/cluster/spend?group_by=color')).status, 400);
    // A fourth instance with a different config (a stale ConfigMap) is flagged, the others not.
    const odd = join(c.instances[0]!.dataDir, '..', 'odd.yaml');
    writeFileSync(odd, `${readFileSync(c.configFile, 'utf8')}\n# edited\n`);
    const d = new GatewayProcess('D', odd, join(c.instances[0]!.dataDir, '..', 'instance-odd'));
    c.instances.push(d);
    await d.start();
    const flagged = (await adminGet(c, c.instances[0]!.url, '/admin/cluster')).json as { instances: Array<{ pid: number; config_mismatch: boolean }>; config_mismatch: boolean };
    assert.equal(flagged.config_mismatch, true);
    assert.deepEqual(flagged.instances.filter((i) => i.config_mismatch).map((i) => i.pid), [d.pid]);
    await d.stop('SIGTERM');
    // A clean stop leaves the registry at once.
    assert.equal(((await adminGet(c, c.instances[0]!.url, '/admin/cluster')).json as { instances: unknown[] }).instances.length, 3);
    const ready = await adminGet(c, c.instances[0]!.url, '/readyz');
    assert.equal(ready.status, 200);
    assert.deepEqual({ ...(ready.json as object), config_version: 0, routes: 0, spool: 0 }, { status: 'ready', config_version: 0, routes: 0, redis: true, postgres: true, spool: 0, spool_full: false });
    // Redis gone: not ready (this instance cannot admit exactly), but alive.
    await c.redis.stop();
    const notReady = await adminGet(c, c.instances[0]!.url, '/readyz');
    assert.equal(notReady.status, 503);
    assert.equal((notReady.json as { redis: boolean }).redis, false);
    assert.equal((await adminGet(c, c.instances[0]!.url, '/healthz')).status, 200);
    await c.redis.start();
  } finally {
    await c.close();
  }
});

test('serve refuses a schema older than it needs and names the command; migrate is idempotent', { timeout: 60_000 }, async () => {
  const [redis, postgres] = await Promise.all([startRedis(), startPostgres()]);
  const dir = mkdtempSync(join(tmpdir(), 'mp-migrate-'));
  try {
    const file = join(dir, 'gw.yaml');
    writeFileSync(file, clusterConfig({ sim: 'http://127.0.0.1:9', redis: redis.url, postgres: postgres.url }));
    const env = { ...process.env, MP_DATA_DIR: join(dir, 'data') };
    const serve = spawnSync(process.execPath, [BIN, 'serve', '--config', file, '--port', '0'], { encoding: 'utf8', env, timeout: 30_000 });
    assert.equal(serve.status, 1, serve.stderr);
    assert.match(serve.stderr, /schema is at version 0, this gateway needs 2: run `modelplane migrate --config .*gw\.yaml` first/);
    // Postgres unreachable: one line naming the setting and the URL without its password.
    writeFileSync(join(dir, 'down.yaml'), clusterConfig({ sim: 'http://127.0.0.1:9', redis: redis.url, postgres: 'postgres://postgres:secret@127.0.0.1:9/modelplane' }));
    const down = spawnSync(process.execPath, [BIN, 'serve', '--config', join(dir, 'down.yaml'), '--port', '0'], { encoding: 'utf8', env, timeout: 30_000 });
    assert.equal(down.status, 1, down.stderr);
    assert.match(down.stderr, /cluster mode: cannot use Postgres at postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:9\/modelplane \(storage\.postgres\.url\)/);
    assert.doesNotMatch(down.stderr, /secret|\n\s+at /);
    const first = spawnSync(process.execPath, [BIN, 'migrate', '--config', file], { encoding: 'utf8', env });
    assert.equal(first.status, 0, first.stderr);
    assert.match(first.stdout, /schema version 0 -> 2 \(applied #1, #2;/);
    const again = spawnSync(process.execPath, [BIN, 'migrate', '--config', file], { encoding: 'utf8', env });
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stdout, /schema version 2 -> 2 \(already up to date/);
  } finally {
    await Promise.all([redis.close(), postgres.close()]);
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--workers needs cluster mode and says so; migrate on an embedded config says what it is for', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mp-workers-'));
  try {
    const file = join(dir, 'gw.yaml');
    writeFileSync(file, 'providers: { p: { format: openai-chat, base_url: "http://127.0.0.1:9/v1", auth: none } }\ndeployments: { d: { provider: p, model: m } }\nroutes: { r: { targets: [d] } }\n');
    const serve = spawnSync(process.execPath, [BIN, 'serve', '--config', file, '--workers', '2'], { encoding: 'utf8' });
    assert.equal(serve.status, 2);
    assert.match(serve.stderr, /--workers needs cluster mode \(cluster\.redis and storage\.postgres/);
    const bad = spawnSync(process.execPath, [BIN, 'serve', '--config', file, '--workers', 'many'], { encoding: 'utf8' });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--workers expects a positive number or auto, got "many"/);
    const migrate = spawnSync(process.execPath, [BIN, 'migrate', '--config', file], { encoding: 'utf8' });
    assert.equal(migrate.status, 2);
    assert.match(migrate.stderr, /is not in cluster mode/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
