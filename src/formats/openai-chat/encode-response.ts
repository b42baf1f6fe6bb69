// Ingress: CanonicalResponse -> a `chat.completion` object.
import type { CanonicalResponse } from '../../spec/canonical.js';
import type { EncodeContext } from '../../spec/wire.js';
import { completionId } from './completion-id.js';
import { finishToOpenAi } from './finish-reason.js';
import { encodeUsage, type OpenAiUsage } from './usage.js';

export interface OpenAiToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export interface ChatCompletionMessage {
  role: 'assistant';
  content: string | null;
  refusal: null;
  tool_calls?: OpenAiToolCall[];
  reasoning_content?: string;
}

export interface ChatCompletion {
  id: string;
  object: 'chat.completion';
  created: number;
  model: string;
  choices: Array<{ index: 0; message: ChatCompletionMessage; logprobs: null; finish_reason: string }>;
  usage?: OpenAiUsage;
}

/** The answer's parts as Chat Completions fields: joined text, joined reasoning, tool calls. */
function collect(r: CanonicalResponse): { text: string | undefined; reasoning: string | undefined; toolCalls: OpenAiToolCall[] | undefined } {
  let text: string | undefined;
  let reasoning: string | undefined;
  let toolCalls: OpenAiToolCall[] | undefined;
  for (const part of r.content) {
    if (part.type === 'text') text = text === undefined ? part.text : text + part.text;
    else if (part.type === 'reasoning') {
      if (part.text !== '') reasoning = reasoning === undefined ? part.text : reasoning + part.text;
    } else {
      (toolCalls ??= []).push({ id: part.id, type: 'function', function: { name: part.name, arguments: part.arguments } });
    }
  }
  return { text, reasoning, toolCalls };
}

export function encodeResponse(r: CanonicalResponse, ctx: EncodeContext): ChatCompletion {
  const { text, reasoning, toolCalls } = collect(r);
  const message: ChatCompletionMessage = {
    role: 'assistant',
    // The spec's shape: null when the answer is only tool calls, a string otherwise.
    content: text ?? (toolCalls ? null : ''),
    refusal: null,
  };
  if (toolCalls) message.tool_calls = toolCalls;
  if (reasoning !== undefined) message.reasoning_content = reasoning;
  const out: ChatCompletion = {
    id: completionId(ctx.requestId),
    object: 'chat.completion',
    created: ctx.created,
    model: ctx.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: finishToOpenAi(r.finishReason, r.rawFinishReason) }],
  };
  if (r.usage) out.usage = encodeUsage(r.usage);
  return out;
}

const q = JSON.stringify;
/** A JSON number, as JSON.stringify writes it (non-finite numbers become null). */
const n = (x: number): string => (Number.isFinite(x) ? String(x) : 'null');

/**
 * The same document as `JSON.stringify(encodeResponse(r, ctx))`, written directly: the object
 * and the generic serialiser walk over it were a measurable share of a non-streaming request.
 * encode.test.ts checks that both produce identical bytes.
 */
export function encodeResponseText(r: CanonicalResponse, ctx: EncodeContext): string {
  const { text, reasoning, toolCalls } = collect(r);
  const content = text ?? (toolCalls ? null : '');
  let s = `{"id":${q(completionId(ctx.requestId))},"object":"chat.completion","created":${n(ctx.created)},"model":${q(ctx.model)},"choices":[{"index":0,"message":{"role":"assistant","content":${content === null ? 'null' : q(content)},"refusal":null`;
  if (toolCalls) s += `,"tool_calls":${q(toolCalls)}`;
  if (reasoning !== undefined) s += `,"reasoning_content":${q(reasoning)}`;
  s += `},"logprobs":null,"finish_reason":${q(finishToOpenAi(r.finishReason, r.rawFinishReason))}}]`;
  const u = r.usage;
  if (u) {
    s += `,"usage":{"prompt_tokens":${n(u.inputTokens)},"completion_tokens":${n(u.outputTokens)},"total_tokens":${n(u.totalTokens ?? u.inputTokens + u.outputTokens)},"prompt_tokens_details":{"cached_tokens":${n(u.cacheReadTokens ?? 0)}},"completion_tokens_details":{"reasoning_tokens":${n(u.reasoningTokens ?? 0)}}}`;
  }
  return s + '}';
}
