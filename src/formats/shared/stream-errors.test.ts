import { test } from 'node:test';
import assert from 'node:assert/strict';
import { protocolErrorEvent, readFailedEvent } from './stream-errors.js';

test('protocolErrorEvent: upstream_protocol, cause only when given', () => {
  const bare = protocolErrorEvent('bad frame');
  assert.ok(bare.type === 'error');
  assert.equal(bare.error.code, 'upstream_protocol');
  assert.equal(bare.error.message, 'bad frame');
  assert.equal(bare.error.cause, undefined);
  const cause = new Error('crc');
  const withCause = protocolErrorEvent('bad frame', cause);
  assert.ok(withCause.type === 'error');
  assert.equal(withCause.error.cause, cause);
});

test('readFailedEvent: upstream_connection named after the upstream, keeping the cause', () => {
  const cause = new Error('socket hang up');
  const ev = readFailedEvent('Gemini', cause);
  assert.ok(ev.type === 'error');
  assert.equal(ev.error.code, 'upstream_connection');
  assert.equal(ev.error.message, 'Gemini stream read failed');
  assert.equal(ev.error.cause, cause);
});
