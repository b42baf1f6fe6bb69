import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CanonicalEvent } from '../spec/canonical.js';
import { GatewayError } from '../spec/errors.js';
import type { CachedAnswer } from './answer.js';
import { LiveFeed } from './live-feed.js';

const answer: CachedAnswer = { response: { id: 'up-1', model: 'm', created: 1, content: [{ type: 'text', text: 'ab' }], finishReason: 'stop' }, storedAt: 0, route: 'r', scope: 's', bytes: 1 };

/** Pulls from a follower until `n` events have arrived. */
async function take(it: AsyncGenerator<CanonicalEvent>, n: number): Promise<CanonicalEvent[]> {
  const out: CanonicalEvent[] = [];
  while (out.length < n) {
    const r = await it.next();
    if (r.done) break;
    out.push(r.value);
  }
  return out;
}

test('followers get the events from the start, then live as they are pushed, with their own id', async () => {
  const feed = new LiveFeed(1 << 20);
  let published = 0;
  feed.onContent = () => published++;
  feed.push({ type: 'message-start', id: 'up-1', model: 'm', created: 1 });
  assert.equal(published, 0, 'a message start alone is not content');
  feed.push({ type: 'text-delta', text: 'a' });
  assert.equal(published, 1);
  const early = feed.follow((id) => `${id}-f1`, 7);
  assert.deepEqual(await take(early, 2), [{ type: 'message-start', id: 'up-1-f1', model: 'm', created: 7 }, { type: 'text-delta', text: 'a' }]);
  // The follower is now waiting on the leader: the next push reaches it before the leader ends.
  const next = early.next();
  feed.push({ type: 'text-delta', text: 'b' });
  assert.deepEqual((await next).value, { type: 'text-delta', text: 'b' });
  feed.push({ type: 'finish', reason: 'stop' });
  const late = feed.follow((id) => `${id}-f2`, 8);
  feed.end(answer);
  assert.deepEqual((await take(late, 10)).map((e) => e.type), ['message-start', 'text-delta', 'text-delta', 'finish'], 'a late follower replays from the start, then ends');
  assert.deepEqual((await take(early, 10)).map((e) => e.type), ['finish']);
  assert.equal(await feed.done, answer);
  assert.equal(published, 1);
});

test('a follower that reads nothing never holds the leader up: pushes return at once, the reader catches up later', async () => {
  const feed = new LiveFeed(1 << 20);
  const idle = feed.follow((id) => id, 1);
  feed.push({ type: 'message-start', id: 'x', model: 'm', created: 1 });
  for (let i = 0; i < 1000; i++) feed.push({ type: 'text-delta', text: 'word ' });
  feed.push({ type: 'finish', reason: 'stop' });
  feed.end(answer);
  const all = await take(idle, 2000);
  assert.equal(all.length, 1002);
});

test('a leader that fails mid-stream ends its followers with an error that says they shared it', async () => {
  const feed = new LiveFeed(1 << 20);
  const f = feed.follow((id) => id, 1);
  feed.push({ type: 'message-start', id: 'x', model: 'm', created: 1 });
  feed.push({ type: 'text-delta', text: 'par' });
  feed.push({ type: 'error', error: new GatewayError('stream_interrupted', 'upstream stream failed mid-way: socket hang up') });
  feed.end(undefined);
  const events = await take(f, 10);
  assert.deepEqual(events.map((e) => e.type), ['message-start', 'text-delta', 'error'], 'one error, not the leader\'s and ours');
  const last = events[2]!;
  assert.ok(last.type === 'error' && /single-flight\), which failed mid-way; retry/.test(last.error.message));
  assert.equal(await feed.done, undefined);
});

test('a stream that outgrows the shared log stops being shared: followers reach the cut and get a clear error', async () => {
  const feed = new LiveFeed(1000);
  const f = feed.follow((id) => id, 1);
  feed.push({ type: 'message-start', id: 'x', model: 'm', created: 1 });
  for (let i = 0; i < 100; i++) feed.push({ type: 'text-delta', text: 'sixteen chars!!!' });
  feed.end(answer);
  const events = await take(f, 1000);
  const last = events[events.length - 1]!;
  assert.ok(events.length < 20, `the log stopped near its bound (${events.length} events)`);
  assert.ok(last.type === 'error' && /grew too large to share/.test(last.error.message));
});
