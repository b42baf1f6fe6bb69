// Where each ingress protocol keeps the parts that the bounds apply to: its messages, their
// content parts, its tools' schemas and its structured-output schema. One function per
// protocol, called first thing by that protocol's decoder.

import type { IngressLimits } from '../../spec/limits.js';
import { checkBody, checkCount, checkMessages, checkSchema, checkTools, dig } from './bounds.js';

const CHAT_TOOL_SCHEMA = ['function', 'parameters'] as const;
const chatToolSchema = (t: Record<string, unknown>): unknown => dig(t, 'function', 'parameters');

/** POST /v1/chat/completions. */
export function checkChatBounds(body: unknown, limits: IngressLimits): void {
  checkBody(body, limits);
  checkMessages(dig(body, 'messages'), ['messages'], limits);
  checkTools(dig(body, 'tools'), limits, chatToolSchema, CHAT_TOOL_SCHEMA);
  checkSchema(dig(body, 'response_format', 'json_schema', 'schema'), ['response_format', 'json_schema', 'schema'], limits);
}

/** POST /v1/messages and /v1/messages/count_tokens. */
export function checkAnthropicBounds(body: unknown, limits: IngressLimits): void {
  checkBody(body, limits);
  const messages = dig(body, 'messages');
  checkMessages(messages, ['messages'], limits);
  checkCount(dig(body, 'system'), ['system'], limits.maxContentParts, 'maxContentParts', 'system blocks');
  // Tool results nest their own content blocks inside a message's content.
  if (Array.isArray(messages)) {
    for (let i = 0; i < messages.length; i++) {
      const content = dig(messages[i], 'content');
      if (!Array.isArray(content)) continue;
      for (let j = 0; j < content.length; j++) {
        checkCount(dig(content[j], 'content'), () => ['messages', i, 'content', j, 'content'], limits.maxContentParts, 'maxContentParts', 'content parts');
      }
    }
  }
  checkTools(dig(body, 'tools'), limits, (t) => t.input_schema, ['input_schema']);
}

/** POST /v1/responses. */
export function checkResponsesBounds(body: unknown, limits: IngressLimits): void {
  checkBody(body, limits);
  checkMessages(dig(body, 'input'), ['input'], limits);
  checkTools(dig(body, 'tools'), limits, (t) => t.parameters, ['parameters']);
  checkSchema(dig(body, 'text', 'format', 'schema'), ['text', 'format', 'schema'], limits);
}

/** POST /v1/embeddings. */
export function checkEmbeddingBounds(body: unknown, limits: IngressLimits): void {
  checkBody(body, limits);
  checkCount(dig(body, 'input'), ['input'], limits.maxEmbeddingInputs, 'maxEmbeddingInputs', 'inputs');
}
