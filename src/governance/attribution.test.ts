import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GatewayError } from '../spec/errors.js';
import { attribute } from './attribution.js';
import { resolvePrincipal } from './hierarchy.js';
import type { KeyRecord } from './types.js';

const key = (over: Partial<KeyRecord> = {}): KeyRecord => ({ id: 'key_1', name: 'bot', hash: 'h', prefix: 'mp-x', enabled: true, createdAt: 1, source: 'store', ...over });
const team = { name: 'support', source: 'config' as const, metadata: { workflow: 'team-wf', agent: 'team-agent' } };

test('precedence: key-bound > header > body metadata > user > key/team defaults', () => {
  const p = resolvePrincipal(key({ team: 'support', agent: 'triage-bot' }), team, { tiers: [] });
  const a = attribute(
    { 'x-modelplane-agent': 'intruder', 'x-modelplane-workflow': 'refunds' },
    { metadata: { modelplane_workflow: 'ignored', modelplane_customer: 'acme' }, user: 'someone@else' },
    p,
  );
  assert.deepEqual(a, { keyId: 'key_1', team: 'support', agent: 'triage-bot', workflow: 'refunds', customer: 'acme' });
  const b = attribute({}, { user: 'u-42@example.com' }, p);
  assert.deepEqual(b, { keyId: 'key_1', team: 'support', agent: 'triage-bot', customer: 'u-42@example.com', workflow: 'team-wf' });
  const c = attribute({}, undefined, resolvePrincipal(key({ customer: 'bound', metadata: { workflow: 'key-wf' } }), team, { tiers: [] }));
  assert.equal(c.customer, 'bound');
  assert.equal(c.workflow, 'key-wf', 'the key default overrides the team default');
  assert.deepEqual(attribute({ 'x-modelplane-customer': 'c1' }, undefined, undefined), { customer: 'c1' });
});

test('bad values are a 400 naming the header or field', () => {
  const bad = (headers: Record<string, string>, body: { metadata?: Record<string, string>; user?: string } | undefined, param: string) =>
    assert.throws(() => attribute(headers, body, undefined), (e: unknown) => e instanceof GatewayError && e.status === 400 && e.param === param && e.message.startsWith(param));
  bad({ 'x-modelplane-workflow': 'has space' }, undefined, 'x-modelplane-workflow');
  bad({ 'x-modelplane-agent': 'x'.repeat(65) }, undefined, 'x-modelplane-agent');
  bad({}, { metadata: { modelplane_customer: 'a/b' } }, 'metadata.modelplane_customer');
  bad({}, { user: 'x'.repeat(129) }, 'user');
});
