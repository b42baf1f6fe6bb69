// The health timeline: the first view is the baseline, later views add one change per entity
// whose state moved (credentials included), newest first, bounded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HealthTimeline } from './health-timeline.js';

const view = (d: string, c: string) => ({ providers: [{ id: 'p', state: 'closed', credentials: [{ id: 'p/key-1', state: c }] }], deployments: [{ id: 'd', state: d }] });

test('baseline, then changes newest first, and the bound', () => {
  const t = new HealthTimeline(2);
  t.observe(view('open', 'closed'), 1);
  assert.deepEqual(t.view(), [], 'the first view is the baseline, not a change');
  t.observe(view('open', 'closed'), 2);
  assert.deepEqual(t.view(), []);
  t.observe(view('half-open', 'open'), 3);
  assert.deepEqual(t.view().map((c) => [c.time, c.level, c.id, c.from, c.to]), [[3, 'deployment', 'd', 'open', 'half-open'], [3, 'credential', 'p/key-1', 'closed', 'open']]);
  t.observe(view('closed', 'open'), 4);
  assert.deepEqual(t.view().map((c) => [c.time, c.id, c.to]), [[4, 'd', 'closed'], [3, 'd', 'half-open']], 'at most two kept');
});
