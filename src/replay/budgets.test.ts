import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadSnapshotFromText } from '../config/load.js';
import { formatReplay, replay } from './replay.js';
import { ArraySource, type ReplayRecord } from './source.js';

const DAY = 86_400_000;

test('replay applies the policy\'s team and global budgets per period: refused requests cost nothing, enforce: false only counts', async () => {
  const policy = loadSnapshotFromText(
    `providers: { p: { format: openai-chat, base_url: http://127.0.0.1:9/v1, auth: none } }
deployments:
  big: { provider: p, model: m-big, price: { input: 10, output: 30 } }
  small: { provider: p, model: m-small, price: { input: 1, output: 2 } }
routes: { chat: { targets: [small] } }
teams:
  a: { budget: 7/day }
  b: { budget: { usd: 1, period: day, enforce: false } }
budget: 100/month
`,
    { env: {} },
  );
  const at = Date.UTC(2026, 5, 10, 12);
  const rec = (team: string, t: number): ReplayRecord => ({ at: t, route: 'chat', status: 200, tokensIn: 1_000_000, tokensOut: 1_000_000, deployment: 'big', costUsd: 40, team });
  // Each request costs 3 under the policy: team a's third one of the day would pass 7.
  const rows = [rec('a', at), rec('a', at + 1), rec('a', at + 2), rec('a', at + DAY), rec('b', at), rec('b', at + 1)];
  const r = await replay(new ArraySource(rows), { policy });
  const byId = new Map(r.budgets.map((b) => [b.budget, b]));
  assert.deepEqual(byId.get('team:a'), { budget: 'team:a', limitUsd: 7, period: 'day', enforce: true, refused: 1, peakUsd: 6 });
  assert.deepEqual(byId.get('team:b'), { budget: 'team:b', limitUsd: 1, period: 'day', enforce: false, refused: 2, peakUsd: 6 });
  assert.equal(byId.get('global')!.refused, 0);
  assert.equal(byId.get('global')!.peakUsd, 15, 'the refused request is not charged to the global budget either');
  assert.equal(r.total.replayUsd, 5 * 3);
  assert.equal(r.total.actualUsd, 6 * 40);
  assert.match(formatReplay(r), /team:a\s+\$7\.0000\/day {2}peak \$6\.0000 {2}1 refused/);
  assert.match(formatReplay(r), /team:b .* 2 would be refused \(enforce: false\)/);
});
