// Config errors say how to fix them: the field, the accepted forms, the nearest valid name, and
// only the root cause.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadSnapshotFromText } from './load.js';
import { SnapshotHolder } from './holder.js';
import { STARTUP_ONLY_SETTINGS } from './startup-only.js';

const LOCAL = '  p: { format: openai-chat, base_url: http://127.0.0.1:9/v1, auth: none }';
const cfg = (o: { providers?: string; deployment?: string; routes?: string; extra?: string } = {}) =>
  `providers:\n${o.providers ?? LOCAL}\ndeployments:\n  a: { provider: p, model: m${o.deployment ?? ''} }\nroutes:\n${o.routes ?? '  r: { targets: [a] }'}\n${o.extra ?? ''}`;

function problemsOf(text: string): string[] {
  try {
    loadSnapshotFromText(text, { env: {} });
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err.problems;
  }
  assert.fail('expected a ConfigError');
}

test('a base_url without a scheme is rejected at load, naming the field', () => {
  const p = problemsOf(cfg({ providers: '  p: { format: openai-chat, base_url: localhost:11434/v1, auth: none }' }));
  assert.deepEqual(p, ['providers.p.base_url: expected an absolute http(s) URL with its scheme, such as http://localhost:11434/v1']);
  assert.match(problemsOf(cfg({ providers: '  p: { format: openai-chat, base_url: ftp://h/v1, auth: none }' }))[0]!, /^providers\.p\.base_url: expected an absolute http\(s\) URL/);
});

test('a bad duration or size lists the accepted forms, whatever its type', () => {
  for (const bad of ['10 minutes', 'true', '-5']) {
    const p = problemsOf(cfg({ deployment: `, timeouts: { total: ${bad} }` }));
    assert.equal(p.length, 1, p.join('\n'));
    assert.match(p[0]!, /^deployments\.a\.timeouts\.total: expected a duration such as 500ms, 30s, 10m, 2h or 1d, or a number of milliseconds/, bad);
  }
  assert.match(problemsOf(cfg({ extra: 'server: { body_limit: lots }' }))[0]!, /^server\.body_limit: expected a size such as 1048576 \(bytes\), "512kb" or "4mb"/);
  assert.match(problemsOf(cfg({ routes: '  r: { targets: [a], classes: [{ name: x, when: { header: 3 } }] }' }))[0]!, /when\.header: expected .*\{ name: HEADER, equals: VALUE \}/);
});

test('durations accept h and d', () => {
  const s = loadSnapshotFromText(cfg({ deployment: ', timeouts: { total: 2h, first_byte: 1.5m }', extra: 'health: { credential_lockout: 1d }' }), { env: {} });
  assert.equal(s.deployments.get('a')!.timeouts.totalMs, 2 * 3_600_000);
  assert.equal(s.deployments.get('a')!.timeouts.firstByteMs, 90_000);
  assert.equal(s.health.credentialLockoutMs, 86_400_000);
});

test('an unknown preset lists the presets with the nearest, and reports only the root cause', () => {
  const p = problemsOf(cfg({ providers: '  p: { preset: openia, api_key: k }', deployment: ', tier: mid', routes: '  r: { tier: mid, strategy: weighted, weights: [1, 2] }' }));
  assert.equal(p.length, 1, p.join('\n'));
  assert.match(p[0]!, /^providers\.p\.preset: unknown preset "openia"; did you mean "openai"\? \(presets: [a-z-]+(, [a-z-]+)+\)$/);
  assert.ok(p[0]!.includes('anthropic'));
  // The same for a route naming the broken deployment by name.
  assert.equal(problemsOf(cfg({ providers: '  p: { preset: openia, api_key: k }', routes: '  r: { targets: [a], weights: [1, 2] }' })).length, 1);
});

test('a missing section says what to add instead of zod text', () => {
  const p = problemsOf(`providers:\n${LOCAL}\ndeployments:\n  a: { provider: p, model: m }\n`);
  assert.deepEqual(p, ['routes: the section is missing; add it, e.g. routes: { NAME: { targets: [DEPLOYMENT, ...] } }']);
  assert.doesNotMatch(p[0]!, /received undefined|expected record/);
  // Misspelt rather than missing: only the typo is reported.
  const typo = problemsOf(`providers:\n${LOCAL}\ndeployments:\n  a: { provider: p, model: m }\nrotues:\n  r: { targets: [a] }\n`);
  assert.equal(typo.length, 1, typo.join('\n'));
  assert.match(typo[0]!, /^\(root\): unknown key "rotues"; did you mean "routes"\?/);
});

test('typos in keys, enum values and names get the nearest valid one', () => {
  const p = problemsOf(cfg({ deployment: ', timeout: { total: 2s }', routes: '  r: { targets: [a], strategy: least-latncy }' }));
  assert.ok(p.some((x) => x.startsWith('deployments.a: unknown key "timeout"; did you mean "timeouts"?')), p.join('\n'));
  assert.ok(p.some((x) => x.startsWith('routes.r.strategy: expected one of ordered, weighted, least-latency, cost, least-busy, auto, got "least-latncy"; did you mean "least-latency"?')), p.join('\n'));
  assert.deepEqual(problemsOf(cfg({ routes: '  r: { targets: [aa] }' })), ['routes.r.targets[0]: unknown deployment "aa"; did you mean "a"?']);
  assert.deepEqual(problemsOf(cfg({ routes: '  r: { targets: [zzzzzz] }' })), ['routes.r.targets[0]: unknown deployment "zzzzzz"'], 'no suggestion when nothing is close');
});

test('a hot reload that changes a start-up-only setting warns that it takes effect on restart', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mp-startup-'));
  const file = join(dir, 'g.yaml');
  const text = (port: number, level: string) => cfg({ extra: `server: { port: ${port} }\nlogging: { level: ${level} }\n` });
  writeFileSync(file, text(4100, 'info'));
  const warnings: Array<{ obj: { restart_required?: string[] }; msg: string }> = [];
  const holder = new SnapshotHolder(loadSnapshotFromText(text(4100, 'info'), { env: {} }), file, { info() {}, error() {}, warn: (obj, msg) => warnings.push({ obj, msg }) });
  writeFileSync(file, text(4100, 'info').replace('targets: [a]', 'targets: [a], strategy: cost'));
  assert.equal(holder.tryReload(), true);
  assert.equal(warnings.length, 0, 'a route edit applies live: no warning');
  writeFileSync(file, text(4200, 'debug'));
  assert.equal(holder.tryReload(), true);
  assert.deepEqual(warnings[0]!.obj.restart_required, ['server.port', 'logging.level']);
  assert.match(warnings[0]!.msg, /server\.port, logging\.level are read at start-up only: the change takes effect on restart/);
  assert.ok(STARTUP_ONLY_SETTINGS.some((s) => s.key === 'server.host'));
});
