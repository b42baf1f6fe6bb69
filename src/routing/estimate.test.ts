import { test } from 'node:test';
import assert from 'node:assert/strict';
import { embeddingNeeds, estimateInputTokens, requestNeeds } from './estimate.js';
import { testRequest } from '../../testkit/routing-builders.js';

test('about four characters per token plus a per-message overhead', () => {
  assert.equal(estimateInputTokens(testRequest('x'.repeat(400))), 104);
  const two = testRequest('x'.repeat(400), {
    messages: [
      { role: 'system', content: [{ type: 'text', text: 'y'.repeat(40) }] },
      { role: 'user', content: [{ type: 'text', text: 'x'.repeat(400) }] },
    ],
  });
  assert.equal(estimateInputTokens(two), 118);
});

test('images cost a flat 85 and set vision; base64 payloads are not counted as text', () => {
  const req = testRequest('', {
    messages: [
      {
        role: 'user',
        content: [
          { type: 'text', text: 'x'.repeat(40) },
          { type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: 'A'.repeat(100_000) } },
        ],
      },
    ],
  });
  const needs = requestNeeds(req);
  assert.equal(needs.vision, true);
  assert.equal(needs.estimatedInputTokens, 4 + 10 + 85);
});

test('tool definitions, tool calls and tool results all count; any of them needs tools', () => {
  const base = estimateInputTokens(testRequest('hi'));
  const withDefs = testRequest('hi', {
    tools: [{ name: 'get_weather', description: 'Weather for a city', parameters: { type: 'object', properties: { city: { type: 'string' } } } }],
  });
  assert.ok(estimateInputTokens(withDefs) > base + 10);
  assert.equal(requestNeeds(withDefs).tools, true);
  assert.equal(requestNeeds(testRequest('hi')).tools, false);

  const history = testRequest('', {
    messages: [
      { role: 'assistant', content: [{ type: 'tool-call', id: 'c1', name: 'f', arguments: 'a'.repeat(399) }] },
      { role: 'tool', content: [{ type: 'tool-result', toolCallId: 'c1', content: [{ type: 'text', text: 'r'.repeat(400) }] }] },
    ],
  });
  const needs = requestNeeds(history);
  assert.equal(needs.tools, true, 'history with tool calls needs a tools-capable deployment');
  assert.equal(needs.estimatedInputTokens, 8 + 100 + 100);
});

test('json_schema is a need, json_object is not; max_tokens and stream pass through', () => {
  const schema = requestNeeds(
    testRequest('q', { responseFormat: { type: 'json_schema', name: 's', schema: { type: 'object' } }, maxTokens: 300, stream: true }),
  );
  assert.equal(schema.jsonSchema, true);
  assert.equal(schema.maxOutputTokens, 300);
  assert.equal(schema.stream, true);
  assert.equal(requestNeeds(testRequest('q', { responseFormat: { type: 'json_object' } })).jsonSchema, false);
  assert.equal(requestNeeds(testRequest('q')).maxOutputTokens, undefined);
});

test('embedding needs use the largest single input', () => {
  const n = embeddingNeeds({ model: 'e', input: ['x'.repeat(40), 'x'.repeat(400)], encodingFormat: 'float' });
  assert.equal(n.embeddings, true);
  assert.equal(n.estimatedInputTokens, 100);
  assert.equal(embeddingNeeds({ model: 'e', input: [[1, 2, 3]], encodingFormat: 'float' }).estimatedInputTokens, 3);
});
