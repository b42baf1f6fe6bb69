// The documentation's reference config must stay valid: it is compiled here, so a renamed key
// in the schema fails this test until the docs follow.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadSnapshotFromText } from '../src/config/load.js';
import { projectRoot } from '../testkit/fixtures.js';

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
