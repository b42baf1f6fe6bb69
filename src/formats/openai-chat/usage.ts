// Usage between OpenAI's `usage` object and the canonical Usage, both directions.
import type { Usage } from '../../spec/canonical.js';
import { isObject, num } from '../shared/json.js';

/** Reads any OpenAI-compatible usage object; undefined when there is none. */
export function parseUsage(u: unknown): Usage | undefined {
  if (!isObject(u)) return undefined;
  const usage: Usage = { inputTokens: num(u.prompt_tokens) ?? 0, outputTokens: num(u.completion_tokens) ?? 0 };
  const total = num(u.total_tokens);
  if (total !== undefined) usage.totalTokens = total;
  const details = isObject(u.prompt_tokens_details) ? u.prompt_tokens_details : undefined;
  const cached = num(details?.cached_tokens);
  // DeepSeek reports cache hits in its own field and may leave cached_tokens at 0.
  const hit = num(u.prompt_cache_hit_tokens);
  const cacheRead = hit !== undefined && (cached === undefined || hit > cached) ? hit : cached;
  if (cacheRead !== undefined) usage.cacheReadTokens = cacheRead;
  const out = isObject(u.completion_tokens_details) ? u.completion_tokens_details : undefined;
  const reasoning = num(out?.reasoning_tokens);
  if (reasoning !== undefined) usage.reasoningTokens = reasoning;
  return usage;
}

export interface OpenAiUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details: { cached_tokens: number };
  completion_tokens_details: { reasoning_tokens: number };
}

export function encodeUsage(u: Usage): OpenAiUsage {
  return {
    prompt_tokens: u.inputTokens,
    completion_tokens: u.outputTokens,
    total_tokens: u.totalTokens ?? u.inputTokens + u.outputTokens,
    prompt_tokens_details: { cached_tokens: u.cacheReadTokens ?? 0 },
    completion_tokens_details: { reasoning_tokens: u.reasoningTokens ?? 0 },
  };
}

export { mergeUsage } from '../shared/merge-usage.js';
