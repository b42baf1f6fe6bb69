import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatTraceparent, parseTraceparent } from './traceparent.js';

const T = '4bf92f3577b34da6a3ce929d0e0e4736';
const S = '00f067aa0ba902b7';

test('traceparent: valid headers parse, invalid ones are ignored', () => {
  assert.deepEqual(parseTraceparent(`00-${T}-${S}-01`), { traceId: T, spanId: S, flags: 1 });
  assert.deepEqual(parseTraceparent(`00-${T.toUpperCase()}-${S}-00`), { traceId: T, spanId: S, flags: 0 });
  // A future version may carry more fields after the flags.
  assert.deepEqual(parseTraceparent(`01-${T}-${S}-01-extra`), { traceId: T, spanId: S, flags: 1 });
  for (const bad of [undefined, '', 'garbage', `ff-${T}-${S}-01`, `00-${'0'.repeat(32)}-${S}-01`, `00-${T}-${'0'.repeat(16)}-01`, `00-${T}-${S}-01-extra`, `00-${T.slice(1)}-${S}-01`]) {
    assert.equal(parseTraceparent(bad), undefined, String(bad));
  }
  assert.equal(formatTraceparent(T, S, 1), `00-${T}-${S}-01`);
  assert.equal(formatTraceparent(T, S, 0), `00-${T}-${S}-00`);
});
