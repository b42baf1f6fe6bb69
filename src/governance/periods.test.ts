import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BudgetBook } from './budgets.js';
import { isTimeZone, periodWindow } from './periods.js';
import type { BudgetSpec } from './types.js';

const iso = (w: { start: number; end: number }) => [new Date(w.start).toISOString(), new Date(w.end).toISOString()];
const at = (s: string) => Date.parse(s);

test('UTC periods: day, ISO week from Monday, calendar month', () => {
  assert.deepEqual(iso(periodWindow('day', at('2026-03-08T23:59:59Z'))), ['2026-03-08T00:00:00.000Z', '2026-03-09T00:00:00.000Z']);
  assert.deepEqual(iso(periodWindow('week', at('2026-03-08T12:00:00Z'))), ['2026-03-02T00:00:00.000Z', '2026-03-09T00:00:00.000Z']);
  assert.deepEqual(iso(periodWindow('month', at('2026-12-31T23:00:00Z'))), ['2026-12-01T00:00:00.000Z', '2027-01-01T00:00:00.000Z']);
  assert.deepEqual(periodWindow('day', at('2026-03-08T12:00:00Z'), 'UTC'), periodWindow('day', at('2026-03-08T12:00:00Z')));
});

test('a zone with daylight saving: local midnights, a 23-hour and a 25-hour day', () => {
  const ny = 'America/New_York';
  // 2026-03-08: clocks spring forward at 02:00 EST -> 03:00 EDT.
  const spring = periodWindow('day', at('2026-03-08T12:00:00Z'), ny);
  assert.deepEqual(iso(spring), ['2026-03-08T05:00:00.000Z', '2026-03-09T04:00:00.000Z']);
  assert.equal(spring.end - spring.start, 23 * 3_600_000);
  // Just before local midnight on the 7th (EST) is still the 7th; an instant later, the 8th.
  assert.deepEqual(iso(periodWindow('day', at('2026-03-08T04:59:59Z'), ny)), ['2026-03-07T05:00:00.000Z', '2026-03-08T05:00:00.000Z']);
  assert.deepEqual(iso(periodWindow('week', at('2026-03-08T12:00:00Z'), ny)), ['2026-03-02T05:00:00.000Z', '2026-03-09T04:00:00.000Z']);
  assert.deepEqual(iso(periodWindow('month', at('2026-03-15T12:00:00Z'), ny)), ['2026-03-01T05:00:00.000Z', '2026-04-01T04:00:00.000Z']);
  // 2026-10-25 in Berlin: 03:00 CEST -> 02:00 CET, a 25-hour day.
  const fall = periodWindow('day', at('2026-10-25T12:00:00Z'), 'Europe/Berlin');
  assert.deepEqual(iso(fall), ['2026-10-24T22:00:00.000Z', '2026-10-25T23:00:00.000Z']);
  assert.equal(fall.end - fall.start, 25 * 3_600_000);
  // A zone east of UTC: the local month starts the evening before in UTC.
  assert.deepEqual(iso(periodWindow('month', at('2026-04-30T22:30:00Z'), 'Asia/Tokyo')), ['2026-04-30T15:00:00.000Z', '2026-05-31T15:00:00.000Z']);
  assert.equal(isTimeZone('Europe/Berlin'), true);
  assert.equal(isTimeZone('Mars/Olympus'), false);
});

test('a budget in a zone rolls at local midnight across the DST change (injected clock)', () => {
  let now = at('2026-03-08T04:30:00Z'); // 23:30 EST on the 7th
  const book = new BudgetBook(() => now);
  book.timeZone = 'America/New_York';
  const spec: BudgetSpec = { usd: 10, period: 'day', soft: 0.8, enforce: true, onUnknownCost: 'reserve', cutoff: false };
  const b = book.ensure('key:k', spec);
  book.settle(book.reserve([b], 4) as never, 4);
  assert.equal(book.get('key:k')!.spent, 4);
  now = at('2026-03-08T05:00:00Z'); // local midnight: a new day
  assert.equal(book.get('key:k')!.spent, 0);
  book.settle(book.reserve([b], 3) as never, 3);
  now = at('2026-03-09T03:59:59Z'); // 23:59:59 EDT, the same (23-hour) day
  assert.equal(book.get('key:k')!.spent, 3);
  now = at('2026-03-09T04:00:00Z');
  assert.equal(book.get('key:k')!.spent, 0, 'rolled at local midnight, an hour earlier in UTC than the day before');
  // A budget's own zone wins over the book's default.
  const utc = book.ensure('team:t', { ...spec, timeZone: 'UTC' });
  assert.equal(new Date(utc.periodStart).toISOString(), '2026-03-09T00:00:00.000Z');
});
