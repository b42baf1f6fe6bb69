import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createDetector, matchId } from './detector.js';
import { candidates } from './normalise.js';
import { BUILTIN_RULES } from './rules.js';

const det = createDetector();
const rule = (token: string, whole = true) => matchId(token, whole, det)?.ruleId;

test('family shapes, including future versions, dated snapshots, -preview/-latest and tags', () => {
  const cases: Record<string, string> = {
    'gpt-4o': 'openai-gpt', 'gpt-5.1-codex-max': 'openai-gpt', 'gpt-7-turbo-2031-01-01': 'openai-gpt', 'gpt-oss-120b': 'openai-gpt', 'chatgpt-4o-latest': 'openai-gpt',
    'o3-mini': 'openai-o-series', 'o1-preview-2024-09-12': 'openai-o-series', 'o9-pro': 'openai-o-series',
    'text-embedding-3-large': 'openai-other', 'dall-e-3': 'openai-other', 'whisper-1': 'openai-other',
    'claude-3-5-sonnet-20241022': 'anthropic-claude', 'claude-opus-4-1': 'anthropic-claude', 'claude-sonnet-9-latest': 'anthropic-claude', 'claude-instant-1.2': 'anthropic-claude',
    'gemini-2.5-flash-preview-05-20': 'google-gemini', 'gemini-7-ultra': 'google-gemini', 'gemma-3-27b-it': 'google-gemini', 'text-embedding-004': 'google-gemini',
    'deepseek-r1-distill-qwen-32b': 'deepseek', 'deepseek-v3.2-exp': 'deepseek',
    'qwen3-235b-a22b': 'alibaba-qwen', 'qwen-max-latest': 'alibaba-qwen', 'qwq-32b': 'alibaba-qwen',
    'glm-4.6': 'zhipu-glm', 'glm-4v-plus': 'zhipu-glm', 'kimi-k2-turbo-preview': 'moonshot-kimi', 'moonshot-v1-128k': 'moonshot-kimi',
    'mistral-large-2411': 'mistral', 'codestral-latest': 'mistral', 'open-mixtral-8x22b': 'mistral',
    'llama-3.3-70b-versatile': 'meta-llama', 'llama3.1': 'meta-llama', 'Meta-Llama-3.1-8B-Instruct': 'meta-llama',
    'command-r-plus-08-2024': 'cohere', 'command-a-03-2025': 'cohere', 'embed-english-v3.0': 'cohere',
    'grok-4-fast-reasoning': 'xai-grok', 'phi-4-mini-instruct': 'microsoft-phi', 'amazon.nova-pro-v1:0': 'amazon-nova-titan',
    'jamba-1.5-large': 'ai21-jamba', 'sonar-reasoning-pro': 'perplexity-sonar', 'nomic-embed-text': 'open-embeddings',
  };
  for (const [id, want] of Object.entries(cases)) assert.equal(rule(id), want, id);
});

test('wrapped ids: hub org/model, OpenRouter and Ollama tags, Bedrock ARNs and regional profiles, Vertex paths and URLs', () => {
  const cases: Record<string, string> = {
    'meta-llama/Llama-3.3-70B-Instruct': 'meta-llama',
    'openrouter/anthropic/claude-3.5-sonnet:beta': 'anthropic-claude',
    'deepseek/deepseek-r1:free': 'deepseek',
    'qwen2.5-coder:7b': 'alibaba-qwen',
    'us.anthropic.claude-3-7-sonnet-20250219-v1:0': 'anthropic-claude',
    'global.anthropic.claude-sonnet-4-5-20250929-v1:0': 'anthropic-claude',
    'arn:aws:bedrock:eu-west-1:123456789012:inference-profile/eu.meta.llama3-2-3b-instruct-v1:0': 'meta-llama',
    'projects/p/locations/europe-west4/publishers/anthropic/models/claude-3-5-haiku@20241022': 'anthropic-claude',
    'https://us-central1-aiplatform.googleapis.com/v1/projects/p/locations/us-central1/publishers/google/models/gemini-9.0-pro:streamGenerateContent': 'google-gemini',
    'models/gemini-2.0-flash': 'google-gemini',
    'ft:gpt-4o-mini-2024-07-18:acme:weather:B7R9VjQd': 'openai-gpt',
  };
  for (const [id, want] of Object.entries(cases)) assert.equal(rule(id), want, id);
  assert.deepEqual(candidates('us.anthropic.claude-3-haiku-20240307-v1:0'), [
    'us.anthropic.claude-3-haiku-20240307-v1:0',
    'us.anthropic.claude-3-haiku-20240307-v1',
    'anthropic.claude-3-haiku-20240307-v1',
    'claude-3-haiku-20240307-v1',
    'claude-3-haiku-20240307',
  ]);
});

test('decoys: vendor words, package names, doc URLs, versions and look-alikes are not ids', () => {
  const decoys = [
    'gpt', 'claude', 'llama', 'gemini', 'mistral', 'qwen', 'grok', 'openai', 'anthropic', 'sonnet', 'opus',
    '@anthropic-ai/sdk', 'langchain-openai', 'llama-index', 'llama-cpp-python', 'gemini-cli', 'claude-code', 'mistral-common', 'gpt-tokenizer',
    'https://platform.openai.com/docs/models/gpt-4o', 'https://docs.anthropic.com/en/docs/about-claude/models/overview',
    'v1.2.3', '2024-08-06', 'node-20', 'python3.12', 'es2022',
    'command-line', 'command-apply', 'sonar-project', 'sonar-scanner', 'phi-function', 'nova-theme', 'o-ring', 'meta.description', 'openai.chat.completions',
    'actions/checkout@v4', 'support-triage',
  ];
  for (const d of decoys) assert.equal(rule(d), undefined, d);
});

test('bare o-series ids count only as a whole literal', () => {
  assert.equal(rule('o3', true), 'openai-o-series-bare');
  assert.equal(matchId('o3', true, det, false), undefined, 'no "model" before it on the line');
  assert.equal(rule('o3', false), undefined);
  assert.equal(rule('o3-mini', false), 'openai-o-series');
});

test('catalog ids are their own rule; user config disables, adds and allows', () => {
  const catalogId = [...det.catalog.keys()][0]!;
  assert.equal(rule(catalogId), 'catalog-model-id');
  const custom = createDetector({
    disabled: ['openai-gpt', 'catalog-model-id'],
    extraRules: [{ id: 'acme', description: 'acme', pattern: /^acme-[0-9]+$/i, severity: 'warning', provider: 'acme' }],
    allowed: new Map([['claude-opus-4-1', 'pinned for the eval']]),
  });
  assert.equal(matchId('gpt-4o', true, custom), undefined);
  assert.equal(matchId(catalogId, true, custom)?.ruleId === 'catalog-model-id', false);
  assert.deepEqual(matchId('ACME-7', true, custom), { ruleId: 'acme', severity: 'warning', provider: 'acme' });
  assert.equal(matchId('claude-opus-4-1', true, custom), undefined);
  assert.equal(matchId('anthropic.claude-opus-4-1-v1:0', true, custom), undefined, 'allowed through any wrapper');
  assert.equal(matchId('claude-opus-4-0', true, custom)?.ruleId, 'anthropic-claude');
});

test('every built-in rule has a unique id, a description and a provider', () => {
  const ids = BUILTIN_RULES.map((r) => r.id);
  assert.equal(new Set(ids).size, ids.length);
  for (const r of BUILTIN_RULES) assert.ok(r.description && r.provider && /^[a-z0-9-]+$/.test(r.id), r.id);
});
