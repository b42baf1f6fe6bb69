// OpenAI's own chat-completions shapes (also used for groq, vllm, generic and unknown names, minus
// the OpenAI-only fields). Field sets and order follow the captures openai/chat-text.json,
// openai/chat-text.stream.chunks.txt and openai/chat-tool-call.stream.sse. Built as strings from
// pre-serialised pieces: the benchmark uses this path as its upstream.

import type { GenPlan } from '../generate.js';

export interface ChatCtx {
  family: string;
  plan: GenPlan;
  id: string;
  created: number;
  model: string;
  includeUsage: boolean;
  toolId: string;
  seq: number;
}

export function finishString(plan: GenPlan): 'stop' | 'length' | 'tool_calls' {
  return plan.finish === 'tool' ? 'tool_calls' : plan.finish;
}

const FINGERPRINT = 'fp_5im0c0de01';
// Real chunks carry random `obfuscation` padding; a fixed pool keeps output deterministic.
const OBFUSCATION = Array.from({ length: 16 }, (_, i) => 'Sim0bfuscat1onPadXYZ'.slice(0, 3 + ((i * 5) % 13)));

const q = JSON.stringify;

function usageJson(plan: GenPlan): string {
  const p = plan.inputTokens;
  const c = plan.outputTokens;
  return (
    `{"prompt_tokens":${p},"completion_tokens":${c},"total_tokens":${p + c},` +
    `"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},` +
    `"completion_tokens_details":{"reasoning_tokens":${plan.reasoningTokens},"audio_tokens":0,` +
    `"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}}`
  );
}

/** OpenAI streams; `generic` drops service_tier, system_fingerprint and obfuscation. */
export function openaiStream(ctx: ChatCtx): string[] {
  const isOpenai = ctx.family === 'openai';
  const { plan } = ctx;
  const head =
    `{"id":${q(ctx.id)},"object":"chat.completion.chunk","created":${ctx.created},"model":${q(ctx.model)},` +
    (isOpenai ? `"service_tier":"default","system_fingerprint":"${FINGERPRINT}",` : '') +
    `"choices":`;
  const usageNull = ctx.includeUsage ? ',"usage":null' : '';
  let n = 0;
  const tail = (): string => (isOpenai ? `${usageNull},"obfuscation":"${OBFUSCATION[n++ % 16]}"}` : `${usageNull}}`);
  const chunk = (delta: string, finish = 'null'): string =>
    `${head}[{"index":0,"delta":${delta},"logprobs":null,"finish_reason":${finish}}]${tail()}`;

  const out: string[] = [];
  if (plan.tool !== undefined) {
    const t = plan.tool;
    out.push(
      chunk(
        `{"role":"assistant","content":null,"tool_calls":[{"index":0,"id":${q(ctx.toolId)},"type":"function",` +
          `"function":{"name":${q(t.name)},"arguments":""}}],"refusal":null}`,
      ),
    );
    for (const a of t.argChunks) out.push(chunk(`{"tool_calls":[{"index":0,"function":{"arguments":${q(a)}}}]}`));
  } else {
    out.push(chunk('{"role":"assistant","content":"","refusal":null}'));
    for (const piece of plan.textChunks) out.push(chunk(`{"content":${q(piece)}}`));
  }
  out.push(chunk('{}', `"${finishString(plan)}"`));
  if (ctx.includeUsage) {
    const usage = `,"usage":${usageJson(plan)}`;
    out.push(`${head}[]${usage}${isOpenai ? `,"obfuscation":"${OBFUSCATION[n++ % 16]}"` : ''}}`);
  }
  return out;
}

/** The non-stream body, pretty-printed like the real API. */
export function openaiComplete(ctx: ChatCtx): string {
  const isOpenai = ctx.family === 'openai';
  const { plan } = ctx;
  const message: Record<string, unknown> =
    plan.tool === undefined
      ? { role: 'assistant', content: plan.text, refusal: null, annotations: [] }
      : {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: ctx.toolId, type: 'function', function: { name: plan.tool.name, arguments: plan.tool.args } }],
          refusal: null,
          annotations: [],
        };
  const body: Record<string, unknown> = {
    id: ctx.id,
    object: 'chat.completion',
    created: ctx.created,
    model: ctx.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: finishString(plan) }],
    usage: {
      prompt_tokens: plan.inputTokens,
      completion_tokens: plan.outputTokens,
      total_tokens: plan.inputTokens + plan.outputTokens,
      prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
      completion_tokens_details: {
        reasoning_tokens: plan.reasoningTokens,
        audio_tokens: 0,
        accepted_prediction_tokens: 0,
        rejected_prediction_tokens: 0,
      },
    },
  };
  if (isOpenai) {
    body.service_tier = 'default';
    body.system_fingerprint = FINGERPRINT;
  }
  return JSON.stringify(body, null, 2);
}
