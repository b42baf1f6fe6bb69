// Anthropic and the canonical form count the prompt differently. Anthropic's `input_tokens`
// EXCLUDES tokens read from or written to the prompt cache; canonical `inputTokens` is the whole
// prompt (OpenAI semantics). Getting this wrong under-bills every cached request.
import type { Usage } from '../../spec/index.js';
import { isObject, num } from '../shared/json.js';

export interface AnthropicUsage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
}

/** Anthropic usage object (from a message, message_start or message_delta) to canonical fields. */
export function usageFromAnthropic(u: unknown): Partial<Usage> {
  if (!isObject(u)) return {};
  const out: Partial<Usage> = {};
  const input = num(u.input_tokens);
  const read = num(u.cache_read_input_tokens);
  const write = num(u.cache_creation_input_tokens);
  const output = num(u.output_tokens);
  if (input !== undefined) out.inputTokens = input + (read ?? 0) + (write ?? 0);
  if (read !== undefined) out.cacheReadTokens = read;
  if (write !== undefined) out.cacheWriteTokens = write;
  if (output !== undefined) out.outputTokens = output;
  return out;
}

export function completeUsage(u: Partial<Usage>): Usage {
  const usage: Usage = { inputTokens: u.inputTokens ?? 0, outputTokens: u.outputTokens ?? 0 };
  usage.totalTokens = usage.inputTokens + usage.outputTokens;
  if (u.cacheReadTokens !== undefined) usage.cacheReadTokens = u.cacheReadTokens;
  if (u.cacheWriteTokens !== undefined) usage.cacheWriteTokens = u.cacheWriteTokens;
  if (u.reasoningTokens !== undefined) usage.reasoningTokens = u.reasoningTokens;
  return usage;
}

export function usageToAnthropic(u: Partial<Usage> | undefined): AnthropicUsage {
  const read = u?.cacheReadTokens ?? 0;
  const write = u?.cacheWriteTokens ?? 0;
  return {
    input_tokens: Math.max(0, (u?.inputTokens ?? 0) - read - write),
    output_tokens: u?.outputTokens ?? 0,
    cache_creation_input_tokens: write,
    cache_read_input_tokens: read,
  };
}
