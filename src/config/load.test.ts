import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadSnapshotFromText } from './load.js';
import { SnapshotHolder } from './holder.js';

const BASE = `
server: { port: 4100, body_limit: 2mb }
auth: { master_key: \${MP_TEST_KEY} }
providers:
  oai:   { preset: openai, api_key: \${MP_TEST_OPENAI} }
  local: { format: openai-chat, base_url: http://127.0.0.1:11434/v1, auth: none }
  claude: { preset: anthropic, api_keys: [k1, k2] }
deployments:
  small-a: { provider: local, model: local-model, tier: small, timeouts: { connect: 2s, first_byte: 500ms } }
  mid-a:   { provider: oai, model: model-x, tier: mid, price: { input: 1, output: 2 } }
  mid-b:   { provider: claude, model: model-y, tier: mid }
routes:
  support-triage: { targets: [small-a, mid-a] }
  summarize: { tier: mid, strategy: weighted, weights: [95, 5] }
`;
const env = { MP_TEST_KEY: 'sk-master', MP_TEST_OPENAI: 'sk-openai' };

function problemsOf(text: string, e: NodeJS.ProcessEnv = env): string[] {
  try {
    loadSnapshotFromText(text, { env: e });
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err.problems;
  }
  assert.fail('expected a ConfigError');
}

test('a valid config compiles to a snapshot with presets, env secrets, tiers and defaults resolved', () => {
  const s = loadSnapshotFromText(BASE, { env });
  assert.equal(s.server.port, 4100);
  assert.equal(s.server.bodyLimitBytes, 2 * 1024 * 1024);
  assert.equal(s.auth.masterKey, 'sk-master');
  const oai = s.providers.get('oai')!;
  assert.equal(oai.baseUrl, 'https://api.openai.com/v1');
  assert.equal(oai.format, 'openai-chat');
  assert.equal(oai.credentials[0]!.apiKey, 'sk-openai');
  assert.equal(oai.quirks.maxTokensField, 'max_completion_tokens');
  assert.equal(s.providers.get('claude')!.credentials.length, 2);
  assert.equal(s.providers.get('claude')!.headers['anthropic-version'], '2023-06-01');
  const small = s.deployments.get('small-a')!;
  assert.deepEqual(small.timeouts, { connectMs: 2000, firstByteMs: 500, totalMs: 600_000 });
  const triage = s.routes.get('support-triage')!;
  assert.deepEqual(triage.targets.map((d) => d.id), ['small-a', 'mid-a']);
  assert.equal(triage.strategy, 'ordered');
  assert.ok(triage.retry.maxAttempts >= 2, 'every target gets an attempt by default');
  const sum = s.routes.get('summarize')!;
  assert.deepEqual(sum.targets.map((d) => d.id), ['mid-a', 'mid-b']);
  assert.deepEqual(sum.weights, [95, 5]);
  assert.deepEqual(s.deployments.get('mid-a')!.price, { inputPerMTok: 1, outputPerMTok: 2 });
});

test('errors name the path and what was expected', () => {
  const p = problemsOf(BASE.replace('targets: [small-a, mid-a]', 'targets: [small-a, nope]').replace('port: 4100', 'port: "x"'));
  assert.ok(p.some((x) => x.startsWith('server.port:')), p.join('\n'));
  const q = problemsOf(BASE.replace('targets: [small-a, mid-a]', 'targets: [small-a, nope]'));
  assert.deepEqual(q, ['routes.support-triage.targets[1]: unknown deployment "nope"']);
  const r = problemsOf(BASE.replace('tier: small,', 'tier: small, colour: red,'));
  assert.ok(r.some((x) => x.includes('deployments.small-a') && x.includes('"colour"')), r.join('\n'));
  const u = problemsOf(BASE.replace('preset: openai', 'preset: nosuch'));
  assert.ok(u.some((x) => x.startsWith('providers.oai.preset: unknown preset "nosuch"')), u.join('\n'));
});

test('a missing environment variable is reported with its path', () => {
  const p = problemsOf(BASE, { MP_TEST_KEY: 'k' });
  assert.deepEqual(p, ['providers.oai.api_key (${MP_TEST_OPENAI}): environment variable is not set (use ${VAR:-default} for a default)']);
  const s = loadSnapshotFromText(BASE.replace('${MP_TEST_OPENAI}', '${MP_TEST_OPENAI:-fallback}'), { env: { MP_TEST_KEY: 'k' } });
  assert.equal(s.providers.get('oai')!.credentials[0]!.apiKey, 'fallback');
});

test('YAML syntax errors and empty files are config errors, not crashes', () => {
  assert.match(problemsOf('routes: [unclosed')[0]!, /^YAML syntax:/);
  assert.deepEqual(problemsOf(''), ['the file is empty']);
});

test('hot reload swaps atomically and a broken edit keeps the old snapshot', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mp-cfg-'));
  const file = join(dir, 'c.yaml');
  const body = BASE.replace(/\$\{MP_TEST_KEY\}/, 'sk-1').replace('${MP_TEST_OPENAI}', 'sk-2');
  writeFileSync(file, body);
  const errors: string[] = [];
  const holder = new SnapshotHolder(loadSnapshotFromText(body), file, { info() {}, error: (o) => errors.push(JSON.stringify(o)) });
  const first = holder.current;
  writeFileSync(file, body.replace('support-triage:', 'triage-v2:'));
  assert.equal(holder.tryReload(), true);
  assert.ok(holder.current.routes.has('triage-v2'));
  assert.equal(holder.current.version, first.version + 1);
  const good = holder.current;
  writeFileSync(file, body.replace('targets: [small-a, mid-a]', 'targets: [ghost]'));
  assert.equal(holder.tryReload(), false);
  assert.equal(holder.current, good, 'old snapshot keeps serving');
  assert.match(errors[0]!, /unknown deployment/);
});
