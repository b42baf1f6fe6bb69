// Egress: a `chat.completion` body -> CanonicalResponse.
import type { CanonicalResponse, ReasoningPart, TextPart, ToolCallPart } from '../../spec/canonical.js';
import { GatewayError } from '../../spec/errors.js';
import type { UpstreamResponseMeta } from '../../spec/wire.js';
import { arr, isObject, num, str } from '../shared/json.js';
import { finishFromOpenAi } from './finish-reason.js';
import { argumentsText, readContent, readReasoning } from './message-content.js';
import { errorFromBody } from './parse-error.js';
import { parseUsage } from './usage.js';

export function parseResponse(json: unknown, meta: UpstreamResponseMeta): CanonicalResponse {
  if (isObject(json) && json.error !== undefined && json.error !== null) {
    throw errorFromBody(json, '', undefined, meta.headers);
  }
  const choice = isObject(json) ? arr(json.choices)[0] : undefined;
  if (!isObject(json) || !isObject(choice) || !isObject(choice.message)) {
    throw new GatewayError('upstream_protocol', 'upstream chat completion has no choices[0].message', {
      upstream: { status: meta.status, body: json },
    });
  }
  const message = choice.message;
  const id = str(json.id) ?? '';

  let reasoning = readReasoning(message) ?? '';
  let text = '';
  readContent(message.content, {
    text: (t) => (text += t),
    reasoning: (t) => (reasoning += t),
  });
  const content: Array<TextPart | ReasoningPart | ToolCallPart> = [];
  if (reasoning !== '') content.push({ type: 'reasoning', text: reasoning });
  if (text !== '') content.push({ type: 'text', text });
  const toolCalls = arr(message.tool_calls);
  for (let i = 0; i < toolCalls.length; i++) {
    const tc = toolCalls[i];
    if (!isObject(tc)) continue;
    const fn = isObject(tc.function) ? tc.function : {};
    content.push({
      type: 'tool-call',
      id: str(tc.id) || `call_${id}_${i}`,
      name: str(fn.name) ?? '',
      arguments: argumentsText(fn.arguments),
    });
  }
  const refusal = str(message.refusal);
  if (refusal && text === '') content.push({ type: 'text', text: refusal });

  const raw = str(choice.finish_reason);
  const out: CanonicalResponse = {
    id,
    model: str(json.model) ?? '',
    created: num(json.created) ?? Math.floor(Date.now() / 1000),
    content,
    finishReason: raw !== undefined ? finishFromOpenAi(raw) : toolCalls.length > 0 ? 'tool-calls' : 'stop',
  };
  if (raw !== undefined) out.rawFinishReason = raw;
  const usage = parseUsage(json.usage);
  if (usage) out.usage = usage;
  if (refusal) out.providerMetadata = { refusal };
  return out;
}
