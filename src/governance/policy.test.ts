import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testDeployment, testProvider } from '../../testkit/routing-builders.js';
import { GatewayError } from '../spec/errors.js';
import { resolvePrincipal } from './hierarchy.js';
import { assertSomeEligible, buildExclude, requestTier } from './policy.js';
import type { KeyRecord, PolicySettings } from './types.js';

const policy: PolicySettings = {
  tiers: [
    { name: 'public', rule: {} },
    { name: 'internal', rule: { jurisdictions: ['US', 'EU', 'local'] } },
    { name: 'customer-data', rule: { providers: ['oai', 'claude', 'local'], retention: ['none', 'limited'] } },
  ],
  defaultTier: 'internal',
};
const us = testDeployment('us-big', { provider: testProvider('oai', { jurisdiction: 'US', retention: 'limited' }), tier: 'big' });
const cn = testDeployment('cn-small', { provider: testProvider('moon', { jurisdiction: 'CN', retention: 'standard' }), tier: 'small' });
const eu = testDeployment('eu-small', { provider: testProvider('mist', { jurisdiction: 'EU', retention: 'standard' }), tier: 'small' });
const local = testDeployment('local', { provider: testProvider('local', { jurisdiction: 'local', retention: 'none' }), tier: 'small' });
const key = (over: Partial<KeyRecord> = {}): KeyRecord => ({ id: 'key_1', name: 'bot', hash: 'h', prefix: 'mp-x', enabled: true, createdAt: 1, source: 'store', ...over });

test('tiers filter by jurisdiction, provider and retention', () => {
  const internal = buildExclude(policy, 1, undefined)!;
  assert.equal(internal(us), undefined);
  assert.equal(internal(eu), undefined);
  assert.match(internal(cn)!, /sensitivity "internal" allows jurisdictions \[US, EU, local\], provider moon is CN/);
  const cd = buildExclude(policy, 2, undefined)!;
  assert.equal(cd(us), undefined);
  assert.equal(cd(local), undefined);
  assert.match(cd(eu)!, /allows providers \[oai, claude, local\], not mist/);
  assert.equal(buildExclude(policy, 0, undefined), undefined, 'public with no allowlist: no filter at all');
});

test('a header may raise the tier, never lower it; unknown tiers are a 400 naming the header', () => {
  assert.equal(requestTier(policy, 1, undefined), 1);
  assert.equal(requestTier(policy, 1, 'customer-data'), 2);
  assert.throws(() => requestTier(policy, 1, 'public'), (e: unknown) => e instanceof GatewayError && e.code === 'invalid_request' && e.param === 'x-modelplane-sensitivity');
  assert.throws(() => requestTier(policy, 1, 'secret'), (e: unknown) => e instanceof GatewayError && /unknown tier/.test(e.message));
});

test('key allowlists exclude providers and tiers; the 403 names each target and rule', () => {
  const p = resolvePrincipal(key({ providers: ['oai', 'mist'], tiers: ['small'] }), undefined, policy);
  const ex = buildExclude(policy, 1, p)!;
  assert.equal(ex(eu), undefined);
  assert.match(ex(us)!, /tier big is not in its tier allowlist/);
  assert.match(ex(local)!, /provider local is not in its provider allowlist/);
  assertSomeEligible([us, eu], ex, 'r');
  assert.throws(
    () => assertSomeEligible([us, cn, local], ex, 'support'),
    (e: unknown) =>
      e instanceof GatewayError && e.code === 'policy_denied' && e.status === 403 &&
      e.message.includes('route "support"') && e.message.includes('us-big: key bot: tier big') && e.message.includes('cn-small: key bot: provider moon') && e.message.includes('local: key bot: provider local'),
  );
});
