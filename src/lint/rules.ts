// The built-in rules, as data (in the style of gitleaks): each family of provider model ids has a
// rule id, a shape and the provider a suggestion names. A user's `.modelplane-lint.yaml` can disable
// any of them and add families this list does not know yet. Shapes are matched against a
// normalised candidate (see normalise.ts), so one rule covers dated snapshots, `-preview`,
// `-latest`, `:free`-style tags, hub `org/model` ids, Bedrock ARNs and Vertex resource paths.
//
// The patterns below are written as fragments joined at run time so that this file, which is
// application code like any other, does not itself trip the linter it defines.

import type { FamilyRule, Severity } from './types.js';

/**
 * Anything after the distinctive stem: versions, sizes, dates, `-preview`, `-latest`. Letters may
 * run straight on only after a digit (a size such as `32b`), so a stem ending in a word does not
 * swallow a longer unrelated word (a static-analysis tool's `-project` file, say).
 */
const TAIL = '(?:(?<=[0-9])[a-z0-9]*)?(?:[-._][a-z0-9][a-z0-9._-]*)?';

interface RuleSpec {
  id: string;
  provider: string;
  description: string;
  stems: string[];
  wholeLiteralOnly?: boolean;
}

const SPECS: RuleSpec[] = [
  { id: 'openai-gpt', provider: 'openai', description: 'OpenAI GPT models', stems: ['gpt-?[0-9](?:\\.[0-9]+)?o?', 'gpt-[4]o', 'gpt-o[s]s', 'gpt-image-[0-9]', 'gpt-[r]ealtime', 'gpt-[a]udio', 'chatgpt-[4]o', 'gpt-[3]5-turbo'] },
  { id: 'openai-o-series', provider: 'openai', description: 'OpenAI o-series reasoning models', stems: ['o[1-9](?:-(?:mini|pro|preview|deep-research))'] },
  { id: 'openai-o-series-bare', provider: 'openai', description: 'OpenAI o-series ids written bare (`o3`): only as a whole literal after the word model', stems: ['o[1-9]'], wholeLiteralOnly: true },
  { id: 'openai-other', provider: 'openai', description: 'OpenAI embedding, speech, image and legacy models', stems: ['text-embedding-(?:3|ada)', 'text-davinci-[0-9]', '(?:davinci|babbage)-00[0-9]', 'dall-e-[0-9]', 'whisper-[0-9]', 'tts-[0-9]', '(?:omni|text)-moderation', 'codex-mi[n]i'] },
  { id: 'anthropic-claude', provider: 'anthropic', description: 'Anthropic Claude models', stems: ['claude-(?:[0-9]|instant|opus|sonnet|haiku|v[0-9])'] },
  { id: 'google-gemini', provider: 'gemini', description: 'Google Gemini, Gemma, Imagen and Veo models', stems: ['gemini-(?:[0-9]|pro|flash|ultra|nano|exp|embedding|live)', '(?:code|pali|shield)?gemma-?[0-9]', 'imagen-[0-9]', 'veo-[0-9]', 'text-embedding-00[0-9]', 'text-multilingual-embeddin[g]', 'learnlm-[0-9]'] },
  { id: 'deepseek', provider: 'deepseek', description: 'DeepSeek models', stems: ['deepseek-(?:chat|reasoner|coder|math|prover|vl[0-9]?|v[0-9]|r[0-9]|llm)'] },
  { id: 'alibaba-qwen', provider: 'qwen', description: 'Alibaba Qwen models', stems: ['qwen[0-9]', 'qwen-(?:max|plus|turbo|long|vl|coder|omni|math|flash|mt|audio|[0-9])', 'qw[qv]-[0-9a-z]'] },
  { id: 'zhipu-glm', provider: 'zhipu', description: 'Zhipu GLM models', stems: ['(?:chat)?glm-?[0-9]', 'codegeex-?[0-9]'] },
  { id: 'moonshot-kimi', provider: 'moonshot', description: 'Moonshot Kimi models', stems: ['kimi-(?:k[0-9]|latest|thinking|dev)', 'moonshot-v[0-9]'] },
  { id: 'mistral', provider: 'mistral', description: 'Mistral models', stems: ['(?:open-)?(?:mistral|ministral|codestral|pixtral|magistral|devstral|voxtral)-(?:large|medium|small|tiny|saba|nemo|embed|latest|mamba|[0-9])', '(?:open-)?mixtral-[0-9]'] },
  { id: 'meta-llama', provider: 'meta', description: 'Meta Llama models', stems: ['(?:meta-)?llama-?[0-9]', 'code-?llama-?[0-9]', 'llama-guard-?[0-9]'] },
  { id: 'cohere', provider: 'cohere', description: 'Cohere Command, Embed and Rerank models', stems: ['command-(?:r|a|light|nightly|r7b)', 'c4ai-ay[a]', 'aya-(?:expanse|vision|[0-9])', '(?:embed|rerank)-(?:english|multilingual|v[0-9])'] },
  { id: 'xai-grok', provider: 'xai', description: 'xAI Grok models', stems: ['grok-(?:[0-9]|beta|vision|code)'] },
  { id: 'microsoft-phi', provider: 'azure', description: 'Microsoft Phi models', stems: ['phi-[0-9]'] },
  { id: 'amazon-nova-titan', provider: 'bedrock', description: 'Amazon Nova and Titan models', stems: ['(?:amazon\\.)?(?:nova|titan)-(?:pro|lite|micro|premier|canvas|reel|sonic|text|embed|image|tg1|[0-9])'] },
  { id: 'ai21-jamba', provider: 'ai21', description: 'AI21 Jamba models', stems: ['jamba-(?:[0-9]|large|mini|instruct)'] },
  { id: 'open-embeddings', provider: 'ollama', description: 'Open embedding models served by Ollama, TEI and hubs', stems: ['nomic-embed-tex[t]', 'mxbai-embed-larg[e]', 'bge-(?:m3|large|base|small|reranker)', 'snowflake-arctic-embe[d]', 'e5-mistra[l]', 'multilingual-e5-(?:large|base|small)'] },
  { id: 'perplexity-sonar', provider: 'perplexity', description: 'Perplexity Sonar models', stems: ['sonar-(?:pro|reasoning|deep-research|small|medium|large)'] },
  { id: 'other-chinese-labs', provider: 'openai-compatible', description: 'MiniMax, Baidu ERNIE, ByteDance Doubao, Tencent Hunyuan, 01.AI Yi models', stems: ['minimax-(?:m[0-9]|text)', 'abab[0-9]', 'ernie-[0-9x]', 'doubao-', 'hunyuan-', 'yi-(?:large|lightning|medium|[0-9])'] },
];

/** Built-in family rules. Patterns match the whole normalised candidate, case-insensitively. */
export const BUILTIN_RULES: readonly FamilyRule[] = SPECS.map((s) => ({
  id: s.id,
  description: s.description,
  provider: s.provider,
  severity: 'error' as Severity,
  pattern: new RegExp(`^(?:${s.stems.join('|')})${s.stems.some((x) => x.endsWith('-')) ? '[a-z0-9._-]*' : TAIL}$`, 'i'),
  ...(s.wholeLiteralOnly ? { wholeLiteralOnly: true } : {}),
}));

/** Rules that are not families: their ids are fixed and listed here so SARIF and docs can name them. */
export const CATALOG_RULE_ID = 'catalog-model-id';
export const PROSE_RULE_ID = 'prose-model-mention';
export const SUPPRESSION_RULE_ID = 'suppression-without-reason';

export const META_RULES: ReadonlyArray<{ id: string; description: string; severity: Severity }> = [
  { id: CATALOG_RULE_ID, description: 'A model id listed in the provider catalog', severity: 'error' },
  { id: PROSE_RULE_ID, description: 'A model named in prose inside a comment ("we call opus here")', severity: 'warning' },
  { id: SUPPRESSION_RULE_ID, description: 'A suppression comment that gives no reason', severity: 'error' },
];
