import { test } from 'node:test';
import assert from 'node:assert/strict';
import { selectPlan } from './classifier.js';
import { requestNeeds } from './estimate.js';
import { testClass, testDeployment, testRequest, testRoute } from '../../testkit/routing-builders.js';

const main = testDeployment('main');
const a = testDeployment('a');
const b = testDeployment('b');

function pick(route: ReturnType<typeof testRoute>, req = testRequest('hello'), headers: Record<string, string | string[] | undefined> = {}) {
  const s = selectPlan(route, req, headers, requestNeeds(req));
  return s.className ?? `route:${s.plan.targets[0]!.id}`;
}

test('header: name and value compared case-insensitively; without equals, presence matches', () => {
  const route = testRoute('r', [main], {
    classes: [testClass('canary', { header: { name: 'X-Canary', equals: 'Yes' } }, [a]), testClass('tagged', { header: { name: 'x-tag' } }, [b])],
  });
  assert.equal(pick(route, undefined, { 'x-canary': 'yes' }), 'canary');
  assert.equal(pick(route, undefined, { 'x-canary': ['no', ' YES '] }), 'canary');
  assert.equal(pick(route, undefined, { 'x-canary': 'no' }), 'route:main');
  assert.equal(pick(route, undefined, { 'x-tag': '' }), 'tagged');
  assert.equal(pick(route), 'route:main');
});

test('metadata: key and value must match exactly', () => {
  const route = testRoute('r', [main], { classes: [testClass('gold', { metadata: { key: 'tier', equals: 'gold' } }, [a])] });
  assert.equal(pick(route, testRequest('x', { metadata: { tier: 'gold' } })), 'gold');
  assert.equal(pick(route, testRequest('x', { metadata: { tier: 'Gold' } })), 'route:main');
  assert.equal(pick(route, testRequest('x', { metadata: { other: 'gold' } })), 'route:main');
});

test('hasTools / hasImages match both true and false', () => {
  const route = testRoute('r', [main], {
    classes: [testClass('tools', { hasTools: true }, [a]), testClass('images', { hasImages: true }, [b]), testClass('plain', { hasTools: false, hasImages: false }, [main])],
  });
  const tools = testRequest('x', { tools: [{ name: 'f', parameters: {} }] });
  const image = testRequest('x', {
    messages: [{ role: 'user', content: [{ type: 'image', source: { kind: 'url', url: 'https://example.invalid/i.png' } }] }],
  });
  assert.equal(pick(route, tools), 'tools');
  assert.equal(pick(route, image), 'images');
  assert.equal(pick(route, testRequest('x')), 'plain');
});

test('token size bounds are inclusive; the first matching class wins; all conditions must hold', () => {
  const route = testRoute('r', [main], {
    classes: [
      testClass('long-tools', { minInputTokens: 1000, hasTools: true }, [b]),
      testClass('long', { minInputTokens: 1000 }, [a]),
      testClass('short', { maxInputTokens: 104 }, [b]),
    ],
  });
  assert.equal(pick(route, testRequest('x'.repeat(3984))), 'long'); // 996 + 4 = 1000 tokens
  assert.equal(pick(route, testRequest('x'.repeat(3980))), 'route:main'); // 999: neither bound
  assert.equal(pick(route, testRequest('x'.repeat(400))), 'short'); // exactly 104
  assert.equal(pick(route, testRequest('x'.repeat(3984), { tools: [{ name: 'f', parameters: {} }] })), 'long-tools');
});
