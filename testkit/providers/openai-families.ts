// OpenAI-compatible servers that are not OpenAI, each with the quirks its captures show:
// - deepseek: `reasoning_content`; usage (with prompt_cache_hit/miss_tokens) in the finish chunk;
// - qwen: field order choices-first; tool deltas repeat `"id":""` and `type`, then one extra
//   empty-arguments delta; usage in a separate `choices: []` chunk;
// - mistral: no obfuscation/fingerprint; the whole tool call arrives in the finish chunk with no
//   `index` and no `type`; usage always in the finish chunk;
// - ollama: `reasoning` instead of `reasoning_content`; every delta repeats the role; tool calls
//   arrive whole in one delta.

import type { GenPlan } from '../generate.js';
import { finishString, openaiComplete, openaiStream, type ChatCtx } from './openai-render.js';

type Obj = Record<string, unknown>;

export interface FamilyRenderer {
  /** Where this family puts reasoning text; undefined: it never streams reasoning. */
  reasoningField?: 'reasoning_content' | 'reasoning';
  stream(ctx: ChatCtx): string[];
  complete(ctx: ChatCtx): string;
}

const s = JSON.stringify;

function toolCallWhole(ctx: ChatCtx, withIndexType: boolean): Obj {
  const t = ctx.plan.tool!;
  const fn = { name: t.name, arguments: t.args };
  return withIndexType ? { index: 0, id: ctx.toolId, type: 'function', function: fn } : { id: ctx.toolId, function: fn };
}

/** The first streamed delta of a tool call in the families that send arguments piecemeal. */
function toolCallOpening(ctx: ChatCtx): Obj {
  return { index: 0, id: ctx.toolId, type: 'function', function: { name: ctx.plan.tool!.name, arguments: '' } };
}

/** The non-stream assistant message; families differ in where reasoning goes and in key order. */
function completeMessage(ctx: ChatCtx, reasoningField: 'reasoning_content' | 'reasoning', contentFirst = false): Obj {
  const { plan } = ctx;
  const content = plan.tool ? '' : plan.text;
  const message: Obj = contentFirst ? { content, role: 'assistant' } : { role: 'assistant', content };
  if (plan.reasoning !== '') message[reasoningField] = plan.reasoning;
  if (plan.tool) message.tool_calls = [toolCallWhole(ctx, true)];
  return message;
}

// ---------------------------------------------------------------- deepseek

function deepseekUsage(plan: GenPlan): Obj {
  const u: Obj = {
    prompt_tokens: plan.inputTokens,
    completion_tokens: plan.outputTokens,
    total_tokens: plan.inputTokens + plan.outputTokens,
    prompt_tokens_details: { cached_tokens: 0 },
  };
  if (plan.reasoning !== '') u.completion_tokens_details = { reasoning_tokens: plan.reasoningTokens };
  u.prompt_cache_hit_tokens = 0;
  u.prompt_cache_miss_tokens = plan.inputTokens;
  return u;
}

const DEEPSEEK_FP = 'fp_5im0c0de01_prod0820_fp8_kvcache';

const deepseek: FamilyRenderer = {
  reasoningField: 'reasoning_content',
  stream(ctx) {
    const { plan } = ctx;
    const r = plan.reasoning !== '';
    const chunk = (delta: Obj, finish: string | null = null, usage: Obj | null = null) =>
      s({
        id: ctx.id,
        object: 'chat.completion.chunk',
        created: ctx.created,
        model: ctx.model,
        system_fingerprint: DEEPSEEK_FP,
        choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
        usage,
      });
    const out = [chunk(r ? { role: 'assistant', content: null, reasoning_content: '' } : { role: 'assistant', content: '' })];
    for (const p of plan.reasoningChunks) out.push(chunk({ content: null, reasoning_content: p }));
    if (plan.tool !== undefined) {
      out.push(chunk({ tool_calls: [toolCallOpening(ctx)] }));
      for (const a of plan.tool.argChunks) out.push(chunk({ tool_calls: [{ index: 0, function: { arguments: a } }] }));
    } else {
      for (const p of plan.textChunks) out.push(chunk(r ? { content: p, reasoning_content: null } : { content: p }));
    }
    out.push(chunk(r ? { content: '', reasoning_content: null } : { content: '' }, finishString(plan), deepseekUsage(plan)));
    return out;
  },
  complete(ctx) {
    const { plan } = ctx;
    const message = completeMessage(ctx, 'reasoning_content');
    return s({
      id: ctx.id,
      object: 'chat.completion',
      created: ctx.created,
      model: ctx.model,
      choices: [{ index: 0, message, logprobs: null, finish_reason: finishString(plan) }],
      usage: deepseekUsage(plan),
      system_fingerprint: DEEPSEEK_FP,
    });
  },
};

// ---------------------------------------------------------------- qwen

function qwenUsage(plan: GenPlan): Obj {
  const u: Obj = {
    prompt_tokens: plan.inputTokens,
    completion_tokens: plan.outputTokens,
    total_tokens: plan.inputTokens + plan.outputTokens,
  };
  if (plan.reasoning !== '') u.completion_tokens_details = { reasoning_tokens: plan.reasoningTokens };
  u.prompt_tokens_details = { cached_tokens: 0 };
  return u;
}

const qwen: FamilyRenderer = {
  reasoningField: 'reasoning_content',
  stream(ctx) {
    const { plan } = ctx;
    const r = plan.reasoning !== '';
    const wrap = (choices: Obj[], usage: Obj | null = null) =>
      s({ choices, object: 'chat.completion.chunk', usage, created: ctx.created, system_fingerprint: null, model: ctx.model, id: ctx.id });
    const chunk = (delta: Obj, finish: string | null = null) => wrap([{ delta, finish_reason: finish, index: 0, logprobs: null }]);
    const out: string[] = [];
    if (plan.tool !== undefined && !r) {
      out.push(chunk({ content: null, tool_calls: [toolCallOpening(ctx)], role: 'assistant' }));
    } else {
      out.push(chunk(r ? { content: null, role: 'assistant', reasoning_content: '' } : { content: '', role: 'assistant' }));
      for (const p of plan.reasoningChunks) out.push(chunk({ content: null, reasoning_content: p }));
      if (plan.tool !== undefined) out.push(chunk({ content: null, tool_calls: [toolCallOpening(ctx)] }));
    }
    if (plan.tool !== undefined) {
      for (const a of plan.tool.argChunks) {
        out.push(chunk({ content: null, tool_calls: [{ index: 0, id: '', type: 'function', function: { arguments: a } }] }));
      }
      out.push(wrap([{ delta: { tool_calls: [{ function: { arguments: '' }, index: 0, id: '', type: 'function' }] }, index: 0 }]));
      out.push(wrap([{ finish_reason: 'tool_calls', delta: {}, index: 0, logprobs: null }]));
    } else {
      for (const p of plan.textChunks) out.push(chunk(r ? { content: p, reasoning_content: null } : { content: p }));
      const delta = r ? { content: '', reasoning_content: null } : { content: '' };
      out.push(wrap([{ finish_reason: finishString(plan), delta, index: 0, logprobs: null }]));
    }
    if (ctx.includeUsage) out.push(wrap([], qwenUsage(plan)));
    return out;
  },
  complete(ctx) {
    const { plan } = ctx;
    const message = completeMessage(ctx, 'reasoning_content', true);
    return s({
      choices: [{ message, finish_reason: finishString(plan), index: 0, logprobs: null }],
      object: 'chat.completion',
      usage: qwenUsage(plan),
      created: ctx.created,
      system_fingerprint: null,
      model: ctx.model,
      id: ctx.id,
    });
  },
};

// ---------------------------------------------------------------- mistral

function mistralUsage(plan: GenPlan): Obj {
  return { prompt_tokens: plan.inputTokens, total_tokens: plan.inputTokens + plan.outputTokens, completion_tokens: plan.outputTokens };
}

const mistral: FamilyRenderer = {
  stream(ctx) {
    const { plan } = ctx;
    const chunk = (delta: Obj, finish: string | null = null, usage?: Obj) => {
      const c: Obj = {
        id: ctx.id,
        object: 'chat.completion.chunk',
        created: ctx.created,
        model: ctx.model,
        choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }],
      };
      if (usage) c.usage = usage;
      return s(c);
    };
    const out = [chunk({ role: 'assistant', content: '' })];
    if (plan.tool !== undefined) {
      out.push(chunk({ content: null, tool_calls: [toolCallWhole(ctx, false)] }, 'tool_calls', mistralUsage(plan)));
      return out;
    }
    for (const p of plan.textChunks) out.push(chunk({ content: p }));
    out.push(chunk({ content: '' }, finishString(plan), mistralUsage(plan)));
    return out;
  },
  complete(ctx) {
    const { plan } = ctx;
    return s({
      id: ctx.id,
      object: 'chat.completion',
      model: ctx.model,
      usage: mistralUsage(plan),
      created: ctx.created,
      choices: [
        {
          index: 0,
          message: { role: 'assistant', tool_calls: plan.tool ? [toolCallWhole(ctx, false)] : null, content: plan.tool ? '' : plan.text },
          finish_reason: finishString(plan),
        },
      ],
    });
  },
};

// ---------------------------------------------------------------- ollama

function ollamaUsage(plan: GenPlan): Obj {
  return { prompt_tokens: plan.inputTokens, completion_tokens: plan.outputTokens, total_tokens: plan.inputTokens + plan.outputTokens };
}

const ollama: FamilyRenderer = {
  reasoningField: 'reasoning',
  stream(ctx) {
    const { plan } = ctx;
    const base = { id: ctx.id, object: 'chat.completion.chunk', created: ctx.created, model: ctx.model, system_fingerprint: 'fp_ollama' };
    const chunk = (delta: Obj, finish: string | null = null) =>
      s({ ...base, choices: [{ index: 0, delta: { role: 'assistant', ...delta }, finish_reason: finish }] });
    const out: string[] = [];
    for (const p of plan.reasoningChunks) out.push(chunk({ content: '', reasoning: p }));
    if (plan.tool !== undefined) {
      const t = plan.tool;
      out.push(chunk({ content: '', tool_calls: [{ id: ctx.toolId, index: 0, type: 'function', function: { name: t.name, arguments: t.args } }] }));
    } else {
      for (const p of plan.textChunks) out.push(chunk({ content: p }));
    }
    out.push(chunk({ content: '' }, finishString(plan)));
    if (ctx.includeUsage) out.push(s({ ...base, choices: [], usage: ollamaUsage(plan) }));
    return out;
  },
  complete(ctx) {
    const { plan } = ctx;
    const message = completeMessage(ctx, 'reasoning');
    return s({
      id: ctx.id,
      object: 'chat.completion',
      created: ctx.created,
      model: ctx.model,
      system_fingerprint: 'fp_ollama',
      choices: [{ index: 0, message, finish_reason: finishString(plan) }],
      usage: ollamaUsage(plan),
    });
  },
};

// ---------------------------------------------------------------- openai and the rest

const openai: FamilyRenderer = { stream: openaiStream, complete: openaiComplete };
// groq, vllm and unknown names: OpenAI's shape without the OpenAI-only fields, no reasoning.
const generic: FamilyRenderer = { stream: openaiStream, complete: openaiComplete };

const FAMILIES: Record<string, FamilyRenderer> = { openai, deepseek, qwen, mistral, ollama };

export function familyRenderer(family: string): FamilyRenderer {
  return FAMILIES[family] ?? generic;
}
