// Ingress: a CanonicalResponse rendered as an Anthropic Messages response body.
import type { CanonicalResponse, EncodeContext } from '../../spec/index.js';
import { stopReasonFromFinish } from './stop-reason.js';
import { parseToolInput } from './tool-input.js';
import { usageToAnthropic } from './usage.js';

export function messageId(id: string): string {
  return id.startsWith('msg_') ? id : `msg_${id}`;
}

function encodeBlock(part: CanonicalResponse['content'][number]): Record<string, unknown> | undefined {
  switch (part.type) {
    case 'reasoning':
      if (part.redacted !== undefined) return { type: 'redacted_thinking', data: part.redacted };
      return { type: 'thinking', thinking: part.text, signature: part.signature ?? '' };
    case 'text':
      // Anthropic never returns empty text blocks, and clients echo them back where they are rejected.
      return part.text === '' ? undefined : { type: 'text', text: part.text };
    case 'tool-call':
      return { type: 'tool_use', id: part.id, name: part.name, input: parseToolInput(part.arguments).input };
  }
}

export function encodeResponse(response: CanonicalResponse, ctx: EncodeContext): unknown {
  const content = response.content.map(encodeBlock).filter((b): b is Record<string, unknown> => b !== undefined);
  const hasToolCalls = response.content.some((p) => p.type === 'tool-call');
  const stopReason = stopReasonFromFinish(response.finishReason, {
    ...(response.rawFinishReason === undefined ? {} : { raw: response.rawFinishReason }),
    ...(response.stopSequence === undefined ? {} : { stopSequence: response.stopSequence }),
    hasToolCalls,
  });
  return {
    id: messageId(response.id),
    type: 'message',
    role: 'assistant',
    model: ctx.model,
    content,
    stop_reason: stopReason,
    stop_sequence: stopReason === 'stop_sequence' ? (response.stopSequence ?? null) : null,
    usage: usageToAnthropic(response.usage),
  };
}
