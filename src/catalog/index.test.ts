import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadCatalog } from './index.js';

test('the catalog loads and covers every provider the gateway promises', () => {
  const c = loadCatalog();
  for (const id of ['openai', 'azure-openai', 'deepseek', 'moonshot', 'zhipu', 'qwen', 'mistral', 'groq', 'together',
    'fireworks', 'xai', 'openrouter', 'ollama', 'vllm', 'llamacpp', 'anthropic', 'gemini', 'vertex', 'bedrock']) {
    const e = c.get(id);
    assert.ok(e, `catalog entry ${id}`);
    assert.ok(e.base_url.startsWith('http'), `${id} base_url`);
    assert.ok(e.jurisdiction.length > 0);
  }
  assert.equal(c.get('ollama')!.quirks!.reasoning_field, 'reasoning');
  assert.equal(c.get('deepseek')!.quirks!.reasoning_field, 'reasoning_content');
});
