import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AttemptAbort } from '../gateway/cancel.js';
import type { DeploymentSnapshot } from '../config/snapshot.js';
import type { CanonicalRequest } from '../spec/canonical.js';
import { candidateFirst, judgePair, parseWinner, winRate } from './judge.js';
import type { ShadowSender } from './sender.js';

test('win rate: ties count half; the 95% Wilson interval narrows with n', () => {
  assert.equal(winRate(0, 0, 0), undefined);
  const small = winRate(3, 2, 5)!;
  assert.equal(small.rate, 0.4);
  const big = winRate(300, 200, 500)!;
  assert.equal(big.rate, 0.4);
  assert.ok(small.lo < big.lo && big.hi < small.hi);
  assert.ok(Math.abs(big.lo - 0.3701) < 0.001 && Math.abs(big.hi - 0.4307) < 0.001, `${big.lo} ${big.hi}`);
  const all = winRate(10, 0, 0)!;
  assert.equal(all.hi, 1);
});

test('judge replies and the position swap', async () => {
  assert.equal(parseWinner('{"winner":"A"}'), 'A');
  assert.equal(parseWinner('I think {"winner": "TIE", "reason": "same"}'), 'tie');
  assert.equal(parseWinner('B is better'), undefined);
  const ids = Array.from({ length: 200 }, (_, i) => `req_${i.toString(36)}`);
  const first = ids.filter(candidateFirst).length;
  assert.ok(first > 60 && first < 140, `the candidate is shown first about half the time (${first}/200)`);
  // A judge that always prefers position A: the swap turns its bias into wins and losses for the candidate alike.
  const biased: ShadowSender = { send: async () => ({ text: '{"winner":"A"}', latencyMs: 1, costUsd: 0.002 }) };
  const req: CanonicalRequest = { model: 'r', stream: false, messages: [{ role: 'user', content: [{ type: 'text', text: 'q' }] }] };
  const d = { id: 'j' } as DeploymentSnapshot;
  const verdicts = await Promise.all(ids.map((id) => judgePair(biased, d, req, id, 'p', 'c', 1000, new AttemptAbort())));
  assert.equal(verdicts.filter((v) => v.verdict === 'win').length, first);
  assert.equal(verdicts.filter((v) => v.verdict === 'loss').length, 200 - first);
  assert.equal(verdicts[0]!.costUsd, 0.002);
  const unreadable: ShadowSender = { send: async () => ({ text: 'hmm', latencyMs: 1 }) };
  assert.equal((await judgePair(unreadable, d, req, 'x', 'p', 'c', 1000, new AttemptAbort())).error, 'judge_unreadable');
});
