// The documentation must agree with the code where the code can say: the reference config
// compiles, and figures, defaults, keys and endpoints the docs quote are the code's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadSnapshotFromText } from '../src/config/load.js';
import { projectRoot } from '../testkit/fixtures.js';
import { DEFAULTS } from '../src/config/compile.js';
import { configSchema } from '../src/config/schema.js';
import { STARTUP_ONLY_SETTINGS } from '../src/config/startup-only.js';
import { keysAt } from '../src/config/zod-problems.js';
import { loadCatalog } from '../src/catalog/index.js';
import { LOG_BATCH_BYTES, LOG_FLUSH_INTERVAL_MS } from '../src/telemetry/log.js';
import { defaultEndpoints } from '../src/server/endpoints.js';
import { defaultExtensions } from '../src/server/extensions.js';
import { createRouter } from '../src/gateway/router-impl.js';
import { createLogger } from '../src/telemetry/log.js';

test('the reference config in docs/configuration.md compiles', () => {
  const md = readFileSync(join(projectRoot(), 'docs', 'configuration.md'), 'utf8');
  const block = [...md.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!).find((b) => b.includes('providers:'));
  assert.ok(block, 'a yaml block with providers');
  const env = { MODELPLANE_MASTER_KEY: 'm', MODELPLANE_ADMIN_KEY: 'a', OPENAI_API_KEY: 'o', ANTHROPIC_KEY_1: 'k1', ANTHROPIC_KEY_2: 'k2', AWS_ACCESS_KEY_ID: 'id', AWS_SECRET_ACCESS_KEY: 's', TRIAGE_BOT_KEY: `mp-${'t'.repeat(32)}`, ALERT_SECRET: 'x' };
  const s = loadSnapshotFromText(block.replaceAll('<provider model id>', 'some-model'), { env });
  assert.ok(s.routes.size >= 5);
  assert.equal(s.routes.get('promote-new-model')!.strategy, 'weighted');
  assert.equal(s.routes.get('big-or-small')!.classes.length, 3);
});

test('the README config example compiles', () => {
  const md = readFileSync(join(projectRoot(), 'README.md'), 'utf8');
  const block = [...md.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!)[0]!;
  const s = loadSnapshotFromText(block.replaceAll('<provider model id>', 'some-model'), { env: { MODELPLANE_MASTER_KEY: 'm', OPENAI_API_KEY: 'o' } });
  assert.deepEqual([...s.routes.keys()], ['support-triage']);
});

// Figures and keys in the docs that the code can vouch for. Each figure has one owner: the code
// (constants, defaults, the schema) or docs/benchmarks.md (measurements); other documents link.
const doc = (name: string) => readFileSync(join(projectRoot(), name), 'utf8');

test('benchmark ratios are stated only in docs/benchmarks.md', () => {
  for (const name of ['README.md', 'docs/architecture.md', 'docs/operations.md', 'docs/configuration.md', 'docs/translation.md']) {
    const ratio = /\b\d+(\.\d+)?(–\d+(\.\d+)?)?×/.exec(doc(name));
    assert.equal(ratio, null, `${name} quotes "${ratio?.[0]}": link to docs/benchmarks.md instead`);
  }
  assert.match(doc('docs/benchmarks.md'), /\*\*median\*\*/, 'benchmarks.md keeps a median row');
});

test('the log batch size and flush interval in docs/operations.md are the code\'s', () => {
  const ops = doc('docs/operations.md');
  const sizes = [...ops.matchAll(/(\d+) KiB/g)].map((m) => Number(m[1]));
  assert.deepEqual(sizes, [LOG_BATCH_BYTES / 1024], 'one mention of the batch size, equal to LOG_BATCH_BYTES');
  const flush = /at least every\s+(\d+)\s*ms/.exec(ops);
  assert.equal(Number(flush?.[1]), LOG_FLUSH_INTERVAL_MS);
});

test('the start-up-only settings listed in docs/configuration.md are the code\'s', () => {
  const md = doc('docs/configuration.md');
  const block = /<!-- startup-only:begin -->([\s\S]*?)<!-- startup-only:end -->/.exec(md)?.[1] ?? '';
  const listed = [...block.matchAll(/^- `([^`]+)`/gm)].map((m) => m[1]);
  assert.deepEqual(listed, STARTUP_ONLY_SETTINGS.map((s) => s.key));
});

test('defaults quoted in the reference config are the compiled defaults', () => {
  const md = doc('docs/configuration.md');
  const block = [...md.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!).find((b) => b.includes('providers:'))!;
  // `key: value  # default X` lines: the value shown must be the default it claims.
  const claims = [...block.matchAll(/^\s+(\w+): (\S+)\s+# default ([^;\s]+)/gm)].map((m) => ({ key: m[1]!, value: m[2]!, def: m[3]! }));
  assert.ok(claims.length >= 3, 'the reference marks its defaults');
  for (const c of claims) assert.equal(c.value, c.def, `${c.key}: shown ${c.value}, said to default to ${c.def}`);
  const minimal = 'providers:\n  p: { format: openai-chat, base_url: http://127.0.0.1:9/v1, auth: none }\ndeployments:\n  d: { provider: p, model: m }\nroutes:\n  r: { targets: [d] }\n';
  const bare = loadSnapshotFromText(minimal, { env: {} });
  const byKey = Object.fromEntries(claims.map((c) => [c.key, c.value]));
  const shown = loadSnapshotFromText(`${minimal}server: { host: ${byKey.host}, port: ${byKey.port}, body_limit: ${byKey.body_limit} }\n`, { env: {} });
  assert.deepEqual(shown.server, bare.server, 'server defaults');
  // The `defaults:` section shows the built-in defaults: compiling it changes nothing.
  const defaultsBlock = /^defaults:.*\n((?:  .*\n)+)/m.exec(block)![1]!;
  const withDefaults = loadSnapshotFromText(`${minimal}defaults:\n${defaultsBlock}`, { env: {} });
  assert.deepEqual(withDefaults.deployments.get('d')!.timeouts, DEFAULTS.timeouts);
  assert.deepEqual(withDefaults.routes.get('r')!.retry, bare.routes.get('r')!.retry);
  assert.equal(withDefaults.routes.get('r')!.deadlineMs, DEFAULTS.deadlineMs);
});

test('keys in the configuration tables exist in the schema', () => {
  const md = doc('docs/configuration.md');
  const providers = /### Providers\n([\s\S]*?)\n### /.exec(md)![1]!;
  const keys = [...providers.matchAll(/^\| ((?:`[a-z_]+`(?:, | \/ )?)+) \|/gm)].flatMap((m) => [...m[1]!.matchAll(/`([a-z_]+)`/g)].map((k) => k[1]!));
  assert.ok(keys.length >= 8, keys.join(', '));
  const valid = keysAt(configSchema, ['providers', 'x']);
  for (const k of keys) assert.ok(valid.includes(k), `docs/configuration.md names providers.*.${k}, which the schema does not have`);
  // The preset list in that table is the catalog's.
  const presetRow = /^\| `preset` \|(.*)$/m.exec(providers)![1]!;
  for (const id of loadCatalog().keys()) assert.ok(presetRow.includes(`\`${id}\``), `preset ${id} missing from the docs`);
});

test('the endpoints docs/operations.md lists are served', () => {
  const ops = doc('docs/operations.md');
  const table = /## Endpoints to wire into your platform\n([\s\S]*?)\n## /.exec(ops)![1]!;
  // The data-plane table plus what the shipped extensions serve (metrics, dashboard, admin APIs).
  const endpoints = defaultEndpoints();
  const snapshot = loadSnapshotFromText('providers: { p: { format: openai-chat, base_url: http://127.0.0.1:9/v1, auth: none } }\ndeployments: { d: { provider: p, model: m } }\nroutes: { r: { targets: [d] } }\n', { env: {} });
  const log = createLogger('silent');
  for (const e of defaultExtensions({ snapshot, log, router: createRouter(log), env: {} })) for (const [k, v] of e.endpoints ?? []) endpoints.set(k, v);
  for (const m of table.matchAll(/^\| `([^`]+)` \|/gm)) {
    const spec = m[1]!.replace(/` \/ `/g, ' ');
    const [methods, path] = /^((?:GET|POST|DELETE)(?: \/ (?:GET|POST|DELETE))*) (\S+)$/.exec(spec.replace(/` \/ `/, ' / '))?.slice(1) ?? [];
    assert.ok(methods && path, `cannot read "${m[1]}"`);
    for (const method of methods.split(' / ')) {
      const key = `${method} ${path.replace(/\{[^}]+\}$/, '*')}`;
      assert.ok(endpoints.has(key), `${key} is in docs/operations.md but not served`);
    }
  }
});

test('the README states the Node version package.json requires', () => {
  const engines = (JSON.parse(doc('package.json')) as { engines: { node: string } }).engines.node;
  const [major, minor] = /(\d+)\.(\d+)/.exec(engines)!.slice(1);
  assert.match(doc('README.md'), new RegExp(`Node\\.js ${major}\\.${minor}\\+`));
});
