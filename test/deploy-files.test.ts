// The deployment files cannot run here (no Docker, no Kubernetes): they are checked to parse, to
// hold what docs/scaling.md says they hold, and their gateway configs to compile in cluster mode.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { projectRoot } from '../testkit/fixtures.js';
import { loadSnapshotFromText } from '../src/config/load.js';

const deploy = (...p: string[]) => join(projectRoot(), 'deploy', ...p);
const env = { MODELPLANE_MASTER_KEY: 'm', MODELPLANE_ADMIN_KEY: 'a', DATABASE_URL: 'postgres://u@h/db', REDIS_URL: 'redis://h:6379', OPENAI_API_KEY: 'k', SMALL_MODEL: 'some-model' };

type Obj = Record<string, unknown>;
const at = (o: unknown, ...path: Array<string | number>): unknown => path.reduce<unknown>((v, k) => (v as Obj | undefined)?.[k as string], o);

test('docker-compose: three gateways behind a load balancer, Redis, Postgres, a migrate step; its gateway config is cluster mode', () => {
  const compose = parse(readFileSync(deploy('docker-compose.yml'), 'utf8'), { merge: true }) as { services: Record<string, Obj> };
  const names = Object.keys(compose.services);
  for (const s of ['redis', 'postgres', 'migrate', 'gateway-1', 'gateway-2', 'gateway-3', 'lb']) assert.ok(names.includes(s), `service ${s}`);
  for (const g of ['gateway-1', 'gateway-2', 'gateway-3']) {
    assert.deepEqual((compose.services[g]!.command as string[]).slice(0, 2), ['modelplane', 'serve']);
    assert.equal(at(compose.services[g], 'depends_on', 'migrate', 'condition'), 'service_completed_successfully');
  }
  assert.deepEqual((compose.services.migrate!.command as string[]).slice(0, 2), ['modelplane', 'migrate']);
  const nginx = readFileSync(deploy('compose', 'nginx.conf'), 'utf8');
  for (const g of ['gateway-1', 'gateway-2', 'gateway-3']) assert.match(nginx, new RegExp(`server ${g}:4000`));
  const s = loadSnapshotFromText(readFileSync(deploy('compose', 'gateway.yaml'), 'utf8'), { env });
  assert.equal(s.cluster?.redis.url, env.REDIS_URL);
  assert.equal(s.cluster?.postgres.url, env.DATABASE_URL);
});

test('kubernetes: Deployment with /readyz and /healthz probes and preStop, Service, PDB, HPA on CPU, migrate Job; the ConfigMap compiles', () => {
  const docs = readdirSync(deploy('kubernetes'))
    .filter((f) => f.endsWith('.yaml'))
    .flatMap((f) => parseAllDocuments(readFileSync(deploy('kubernetes', f), 'utf8')).map((d) => {
      assert.deepEqual(d.errors, [], f);
      return d.toJS() as Obj;
    }));
  const byKind = new Map(docs.map((d) => [d.kind as string, d]));
  for (const k of ['Deployment', 'Service', 'PodDisruptionBudget', 'HorizontalPodAutoscaler', 'ConfigMap', 'Job', 'Secret']) assert.ok(byKind.has(k), `a ${k}`);
  const container = at(byKind.get('Deployment'), 'spec', 'template', 'spec', 'containers', 0) as Obj;
  assert.equal(at(container, 'readinessProbe', 'httpGet', 'path'), '/readyz');
  assert.equal(at(container, 'livenessProbe', 'httpGet', 'path'), '/healthz');
  assert.ok(at(container, 'lifecycle', 'preStop'), 'a preStop hook');
  assert.equal(at(byKind.get('HorizontalPodAutoscaler'), 'spec', 'metrics', 0, 'resource', 'name'), 'cpu');
  assert.equal(at(byKind.get('HorizontalPodAutoscaler'), 'spec', 'scaleTargetRef', 'name'), at(byKind.get('Deployment'), 'metadata', 'name'));
  const selector = at(byKind.get('PodDisruptionBudget'), 'spec', 'selector', 'matchLabels');
  assert.deepEqual(selector, at(byKind.get('Deployment'), 'spec', 'selector', 'matchLabels'));
  const s = loadSnapshotFromText(at(byKind.get('ConfigMap'), 'data', 'gateway.yaml') as string, { env });
  assert.equal(s.cluster?.onRedisUnavailable, 'local');
});
