import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSnapshotFromText } from '../config/load.js';
import { runSubstitutionCli, parseSince } from '../cli/substitution.js';
import { replay, spread, tokenCost } from './replay.js';
import { ArraySource, RequestLogSource, recordFromLine, type ReplayRecord } from './source.js';

const deployments = `
providers: { p: { format: openai-chat, base_url: http://127.0.0.1:9/v1, auth: none } }
deployments:
  big: { provider: p, model: m-big, price: { input: 10, output: 30, cache_read: 1 } }
  small: { provider: p, model: m-small, price: { input: 1, output: 2 } }
  free: { provider: p, model: m-free }
`;
const current = loadSnapshotFromText(`${deployments}routes: { chat: { targets: [big] }, other: { targets: [big] } }`, { env: {} });
const policy = loadSnapshotFromText(
  `${deployments}routes:
  chat: { targets: [small, big], strategy: weighted, weights: [3, 1], classes: [{ name: long, when: { min_input_tokens: 1000 }, targets: [big] }] }
`,
  { env: {} },
);

const rec = (r: Partial<ReplayRecord>): ReplayRecord => ({ at: 1000, route: 'chat', status: 200, tokensIn: 1_000_000, tokensOut: 1_000_000, deployment: 'big', ...r });

test('token cost: input, cached input, output (USD per million tokens)', () => {
  const p = current.deployments.get('big')!.price!;
  assert.equal(tokenCost(p, 1_000_000, 1_000_000), 40);
  assert.equal(tokenCost(p, 1_000_000, 0, 500_000), 5 + 0.5);
  assert.equal(tokenCost(current.deployments.get('small')!.price!, 2_000_000, 500_000), 3);
});

test('spread follows the strategy: weighted shares, ordered first target, cost the cheapest', () => {
  assert.deepEqual(spread(policy.routes.get('chat')!).map((x) => [x.d.id, x.share]), [['small', 0.75], ['big', 0.25]]);
  assert.deepEqual(spread(current.routes.get('chat')!).map((x) => [x.d.id, x.share]), [['big', 1]]);
  const cost = loadSnapshotFromText(`${deployments}routes: { c: { targets: [big, small], strategy: cost } }`, { env: {} });
  assert.deepEqual(spread(cost.routes.get('c')!).map((x) => x.d.id), ['small']);
});

test('replay prices each record under the policy: classes, cache hits, failures, unpriced and missing routes', async () => {
  const rows: ReplayRecord[] = [
    rec({ team: 'a' }), // actual 40; replay 0.75 * 3 + 0.25 * 40 = 12.25
    rec({ team: 'b', costUsd: 50 }), // the gateway's own price wins for the actual side
    rec({ className: 'long', team: 'a' }), // class long keeps big: 40 -> 40
    rec({ cache: 'hit', team: 'a' }), // a hit costs nothing on either side
    rec({ status: 502 }),
    rec({ deployment: 'free' }), // cannot price the actual side
    rec({ route: 'other' }), // not in the policy
    rec({ at: 10 }), // before since
  ];
  const r = await replay(new ArraySource(rows), { policy, current, filter: { since: 100 } });
  assert.equal(r.records, 7);
  assert.deepEqual(r.skipped, { failed: 1, unpriced: 1, routeNotInPolicy: 1 });
  assert.equal(r.total.priced, 4);
  assert.equal(r.total.actualUsd, 40 + 50 + 40 + 0);
  assert.equal(r.total.replayUsd, 12.25 + 12.25 + 40 + 0);
  assert.ok(Math.abs(r.total.delta! - (64.5 - 130) / 130) < 1e-12);
  const a = r.teams.find((t) => t.key === 'a')!;
  assert.equal(a.actualUsd, 80);
  assert.equal(a.replayUsd, 52.25);
  assert.deepEqual(r.targets.chat, [{ deployment: 'small', share: 0.75 }, { deployment: 'big', share: 0.25 }]);
  assert.ok(r.assumptions.some((x) => /tokenizers/.test(x)));
});

test('request log lines: only request lines become records; the CLI replays a log file', async () => {
  assert.equal(recordFromLine({ msg: 'shadow', route: 'chat', time: 1, status: 200 }), undefined);
  assert.deepEqual(recordFromLine({ msg: 'request', time: 5, route: 'chat', status: 200, tokens_in: 3, tokens_out: 4, deployment: 'big', team: 't', class: 'c', cost_usd: 0.1 }), {
    at: 5, route: 'chat', status: 200, tokensIn: 3, tokensOut: 4, deployment: 'big', team: 't', className: 'c', costUsd: 0.1,
  });
  const dir = mkdtempSync(join(tmpdir(), 'mp-replay-'));
  const now = Date.now();
  const lines = [
    JSON.stringify({ level: 30, time: now, request_id: 'a', route: 'chat', status: 200, tokens_in: 1_000_000, tokens_out: 1_000_000, deployment: 'big', msg: 'request' }),
    'not json at all',
    JSON.stringify({ level: 30, time: now, msg: 'modelplane listening' }),
    JSON.stringify({ level: 30, time: now - 10 * 86_400_000, route: 'chat', status: 200, tokens_in: 5, tokens_out: 5, deployment: 'big', msg: 'request' }),
  ];
  const log = join(dir, 'gateway.log');
  writeFileSync(log, lines.join('\n') + '\n');
  const recs: ReplayRecord[] = [];
  for await (const r of new RequestLogSource([log]).records({})) recs.push(r);
  assert.equal(recs.length, 2);
  const policyFile = join(dir, 'new.yaml');
  writeFileSync(policyFile, `${deployments}routes: { chat: { targets: [small] } }`);
  const currentFile = join(dir, 'current.yaml');
  writeFileSync(currentFile, `${deployments}routes: { chat: { targets: [big] } }`);
  const out: string[] = [];
  const io = { out: (s: string) => void out.push(s), err: (s: string) => void out.push(s), env: {} };
  assert.equal(await runSubstitutionCli('replay', ['--policy', policyFile, '--config', currentFile, '--log', log, '--since', '7d', '--format', 'json'], io), 0, out.join(''));
  const report = JSON.parse(out.join('')) as { records: number; total: { actualUsd: number; replayUsd: number } };
  assert.equal(report.records, 1);
  assert.equal(report.total.actualUsd, 40);
  assert.equal(report.total.replayUsd, 3);
  out.length = 0;
  assert.equal(await runSubstitutionCli('replay', ['--policy', policyFile, '--config', currentFile, '--log', log], io), 0);
  assert.match(out.join(''), /chat\s+2\s+\$40\.0002\s+\$3\.0000\s+-92\.5%\s+-> small 100%/);
  assert.equal(await runSubstitutionCli('replay', ['--log', log], io), 2);
  assert.equal(parseSince('24h'), 86_400_000);
  assert.throws(() => parseSince('7 weeks'), /--since/);
});
