import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CanonicalRequest, EgressTarget } from '../../spec/index.js';
import { gemini } from './index.js';
import { pick } from '../../../testkit/format-helpers/gemini.js';

const target: EgressTarget = {
  deploymentId: 'd1',
  model: 'model-a',
  baseUrl: 'https://generativelanguage.googleapis.com/v1beta',
  auth: 'x-goog-api-key',
  apiKey: 'k-123',
  quirks: {},
};

const base: CanonicalRequest = { model: 'route', messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }], stream: false };

async function build(req: Partial<CanonicalRequest>, t: Partial<EgressTarget> = {}) {
  const r = await gemini.buildRequest({ ...base, ...req }, { ...target, ...t });
  return { ...r, json: JSON.parse(String(r.body)) as unknown };
}

test('Google AI: URL, api key header, non-stream and stream endpoints', async () => {
  const r = await build({});
  assert.equal(r.method, 'POST');
  assert.equal(r.url, 'https://generativelanguage.googleapis.com/v1beta/models/model-a:generateContent');
  assert.equal(r.headers['x-goog-api-key'], 'k-123');
  assert.equal(r.headers.authorization, undefined);
  assert.equal(r.headers['content-type'], 'application/json');
  const s = await build({ stream: true });
  assert.equal(s.url, 'https://generativelanguage.googleapis.com/v1beta/models/model-a:streamGenerateContent?alt=sse');
  assert.deepEqual(s.json, r.json);
});

test('Vertex: same body, bearer auth, publisher base URL', async () => {
  const base = 'https://us-central1-aiplatform.googleapis.com/v1/projects/p/locations/us-central1/publishers/google';
  const r = await build({ stream: true }, { baseUrl: base, auth: 'bearer', apiKey: 'ya29.tok', options: { vertex: true } });
  assert.equal(r.url, `${base}/models/model-a:streamGenerateContent?alt=sse`);
  assert.equal(r.headers.authorization, 'Bearer ya29.tok');
  assert.equal(r.headers['x-goog-api-key'], undefined);
  assert.deepEqual(r.json, { contents: [{ role: 'user', parts: [{ text: 'hi' }] }] });
});

test('messages: system instruction, role mapping, merging, images, tool calls and results', async () => {
  const r = await build({
    messages: [
      { role: 'system', content: [{ type: 'text', text: 'be brief' }] },
      { role: 'system', content: [{ type: 'text', text: 'be kind' }] },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'look' },
          { type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: 'AAAA' } },
          { type: 'image', source: { kind: 'url', url: 'https://x.test/cat.JPG?size=2' } },
          { type: 'image', source: { kind: 'url', url: 'gs://bucket/blob' } },
        ],
      },
      { role: 'user', content: [{ type: 'text', text: 'and this' }] },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'calling' },
          { type: 'tool-call', id: 'c1', name: 'lookup', arguments: '{"q":"x"}', signature: 'SIG1' },
          { type: 'tool-call', id: 'c2', name: 'clock', arguments: '' },
        ],
      },
      { role: 'tool', content: [{ type: 'tool-result', toolCallId: 'c1', content: [{ type: 'text', text: 'found' }] }] },
      { role: 'tool', content: [{ type: 'tool-result', toolCallId: 'c2', name: 'clock', isError: true, content: [{ type: 'text', text: 'boom' }] }] },
      { role: 'user', content: [{ type: 'text', text: 'thanks' }] },
    ],
  });
  assert.deepEqual(pick(r.json, 'systemInstruction'), { parts: [{ text: 'be brief' }, { text: 'be kind' }] });
  assert.deepEqual(pick(r.json, 'contents'), [
    {
      role: 'user',
      parts: [
        { text: 'look' },
        { inlineData: { mimeType: 'image/png', data: 'AAAA' } },
        { fileData: { mimeType: 'image/jpeg', fileUri: 'https://x.test/cat.JPG?size=2' } },
        { fileData: { mimeType: 'image/*', fileUri: 'gs://bucket/blob' } },
        { text: 'and this' },
      ],
    },
    {
      role: 'model',
      parts: [
        { text: 'calling' },
        { functionCall: { name: 'lookup', args: { q: 'x' } }, thoughtSignature: 'SIG1' },
        { functionCall: { name: 'clock', args: {} } },
      ],
    },
    {
      role: 'user',
      parts: [
        { functionResponse: { name: 'lookup', response: { result: 'found' } } },
        { functionResponse: { name: 'clock', response: { error: 'boom' } } },
        { text: 'thanks' },
      ],
    },
  ]);
  assert.deepEqual(r.warnings, []);
});

test('data: URL images become inlineData; tool-result images follow the functionResponse', async () => {
  const r = await build({
    messages: [
      { role: 'assistant', content: [{ type: 'tool-call', id: 'c', name: 'shot', arguments: '{}' }] },
      {
        role: 'tool',
        content: [
          {
            type: 'tool-result',
            toolCallId: 'c',
            content: [
              { type: 'text', text: 'a' },
              { type: 'image', source: { kind: 'url', url: 'data:image/webp;base64,UklG' } },
            ],
          },
        ],
      },
    ],
  });
  assert.deepEqual(pick(r.json, 'contents', 1, 'parts'), [
    { functionResponse: { name: 'shot', response: { result: 'a' } } },
    { inlineData: { mimeType: 'image/webp', data: 'UklG' } },
  ]);
});

test('tool result name falls back to the nearest earlier call with that id, else warns', async () => {
  const r = await build({
    messages: [
      { role: 'assistant', content: [{ type: 'tool-call', id: 'call_0', name: 'first', arguments: '{}' }] },
      { role: 'tool', content: [{ type: 'tool-result', toolCallId: 'call_0', content: [{ type: 'text', text: '1' }] }] },
      { role: 'assistant', content: [{ type: 'tool-call', id: 'call_0', name: 'second', arguments: '{}' }] },
      { role: 'tool', content: [{ type: 'tool-result', toolCallId: 'call_0', content: [{ type: 'text', text: '2' }] }] },
      { role: 'tool', content: [{ type: 'tool-result', toolCallId: 'ghost', content: [{ type: 'text', text: '3' }] }] },
    ],
  });
  assert.equal(pick(r.json, 'contents', 1, 'parts', 0, 'functionResponse', 'name'), 'first');
  assert.equal(pick(r.json, 'contents', 3, 'parts', 0, 'functionResponse', 'name'), 'second');
  assert.equal(pick(r.json, 'contents', 3, 'parts', 1, 'functionResponse', 'name'), 'ghost');
  assert.ok(r.warnings.some((w) => w.includes('ghost')));
});

test('thought signatures: text-less signed reasoning moves to the next part, or stands alone', async () => {
  const r = await build({
    messages: [
      { role: 'user', content: [{ type: 'text', text: 'q' }] },
      {
        role: 'assistant',
        content: [
          { type: 'reasoning', text: 'summary', signature: 'S0' },
          { type: 'reasoning', text: '', signature: 'S1' },
          { type: 'text', text: 'answer' },
          { type: 'reasoning', text: '', signature: 'S2' },
          { type: 'tool-call', id: 'c', name: 'f', arguments: '{}', signature: 'OWN' },
          { type: 'reasoning', text: '', signature: 'S3' },
        ],
      },
    ],
  });
  assert.deepEqual(pick(r.json, 'contents', 1, 'parts'), [
    { text: 'summary', thought: true, thoughtSignature: 'S0' },
    { text: 'answer', thoughtSignature: 'S1' },
    { text: '', thoughtSignature: 'S2' },
    { functionCall: { name: 'f', args: {} }, thoughtSignature: 'OWN' },
    { text: '', thoughtSignature: 'S3' },
  ]);
});

test('tools, schema clean-up and tool choice', async () => {
  const tools = [
    {
      name: 'search',
      description: 'find things',
      parameters: {
        $schema: 'http://json-schema.org/draft-07/schema#',
        type: 'object',
        additionalProperties: false,
        properties: { q: { type: 'string', minLength: 1 }, n: { type: ['integer', 'null'] } },
        required: ['q'],
      },
    },
    { name: 'now', parameters: { type: 'object', properties: {}, additionalProperties: false } },
  ];
  const r = await build({ tools, toolChoice: { type: 'tool', name: 'search' } });
  assert.deepEqual(pick(r.json, 'tools'), [
    {
      functionDeclarations: [
        {
          name: 'search',
          description: 'find things',
          parameters: {
            type: 'object',
            properties: { q: { type: 'string', minLength: 1 }, n: { type: 'integer', nullable: true } },
            required: ['q'],
          },
        },
        { name: 'now' },
      ],
    },
  ]);
  assert.deepEqual(pick(r.json, 'toolConfig'), { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['search'] } });
  for (const [choice, mode] of [['auto', 'AUTO'], ['none', 'NONE'], ['required', 'ANY']] as const) {
    const x = await build({ tools, toolChoice: choice });
    assert.deepEqual(pick(x.json, 'toolConfig'), { functionCallingConfig: { mode } });
  }
  assert.equal(pick((await build({ tools })).json, 'toolConfig'), undefined);
  assert.deepEqual(r.warnings, []);
});

test('generationConfig: sampling, stop, seed, penalties, candidates, JSON schema, thinking', async () => {
  const r = await build({
    maxTokens: 100,
    temperature: 0.3,
    topP: 0.9,
    topK: 40,
    stop: ['END'],
    seed: 7,
    presencePenalty: 0.1,
    frequencyPenalty: 0.2,
    responseFormat: { type: 'json_schema', name: 'x', schema: { type: 'object', properties: { a: { type: 'string', format: 'email' } }, additionalProperties: false } },
    reasoning: { budgetTokens: 2048 },
  });
  assert.deepEqual(pick(r.json, 'generationConfig'), {
    maxOutputTokens: 100,
    temperature: 0.3,
    topP: 0.9,
    topK: 40,
    stopSequences: ['END'],
    seed: 7,
    presencePenalty: 0.1,
    frequencyPenalty: 0.2,
    responseMimeType: 'application/json',
    responseSchema: { type: 'object', properties: { a: { type: 'string' } } },
    thinkingConfig: { thinkingBudget: 2048, includeThoughts: true },
  });
  const j = await build({ responseFormat: { type: 'json_object' }, reasoning: { effort: 'low', include: false } });
  assert.deepEqual(pick(j.json, 'generationConfig'), {
    responseMimeType: 'application/json',
    thinkingConfig: { thinkingBudget: 1024, includeThoughts: false },
  });
  const raw = await build(
    { responseFormat: { type: 'json_schema', name: 'x', schema: { type: 'object', additionalProperties: false } }, reasoning: { effort: 'high' } },
    { options: { responseJsonSchema: true, thinkingLevel: true } },
  );
  assert.deepEqual(pick(raw.json, 'generationConfig'), {
    responseMimeType: 'application/json',
    responseJsonSchema: { type: 'object', additionalProperties: false },
    thinkingConfig: { thinkingLevel: 'high', includeThoughts: true },
  });
  const n = await build({ n: 2 });
  assert.equal(pick(n.json, 'generationConfig', 'candidateCount'), 2);
  assert.ok(n.warnings.some((w) => w.includes('first Gemini candidate')));
});

test('unsupported fields and foreign providerOptions become warnings; own providerOptions pass through', async () => {
  const r = await build({
    parallelToolCalls: false,
    user: 'u1',
    messages: [
      { role: 'user', content: [{ type: 'text', text: 'x', cacheControl: { type: 'ephemeral' } }] },
      { role: 'assistant', content: [{ type: 'reasoning', text: '', redacted: 'xyz' }, { type: 'tool-call', id: 'c', name: 'f', arguments: 'not json' }] },
    ],
    providerOptions: { gemini: { safetySettings: [{ category: 'HARM_CATEGORY_HATE_SPEECH', threshold: 'BLOCK_NONE' }] }, 'anthropic-messages': { thinking: {} } },
  });
  assert.deepEqual(pick(r.json, 'safetySettings'), [{ category: 'HARM_CATEGORY_HATE_SPEECH', threshold: 'BLOCK_NONE' }]);
  assert.deepEqual(pick(r.json, 'contents', 1, 'parts'), [{ functionCall: { name: 'f', args: {} } }]);
  const w = r.warnings.join('\n');
  for (const s of ['parallelToolCalls', 'user', 'cacheControl', 'redacted', 'not a JSON object', 'providerOptions.anthropic-messages']) {
    assert.ok(w.includes(s), `missing warning about ${s}: ${w}`);
  }
});
