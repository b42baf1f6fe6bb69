// Finish reasons between OpenAI strings and the canonical union, both directions.
import type { FinishReason } from '../../spec/canonical.js';

export function finishFromOpenAi(raw: string): FinishReason {
  switch (raw) {
    case 'stop':
    case 'end_turn':
      return 'stop';
    case 'length':
    case 'model_length': // Mistral
      return 'length';
    case 'tool_calls':
    case 'function_call': // legacy functions API
      return 'tool-calls';
    case 'content_filter':
      return 'content-filter';
    case 'error':
    case 'insufficient_system_resource': // DeepSeek: the server gave up mid-answer
      return 'error';
    default:
      return 'other';
  }
}

const OPENAI_REASONS: ReadonlySet<string> = new Set(['stop', 'length', 'tool_calls', 'content_filter', 'function_call']);

/**
 * Canonical -> OpenAI. `other` keeps the provider's string when it is one OpenAI clients know;
 * anything else becomes `stop`, because strict clients (and the openai SDK types) accept only
 * the documented values.
 */
export function finishToOpenAi(reason: FinishReason, raw?: string): string {
  switch (reason) {
    case 'stop':
      return 'stop';
    case 'length':
      return 'length';
    case 'tool-calls':
      return 'tool_calls';
    case 'content-filter':
      return 'content_filter';
    default:
      return raw !== undefined && OPENAI_REASONS.has(raw) ? raw : 'stop';
  }
}
