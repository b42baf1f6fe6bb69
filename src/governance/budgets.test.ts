import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BudgetBook, isRefusal, refusalMessage, type Reservation } from './budgets.js';
import { periodWindow } from './periods.js';
import type { BudgetSpec } from './types.js';

const spec = (usd: number, over: Partial<BudgetSpec> = {}): BudgetSpec => ({ usd, period: 'day', soft: 0.8, enforce: true, onUnknownCost: 'reserve', cutoff: false, ...over });
const at = (iso: string) => Date.parse(iso);

test('period windows: UTC day, Monday week, calendar month (leap February), total', () => {
  assert.deepEqual(periodWindow('day', at('2026-03-01T23:59:59.999Z')), { start: at('2026-03-01T00:00:00Z'), end: at('2026-03-02T00:00:00Z') });
  assert.deepEqual(periodWindow('day', at('2026-03-02T00:00:00Z')).start, at('2026-03-02T00:00:00Z'));
  // 2026-12-06 is a Sunday: its week started on Monday 2026-11-30.
  assert.deepEqual(periodWindow('week', at('2026-12-06T12:00:00Z')), { start: at('2026-11-30T00:00:00Z'), end: at('2026-12-07T00:00:00Z') });
  assert.equal(periodWindow('week', at('2026-12-07T00:00:00Z')).start, at('2026-12-07T00:00:00Z'));
  assert.deepEqual(periodWindow('month', at('2028-02-29T10:00:00Z')), { start: at('2028-02-01T00:00:00Z'), end: at('2028-03-01T00:00:00Z') });
  assert.deepEqual(periodWindow('month', at('2026-12-31T23:00:00Z')).end, at('2027-01-01T00:00:00Z'));
  assert.deepEqual(periodWindow('total', 5), { start: 0, end: Number.POSITIVE_INFINITY });
});

test('reservation arithmetic: reserve the maximum, settle the real cost, release on failure', () => {
  let now = at('2026-05-10T12:00:00Z');
  const book = new BudgetBook(() => now);
  const b = book.ensure('key:k', spec(1));
  const r1 = book.reserve([b], 0.4) as Reservation;
  const r2 = book.reserve([b], 0.4) as Reservation;
  assert.ok(!isRefusal(r1) && !isRefusal(r2));
  assert.equal(b.reserved, 0.8);
  const r3 = book.reserve([b], 0.4);
  assert.ok(isRefusal(r3), 'no room for a third maximum');
  book.settle(r1, 0.1);
  assert.ok(Math.abs(b.spent - 0.1) < 1e-12 && Math.abs(b.reserved - 0.4) < 1e-12);
  book.settle(r1, 0.1);
  assert.ok(Math.abs(b.spent - 0.1) < 1e-12, 'settling twice charges once');
  book.settle(r2, 0); // failed request: releases all
  assert.ok(Math.abs(b.reserved) < 1e-12);
  assert.ok(!isRefusal(book.reserve([b], 0.9)));
  now = at('2026-05-11T00:00:00Z');
  assert.equal(book.get('key:k')!.spent, 0, 'a new day starts from zero');
});

test('all or nothing: a refusal by one budget leaves the others untouched', () => {
  const book = new BudgetBook(() => 0);
  const roomy = book.ensure('team:t', spec(100, { period: 'total' }));
  const tight = book.ensure('key:k', spec(1, { period: 'total' }));
  const r = book.reserve([roomy, tight], 2);
  assert.ok(isRefusal(r) && r.budget.id === 'key:k');
  assert.equal(roomy.reserved, 0);
  assert.match(refusalMessage(r), /key budget "k" allows \$1\.00 per total.*does not reset/);
});

test('many concurrent reservations never exceed the cap', () => {
  const book = new BudgetBook(() => 0);
  const b = book.ensure('global', spec(1, { period: 'total' }));
  const held = [];
  for (let i = 0; i < 200; i++) {
    const r = book.reserve([b], 0.3);
    if (!isRefusal(r)) held.push(r);
  }
  assert.equal(held.length, 3);
  for (const r of held) book.settle(r, 0.3);
  assert.ok(b.spent <= 1);
});

test('the soft alert fires once per period, again in the next one', () => {
  let now = at('2026-05-10T12:00:00Z');
  const book = new BudgetBook(() => now);
  const fired: string[] = [];
  book.onSoftAlert = (a) => fired.push(`${a.budget.id}@${new Date(a.budget.periodStart).toISOString().slice(0, 10)}`);
  const b = book.ensure('team:t', spec(10));
  for (let i = 0; i < 5; i++) book.settle(book.reserve([b], 2) as Reservation, 2);
  assert.deepEqual(fired, ['team:t@2026-05-10'], 'crossed 80% once, then stayed above: one alert');
  now = at('2026-05-11T08:00:00Z');
  book.settle(book.reserve([book.get('team:t')!], 9) as Reservation, 9);
  assert.deepEqual(fired, ['team:t@2026-05-10', 'team:t@2026-05-11']);
});

test('shadow budgets count would-be refusals and refuse nothing', () => {
  const book = new BudgetBook(() => 0);
  const shadows: number[] = [];
  book.onShadowRefusal = (r) => shadows.push(r.needed);
  const b = book.ensure('customer:acme', spec(1, { enforce: false, period: 'total' }));
  const r = book.reserve([b], 5);
  assert.ok(!isRefusal(r));
  assert.equal(b.wouldRefuse, 1);
  assert.deepEqual(shadows, [5]);
});

test('a new budget is seeded from what the ledger says was spent this period', () => {
  const now = at('2026-05-10T12:00:00Z');
  const book = new BudgetBook(() => now);
  const seen: number[] = [];
  const b = book.ensure('key:k', spec(10), (start) => (seen.push(start), 9));
  assert.deepEqual(seen, [at('2026-05-10T00:00:00Z')]);
  assert.equal(b.spent, 9);
  assert.equal(b.softAlerted, true, 'already past the soft threshold: no second alert after a restart');
  assert.ok(isRefusal(book.reserve([b], 2)));
});
