import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CanonicalEvent, CanonicalResponse } from '../../spec/canonical.js';
import { GatewayError } from '../../spec/errors.js';
import type { EncodeContext } from '../../spec/wire.js';
import { MemoryResponsesStore } from '../../store/memory-responses-store.js';
import { prepareResponses } from './history.js';

const ctx: EncodeContext = { model: 'route-a', requestId: 'req_1', created: 1700000000 };
let n = 0;
const ids = () => `resp_t${++n}`;

function answer(text: string): CanonicalResponse {
  return { id: 'up', model: 'provider-model', created: 1, content: [{ type: 'text', text }], finishReason: 'stop' };
}

/** One non-streaming turn through the bound ingress; returns the response id. */
async function turn(store: MemoryResponsesStore, body: Record<string, unknown>, reply: string): Promise<string> {
  const p = await prepareResponses(store, { model: 'route-a', ...body }, undefined, ids);
  const out = p.ingress.encodeResponse(answer(reply), ctx) as { id: string };
  p.save();
  assert.equal(out.id, p.responseId, 'the stored id is the id the client sees');
  return out.id;
}

const texts = (req: Awaited<ReturnType<typeof prepareResponses>>['request']) =>
  req.messages.map((m) => [m.role, m.content.map((c) => (c.type === 'text' ? c.text : c.type)).join('|')]);

test('a completed response is stored with its input and output, and continues a conversation', async () => {
  const store = new MemoryResponsesStore();
  const a = await turn(store, { input: 'one', instructions: 'only for turn one' }, 'reply one');
  const stored = await store.get(a);
  assert.deepEqual(stored?.input, [{ type: 'message', role: 'user', content: 'one' }]);
  assert.equal(stored?.output.length, 1);
  const b = await turn(store, { input: 'two', previous_response_id: a }, 'reply two');
  assert.equal((await store.get(b))?.previousResponseId, a);
  const c = await prepareResponses(store, { model: 'route-a', input: 'three', previous_response_id: b }, undefined, ids);
  assert.deepEqual(texts(c.request), [
    ['user', 'one'],
    ['assistant', 'reply one'],
    ['user', 'two'],
    ['assistant', 'reply two'],
    ['user', 'three'],
  ]);
});

test('unknown previous_response_id, or a missing ancestor, is a 404 naming the id', async () => {
  const store = new MemoryResponsesStore();
  await assert.rejects(prepareResponses(store, { model: 'route-a', input: 'x', previous_response_id: 'resp_nope' }), (e: unknown) =>
    e instanceof GatewayError && e.status === 404 && e.message === "Previous response with id 'resp_nope' not found.");
  store.put({ id: 'resp_child', createdAt: 1, model: 'route-a', previousResponseId: 'resp_gone', input: [], output: [] });
  await assert.rejects(prepareResponses(store, { model: 'route-a', input: 'x', previous_response_id: 'resp_child' }), (e: unknown) =>
    e instanceof GatewayError && e.message.includes("'resp_gone'"));
});

test('store: false is not stored; a failed stream is not stored', async () => {
  const store = new MemoryResponsesStore();
  const id = await turn(store, { input: 'x', store: false }, 'y');
  assert.equal(await store.get(id), undefined);

  const p = await prepareResponses(store, { model: 'route-a', input: 'x', stream: true }, undefined, ids);
  async function* failing(): AsyncGenerator<CanonicalEvent> {
    yield { type: 'text-delta', text: 'par' };
    yield { type: 'error', error: new GatewayError('upstream_error', 'boom') };
  }
  for await (const _ of p.ingress.encodeEvents(failing(), ctx)) void _;
  p.save();
  assert.equal(await store.get(p.responseId), undefined);
});

test('a completed stream is stored, and its items can be referenced by id', async () => {
  const store = new MemoryResponsesStore();
  const p = await prepareResponses(store, { model: 'route-a', input: 'q', stream: true }, undefined, ids);
  async function* ok(): AsyncGenerator<CanonicalEvent> {
    yield { type: 'text-delta', text: 'streamed answer' };
    yield { type: 'tool-call-start', index: 0, id: 'call_1', name: 'f' };
    yield { type: 'tool-call-delta', index: 0, argumentsDelta: '{}' };
    yield { type: 'finish', reason: 'tool-calls' };
  }
  for await (const _ of p.ingress.encodeEvents(ok(), ctx)) void _;
  p.save();
  const stored = await store.get(p.responseId);
  assert.ok(stored);
  const [msgId, fcId] = stored.output.map((o) => (o as { id: string }).id);
  const next = await prepareResponses(store, {
    model: 'route-a',
    input: [
      { role: 'user', content: 'q' },
      { type: 'item_reference', id: msgId },
      { type: 'item_reference', id: fcId },
      { type: 'function_call_output', call_id: 'call_1', output: 'r' },
    ],
  }, undefined, ids);
  assert.deepEqual(texts(next.request), [
    ['user', 'q'],
    ['assistant', 'streamed answer|tool-call'],
    ['tool', 'tool-result'],
  ]);
  // The resolved items, not the references, are what gets stored for the next turn.
  next.ingress.encodeResponse(answer('fine'), ctx);
  next.save();
  const kept = await store.get(next.responseId);
  assert.ok(kept?.input.every((i) => (i as { type?: string }).type !== 'item_reference'));
});
