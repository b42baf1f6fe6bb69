// A user's clone has no ../shared: `fixture:` prompts fall back to generated answers and every
// error body is synthesised in the provider's shape. Forced here by pointing the loader away.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { hasFixtures } from './fixtures.js';
import { startSimulator, type Simulator } from './simulator.js';

let sim: Simulator;
let saved: string | undefined;
before(async () => {
  saved = process.env.MODELPLANE_FIXTURES;
  process.env.MODELPLANE_FIXTURES = '/nonexistent/modelplane-fixtures';
  sim = await startSimulator();
});
after(async () => {
  await sim.close();
  if (saved === undefined) delete process.env.MODELPLANE_FIXTURES;
  else process.env.MODELPLANE_FIXTURES = saved;
});

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(sim.url + path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

test('the loader sees no captures', () => {
  assert.equal(hasFixtures(), false);
});

test('a fixture: prompt is answered with a generated stream instead', async () => {
  const res = await post('/anthropic/v1/messages', {
    model: 'm',
    max_tokens: 100,
    stream: true,
    messages: [{ role: 'user', content: 'fixture:anthropic/messages-text.stream.sse' }],
  });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('x-sim-source'), 'generated');
  const text = await res.text();
  assert.match(text, /^event: message_start\n/);
  assert.match(text, /"text_delta","text":" fixture:anthropic\/messages-text\.stream\.s"/);
});

test('error bodies are synthesised in each provider shape', async () => {
  const a = await post('/anthropic/v1/messages', { model: 'm', max_tokens: 5, messages: [] }, { 'x-sim-fault': 'status=529' });
  assert.equal(a.status, 529);
  assert.equal(a.headers.get('x-sim-source'), 'generated');
  const ab = (await a.json()) as { type: string; error: { type: string; message: string }; request_id: string };
  assert.deepEqual([ab.type, ab.error.type, ab.error.message], ['error', 'overloaded_error', 'Overloaded']);
  assert.match(ab.request_id, /^req_011C/);

  const q = await post('/openai/v1/chat/completions', { model: 'm', messages: [] }, { authorization: 'Bearer quota-exhausted' });
  assert.equal(q.status, 429);
  assert.deepEqual((await q.json()) as unknown, {
    error: {
      message:
        'You exceeded your current quota, please check your plan and billing details. For more information on this error, read the docs: https://platform.openai.com/docs/guides/error-codes/api-errors.',
      type: 'insufficient_quota',
      param: null,
      code: 'insufficient_quota',
    },
  });

  const g = await post('/gemini/v1beta/models/m:generateContent', { contents: [] }, { 'x-goog-api-key': 'invalid' });
  assert.equal(g.status, 400);
  assert.deepEqual(((await g.json()) as { error: unknown }).error, {
    code: 400,
    message: 'API key not valid. Please pass a valid API key.',
    status: 'INVALID_ARGUMENT',
  });

  const m = await post('/mistral/v1/chat/completions', { model: 'm', messages: [] }, { 'x-sim-fault': 'status=429' });
  const mb = (await m.json()) as Record<string, unknown>;
  assert.equal(mb.object, 'error', 'Mistral puts its error at the top level');
});
