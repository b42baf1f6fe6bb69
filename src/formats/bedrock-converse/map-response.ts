// Stop reasons and usage, shared by Converse and ConverseStream.
import type { FinishReason, Usage } from '../../spec/index.js';
import { isObject, num, str } from '../shared/json.js';

export function mapStopReason(raw: string): FinishReason {
  switch (raw) {
    case 'end_turn':
    case 'stop_sequence':
      return 'stop';
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'tool_use':
      return 'tool-calls';
    case 'guardrail_intervened':
    case 'content_filtered':
      return 'content-filter';
    default:
      return 'other';
  }
}

/** Anthropic-on-Bedrock reports the matched stop sequence in additionalModelResponseFields. */
export function stopSequenceOf(fields: unknown): string | undefined {
  if (!isObject(fields)) return undefined;
  return str(fields.stop_sequence) ?? (isObject(fields.delta) ? str(fields.delta.stop_sequence) : undefined);
}

/**
 * Bedrock's `inputTokens` counts only the uncached part of the prompt; cache reads and writes
 * are reported beside it (AWS: totalTokens = input + output + cacheRead + cacheWrite). The
 * captured converse-text.json has zero cache tokens, so it cannot tell the two readings apart;
 * the AWS prompt-caching docs settle it. Canonical inputTokens includes the cached parts.
 */
export function mapUsage(u: unknown): Usage | undefined {
  if (!isObject(u)) return undefined;
  const read = num(u.cacheReadInputTokens) ?? num(u.cacheReadInputTokenCount);
  const write = num(u.cacheWriteInputTokens) ?? num(u.cacheWriteInputTokenCount);
  const input = (num(u.inputTokens) ?? 0) + (read ?? 0) + (write ?? 0);
  const output = num(u.outputTokens) ?? 0;
  const usage: Usage = { inputTokens: input, outputTokens: output, totalTokens: input + output };
  if (read !== undefined) usage.cacheReadTokens = read;
  if (write !== undefined) usage.cacheWriteTokens = write;
  return usage;
}
