// Anthropic stop_reason <-> canonical FinishReason.
import type { FinishReason } from '../../spec/index.js';

export type AnthropicStopReason = 'end_turn' | 'max_tokens' | 'stop_sequence' | 'tool_use' | 'pause_turn' | 'refusal';

export function finishFromStopReason(raw: string | null | undefined): FinishReason {
  switch (raw) {
    case 'end_turn':
    case 'stop_sequence':
      return 'stop';
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'tool_use':
      return 'tool-calls';
    case 'refusal':
      return 'content-filter';
    default:
      return 'other';
  }
}

/**
 * Canonical to Anthropic. Claude clients (coding agents especially) run their tool loop on
 * `stop_reason: 'tool_use'`, and some OpenAI-compatible upstreams report `stop` even when they
 * returned tool calls, so tool calls in the output win over the reported reason.
 */
export function stopReasonFromFinish(
  reason: FinishReason | undefined,
  opts: { raw?: string; stopSequence?: string; hasToolCalls: boolean },
): AnthropicStopReason {
  if (opts.hasToolCalls && (reason === undefined || reason === 'stop' || reason === 'tool-calls' || reason === 'other')) return 'tool_use';
  switch (reason) {
    case 'length':
      return 'max_tokens';
    case 'tool-calls':
      return 'tool_use';
    case 'content-filter':
      return 'refusal';
    case 'other':
      // An Anthropic upstream's pause_turn travels as `other` + raw; give it back to Claude clients.
      return opts.raw === 'pause_turn' ? 'pause_turn' : 'end_turn';
    default:
      return opts.stopSequence !== undefined ? 'stop_sequence' : 'end_turn';
  }
}
