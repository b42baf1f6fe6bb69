import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadSnapshotFromText } from '../config/load.js';
import type { ShadowPair } from '../shadow/compare.js';
import { SqliteShadowStore } from '../shadow/store.js';
import { outputRatios } from './output-ratios.js';
import { replay } from './replay.js';
import { ArraySource } from './source.js';

const pair = (i: number, over: Partial<ShadowPair> = {}): ShadowPair => ({
  at: 1000 + i, route: 'chat', candidate: 'small', requestId: `r${i}`, primaryDeployment: 'big',
  primary: { text: 'a', latencyMs: 1, outputTokens: 100 }, shadow: { text: 'b', latencyMs: 1, outputTokens: 130 }, primaryJson: false, shadowJson: false, ...over,
});

test('shadow pairs measure output tokens on the candidate; failed pairs and pairs without tokens do not count', async () => {
  const store = new SqliteShadowStore(':memory:');
  for (let i = 0; i < 12; i++) store.put(pair(i));
  store.put(pair(20, { shadow: { text: '', latencyMs: 1, error: 'upstream_error' } }));
  store.put(pair(21, { primary: { text: 'a', latencyMs: 1 } }));
  store.put(pair(22, { route: 'other', shadow: { text: 'b', latencyMs: 1, outputTokens: 50 } }));
  const obs = store.outputObservations();
  await store.close();
  assert.deepEqual(obs.find((o) => o.route === 'chat'), { route: 'chat', from: 'big', to: 'small', pairs: 12, primaryOut: 1200, shadowOut: 1560 });
  const providers: Record<string, string> = { big: 'p1', small: 'p2', mid: 'p2' };
  const ratio = outputRatios(obs, (d) => providers[d]);
  assert.deepEqual(ratio('chat', 'big', 'small'), { ratio: 1.3, pairs: 12, basis: 'route' });
  // `other` has one pair of its own: too few; the provider pair's ratio (13 pairs) stands in.
  const other = ratio('other', 'big', 'small')!;
  assert.equal(other.basis, 'providers');
  assert.equal(other.pairs, 13);
  assert.ok(Math.abs(other.ratio - (1560 + 50) / 1300) < 1e-12);
  assert.equal(ratio('chat', 'big', 'big'), undefined);
  assert.equal(ratio('chat', 'small', 'big'), undefined, 'a ratio is directional: no pairs measured that way');
  assert.equal(outputRatios(obs, (d) => providers[d], 20)('chat', 'big', 'small'), undefined, 'under the minimum number of pairs');
});

test('replay scales recorded output tokens by the measured ratio and says so', async () => {
  const snap = loadSnapshotFromText(
    `providers: { p: { format: openai-chat, base_url: http://127.0.0.1:9/v1, auth: none } }
deployments:
  big: { provider: p, model: m-big, price: { input: 10, output: 30 } }
  small: { provider: p, model: m-small, price: { input: 1, output: 2 } }
routes: { chat: { targets: [small] } }
`,
    { env: {} },
  );
  const rows = [{ at: 1, route: 'chat', status: 200, tokensIn: 1_000_000, tokensOut: 1_000_000, deployment: 'big', costUsd: 40 }];
  const plain = await replay(new ArraySource(rows), { policy: snap });
  assert.equal(plain.total.replayUsd, 3);
  assert.deepEqual(plain.outputTokens, []);
  const measured = await replay(new ArraySource(rows), { policy: snap, outputRatio: (_r, from, to) => (from === 'big' && to === 'small' ? { ratio: 1.5, pairs: 40, basis: 'route' } : undefined) });
  assert.equal(measured.total.replayUsd, 1 + 2 * 1.5);
  assert.deepEqual(measured.outputTokens, [{ route: 'chat', from: 'big', to: 'small', ratio: 1.5, pairs: 40, basis: 'route', records: 1 }]);
  assert.ok(measured.assumptions[0]!.includes('measured ratio'));
});
