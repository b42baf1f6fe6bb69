// GET / DELETE /v1/responses/{id} through the official openai SDK (`responses.retrieve`,
// `responses.delete`), over the store that also serves previous_response_id.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { KEY, startHarness, type Harness } from './harness.js';

let h: Harness;
let client: OpenAI;

before(async () => {
  h = await startHarness({
    config: `
providers:
  sim-oai: { format: openai-chat, base_url: SIM/openai/v1, auth: none }
deployments:
  oai-a: { provider: sim-oai, model: model-a }
routes:
  chat: { targets: [oai-a] }
`,
  });
  client = new OpenAI({ apiKey: KEY, baseURL: `${h.url}/v1`, maxRetries: 0 });
});
after(async () => {
  await h?.close();
});

test('responses.retrieve returns the stored response: id, model, output, output_text', async () => {
  const first = await client.responses.create({ model: 'chat', input: 'Name a colour.' });
  const second = await client.responses.create({ model: 'chat', input: 'Another one.', previous_response_id: first.id });
  const got = await client.responses.retrieve(second.id);
  assert.equal(got.id, second.id);
  assert.equal(got.object, 'response');
  assert.equal(got.model, 'chat');
  assert.equal(got.status, 'completed');
  assert.equal(got.previous_response_id, first.id);
  assert.equal(got.created_at, second.created_at);
  assert.deepEqual(got.output, second.output);
  assert.equal(got.output_text, second.output_text);
});

test('responses.delete removes it: retrieve and previous_response_id then fail with 404', async () => {
  const r = await client.responses.create({ model: 'chat', input: 'Remember this.' });
  await client.responses.delete(r.id);
  const gone = await client.responses.retrieve(r.id).catch((e: unknown) => e);
  assert.ok(gone instanceof OpenAI.NotFoundError, String(gone));
  assert.match(gone.message, new RegExp(`No response with id '${r.id}'`));
  const again = await client.responses.delete(r.id).catch((e: unknown) => e);
  assert.ok(again instanceof OpenAI.NotFoundError, String(again));
  const cont = await client.responses.create({ model: 'chat', input: 'x', previous_response_id: r.id }).catch((e: unknown) => e);
  assert.ok(cont instanceof OpenAI.APIError && cont.status === 404, String(cont));
});

test('store: false responses are not retrievable; the endpoints need the key', async () => {
  const r = await client.responses.create({ model: 'chat', input: 'x', store: false });
  const e = await client.responses.retrieve(r.id).catch((err: unknown) => err);
  assert.ok(e instanceof OpenAI.NotFoundError, String(e));
  const unauth = await fetch(`${h.url}/v1/responses/${r.id}`, { headers: { authorization: 'Bearer wrong' } });
  assert.equal(unauth.status, 401);
});
