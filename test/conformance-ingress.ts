// The client side of the conformance suite: one adapter per ingress wire format (OpenAI Chat
// Completions, Anthropic Messages, OpenAI Responses), each driving its official SDK. A scenario
// states a request in neutral terms (an `Ask`) and reads a neutral `Answer`; the adapter says it
// in its own API and checks its own wire invariants on the way (role chunk first, the route as
// model, events in order: the Anthropic SDK's messages.stream() throws on any out of order).
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { KEY, post, type Harness } from './harness.js';
import { anthropicWeatherTool, collectChat, openaiWeatherTool, WEATHER_PARAMS, type FaultClient } from './cross-format-kit.js';

type Obj = Record<string, any>;

export type AskTurn =
  | { role: 'user'; text: string; images?: AskImage[] }
  | { role: 'assistant'; text: string }
  | { role: 'assistant'; call: { id: string; name: string; args: unknown } }
  | { role: 'tool'; id: string; name: string; text: string };
export type AskImage = { base64: string; mediaType: string } | { url: string };

/** One request, in terms every ingress format can say (or says it cannot). */
export interface Ask {
  route: string;
  system?: string;
  turns: AskTurn[];
  /** Offer the weather tool. */
  tools?: boolean;
  toolChoice?: 'auto' | 'required' | 'none' | { name: string } | undefined;
  maxTokens?: number;
  temperature?: number;
  topP?: number;
  stop?: string[];
  reasoning?: boolean;
}

export interface Answer {
  /** The `model` the client was told (the route). */
  model: string;
  text: string;
  reasoning: string;
  reasoningSignature?: string;
  toolCalls: Array<{ id: string; name: string; args: unknown; fragments: number }>;
  finish: 'stop' | 'length' | 'tool_calls' | string;
  usage?: { input: number; output: number; total: number };
  /** Streams: how many text deltas arrived. */
  textDeltas: number;
  headers: Headers;
}

export interface IngressAdapter {
  format: 'openai-chat' | 'anthropic-messages' | 'openai-responses';
  /** Which fault routes this client uses (each client gets its own deployments). */
  faultClient: FaultClient;
  ask(h: Harness, q: Ask, stream: boolean): Promise<Answer>;
  /** A raw request (no SDK) to `route`, for status and error-body checks. */
  raw(h: Harness, route: string, text: string): Promise<{ status: number; headers: Headers; json: Obj; text: string }>;
  /** The error's type and message in this client's error body. */
  errorType(json: Obj): string;
  errorMessage(json: Obj): string;
  /** Whether this API has stop sequences (the Responses API has none). */
  hasStop: boolean;
  /** Whether this client's wire carries reasoning signatures back (Anthropic `signature`). */
  seesSignatures: boolean;
  /** Whether an upstream overload keeps the 529 for this client (Anthropic's own status). */
  keeps529: boolean;
}

// ------------------------------------------------------------------ OpenAI Chat Completions

function chatMessages(q: Ask): OpenAI.Chat.Completions.ChatCompletionMessageParam[] {
  const out: OpenAI.Chat.Completions.ChatCompletionMessageParam[] = q.system ? [{ role: 'system', content: q.system }] : [];
  for (const t of q.turns) {
    if (t.role === 'user') {
      if (!t.images) out.push({ role: 'user', content: t.text });
      else {
        const images = t.images.map((i) => ({ type: 'image_url' as const, image_url: { url: 'url' in i ? i.url : `data:${i.mediaType};base64,${i.base64}` } }));
        out.push({ role: 'user', content: [{ type: 'text', text: t.text }, ...images] });
      }
    } else if (t.role === 'assistant' && 'call' in t) {
      out.push({ role: 'assistant', content: null, tool_calls: [{ id: t.call.id, type: 'function', function: { name: t.call.name, arguments: JSON.stringify(t.call.args) } }] });
    } else if (t.role === 'assistant') out.push({ role: 'assistant', content: t.text });
    else out.push({ role: 'tool', tool_call_id: t.id, content: t.text });
  }
  return out;
}

function chatBody(q: Ask): Obj {
  const b: Obj = { model: q.route, messages: chatMessages(q) };
  if (q.tools) b.tools = [openaiWeatherTool];
  if (q.toolChoice !== undefined) b.tool_choice = typeof q.toolChoice === 'object' ? { type: 'function', function: { name: q.toolChoice.name } } : q.toolChoice;
  if (q.maxTokens !== undefined) b.max_tokens = q.maxTokens;
  if (q.temperature !== undefined) b.temperature = q.temperature;
  if (q.topP !== undefined) b.top_p = q.topP;
  if (q.stop !== undefined) b.stop = q.stop;
  if (q.reasoning) b.reasoning_effort = 'low';
  return b;
}

const chatUsage = (u: OpenAI.Completions.CompletionUsage | undefined) => (u ? { input: u.prompt_tokens, output: u.completion_tokens, total: u.total_tokens } : undefined);

export const openaiChatIngress: IngressAdapter = {
  format: 'openai-chat',
  faultClient: 'o',
  hasStop: true,
  seesSignatures: false,
  keeps529: false,
  async ask(h, q, stream) {
    const oc = new OpenAI({ baseURL: `${h.url}/v1`, apiKey: KEY, maxRetries: 0 });
    const body = chatBody(q);
    if (!stream) {
      const { data: r, response } = await oc.chat.completions.create(body as OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming).withResponse();
      assert.equal(r.object, 'chat.completion');
      const msg = r.choices[0]!.message as OpenAI.Chat.Completions.ChatCompletionMessage & { reasoning_content?: string };
      const calls = (msg.tool_calls ?? []).map((c) => (c.type === 'function' ? { id: c.id, name: c.function.name, args: JSON.parse(c.function.arguments) as unknown, fragments: 1 } : { id: c.id, name: '', args: undefined, fragments: 0 }));
      const usage = chatUsage(r.usage);
      return { model: r.model, text: msg.content ?? '', reasoning: msg.reasoning_content ?? '', toolCalls: calls, finish: r.choices[0]!.finish_reason, ...(usage ? { usage } : {}), textDeltas: 0, headers: response.headers };
    }
    // The SDK's .stream() helper: its chunks are what went over the wire, and its final
    // completion is what the helper assembled from them (which must agree).
    const helper = oc.chat.completions.stream({ ...(body as OpenAI.Chat.Completions.ChatCompletionCreateParamsStreaming), stream: true, stream_options: { include_usage: true } });
    const s = await collectChat(helper);
    const final = await helper.finalChatCompletion();
    const fm = final.choices[0]!.message;
    assert.equal(fm.content ?? '', s.text, 'the helper assembled the same text');
    assert.deepEqual((fm.tool_calls ?? []).map((c) => (c.type === 'function' ? [c.id, c.function.name, c.function.arguments] : [])), s.calls.map((c) => [c.id, c.name, c.arguments]));
    // The wire: the role first, the route as model on every chunk, usage alone in the last chunk.
    assert.equal(s.chunks[0]?.choices[0]?.delta.role, 'assistant', 'the first chunk carries the role');
    assert.ok(s.chunks.every((c) => c.model === q.route), 'every chunk names the route');
    assert.deepEqual(s.chunks.at(-1)?.choices, [], 'include_usage: a last chunk with no choices');
    const usage = chatUsage(s.usage);
    return {
      model: s.chunks[0]?.model ?? '',
      text: s.text,
      reasoning: s.reasoning,
      toolCalls: s.calls.map((c) => ({ id: c.id, name: c.name, args: JSON.parse(c.arguments) as unknown, fragments: c.fragments })),
      finish: s.finish ?? '',
      ...(usage ? { usage } : {}),
      textDeltas: s.chunks.filter((c) => c.choices[0]?.delta?.content).length,
      // The helper does not expose the response; no scenario reads a stream's headers.
      headers: new Headers(),
    };
  },
  raw: (h, route, text) => post(`${h.url}/v1/chat/completions`, { model: route, messages: [{ role: 'user', content: text }] }),
  errorType: (j) => j.error.type,
  errorMessage: (j) => j.error.message,
};

// ------------------------------------------------------------------ Anthropic Messages

function anthropicBody(q: Ask): Anthropic.MessageCreateParamsNonStreaming {
  const messages: Anthropic.MessageParam[] = [];
  for (const t of q.turns) {
    if (t.role === 'user') {
      if (!t.images) messages.push({ role: 'user', content: t.text });
      else {
        const images = t.images.map((i): Anthropic.ImageBlockParam =>
          'url' in i ? { type: 'image', source: { type: 'url', url: i.url } } : { type: 'image', source: { type: 'base64', media_type: i.mediaType as 'image/png', data: i.base64 } },
        );
        messages.push({ role: 'user', content: [...images, { type: 'text', text: t.text }] });
      }
    } else if (t.role === 'assistant' && 'call' in t) {
      messages.push({ role: 'assistant', content: [{ type: 'tool_use', id: t.call.id, name: t.call.name, input: t.call.args }] });
    } else if (t.role === 'assistant') messages.push({ role: 'assistant', content: t.text });
    else messages.push({ role: 'user', content: [{ type: 'tool_result', tool_use_id: t.id, content: t.text }] });
  }
  const b: Anthropic.MessageCreateParamsNonStreaming & Obj = { model: q.route, max_tokens: q.maxTokens ?? (q.reasoning ? 4096 : 256), messages };
  if (q.system) b.system = q.system;
  if (q.tools) b.tools = [anthropicWeatherTool];
  if (q.toolChoice !== undefined) {
    const c = q.toolChoice;
    b.tool_choice = c === 'required' ? { type: 'any' } : typeof c === 'object' ? { type: 'tool', name: c.name } : { type: c };
  }
  // This SDK version's types no longer list the sampling fields; the API still takes them.
  if (q.temperature !== undefined) b.temperature = q.temperature;
  if (q.topP !== undefined) b.top_p = q.topP;
  if (q.stop !== undefined) b.stop_sequences = q.stop;
  if (q.reasoning) b.thinking = { type: 'enabled', budget_tokens: 1024 };
  return b;
}

const STOP_REASONS: Record<string, string> = { end_turn: 'stop', max_tokens: 'length', tool_use: 'tool_calls', stop_sequence: 'stop' };

function anthropicAnswer(m: Anthropic.Message, headers: Headers, textDeltas: number, fragments: number[]): Answer {
  const thinking = m.content.filter((b): b is Anthropic.ThinkingBlock => b.type === 'thinking');
  const answer: Answer = {
    model: m.model,
    text: m.content.filter((b): b is Anthropic.TextBlock => b.type === 'text').map((b) => b.text).join(''),
    reasoning: thinking.map((b) => b.thinking).join(''),
    toolCalls: m.content.filter((b): b is Anthropic.ToolUseBlock => b.type === 'tool_use').map((b, i) => ({ id: b.id, name: b.name, args: b.input, fragments: fragments[i] ?? 1 })),
    finish: STOP_REASONS[m.stop_reason ?? ''] ?? String(m.stop_reason),
    // No cache in play: input_tokens is the whole prompt.
    usage: { input: m.usage.input_tokens, output: m.usage.output_tokens, total: m.usage.input_tokens + m.usage.output_tokens },
    textDeltas,
    headers,
  };
  if (thinking[0]) answer.reasoningSignature = thinking[0].signature;
  // Thinking comes first, then the text, as Anthropic orders its blocks.
  if (thinking.length > 0) assert.equal(m.content[0]!.type, 'thinking');
  return answer;
}

export const anthropicIngress: IngressAdapter = {
  format: 'anthropic-messages',
  faultClient: 'a',
  hasStop: true,
  seesSignatures: true,
  keeps529: true,
  async ask(h, q, stream) {
    const ac = new Anthropic({ baseURL: h.url, apiKey: KEY, maxRetries: 0 });
    const body = anthropicBody(q);
    if (!stream) {
      const { data, response } = await ac.messages.create(body).withResponse();
      assert.equal(data.type, 'message');
      assert.ok(data.id.startsWith('msg_'), data.id);
      return anthropicAnswer(data, response.headers, 0, []);
    }
    // finalMessage() throws on any event out of order: it proves the event sequence.
    const s = ac.messages.stream(body);
    let textDeltas = 0;
    const fragments: number[] = [];
    s.on('text', () => textDeltas++);
    s.on('streamEvent', (e) => {
      if (e.type === 'content_block_start' && e.content_block.type === 'tool_use') fragments.push(0);
      if (e.type === 'content_block_delta' && e.delta.type === 'input_json_delta' && e.delta.partial_json !== '') fragments[fragments.length - 1]! += 1;
    });
    const { response } = await s.withResponse();
    return anthropicAnswer(await s.finalMessage(), response.headers, textDeltas, fragments);
  },
  raw: (h, route, text) => post(`${h.url}/v1/messages`, { model: route, max_tokens: 16, messages: [{ role: 'user', content: text }] }, { authorization: '', 'x-api-key': KEY }),
  errorType: (j) => {
    assert.equal(j.type, 'error', 'an Anthropic error body says type: error');
    return j.error.type;
  },
  errorMessage: (j) => j.error.message,
};

// ------------------------------------------------------------------ OpenAI Responses

function responsesBody(q: Ask): Obj {
  const input: Obj[] = [];
  for (const t of q.turns) {
    if (t.role === 'user') {
      const images = (t.images ?? []).map((i) => ({ type: 'input_image', detail: 'auto', image_url: 'url' in i ? i.url : `data:${i.mediaType};base64,${i.base64}` }));
      input.push({ role: 'user', content: images.length ? [{ type: 'input_text', text: t.text }, ...images] : t.text });
    } else if (t.role === 'assistant' && 'call' in t) {
      input.push({ type: 'function_call', call_id: t.call.id, name: t.call.name, arguments: JSON.stringify(t.call.args) });
    } else if (t.role === 'assistant') input.push({ role: 'assistant', content: t.text });
    else input.push({ type: 'function_call_output', call_id: t.id, output: t.text });
  }
  const b: Obj = { model: q.route, input, store: false };
  if (q.system) b.instructions = q.system;
  if (q.tools) b.tools = [{ type: 'function', name: 'get_weather', description: 'Weather for a city', parameters: WEATHER_PARAMS, strict: false }];
  if (q.toolChoice !== undefined) b.tool_choice = typeof q.toolChoice === 'object' ? { type: 'function', name: q.toolChoice.name } : q.toolChoice;
  if (q.maxTokens !== undefined) b.max_output_tokens = q.maxTokens;
  if (q.temperature !== undefined) b.temperature = q.temperature;
  if (q.topP !== undefined) b.top_p = q.topP;
  if (q.reasoning) b.reasoning = { effort: 'low' };
  return b;
}

function responsesAnswer(r: Obj, headers: Headers, textDeltas: number, fragments: Map<string, number>): Answer {
  const output = r.output as Obj[];
  const calls = output.filter((i) => i.type === 'function_call');
  const reasoning = output.filter((i) => i.type === 'reasoning');
  const finish = r.status === 'incomplete' ? (r.incomplete_details?.reason === 'max_output_tokens' ? 'length' : r.incomplete_details?.reason) : calls.length > 0 ? 'tool_calls' : 'stop';
  const answer: Answer = {
    model: r.model,
    text: output.filter((i) => i.type === 'message').flatMap((i) => i.content as Obj[]).map((c) => c.text as string).join(''),
    reasoning: reasoning.flatMap((i) => i.summary as Obj[]).map((s) => s.text as string).join(''),
    toolCalls: calls.map((c) => ({ id: c.call_id, name: c.name, args: JSON.parse(c.arguments) as unknown, fragments: fragments.get(c.id) ?? 1 })),
    finish,
    usage: { input: r.usage.input_tokens, output: r.usage.output_tokens, total: r.usage.total_tokens },
    textDeltas,
    headers,
  };
  const sig = reasoning.find((i) => i.encrypted_content)?.encrypted_content;
  if (sig) answer.reasoningSignature = sig;
  return answer;
}

export const responsesIngress: IngressAdapter = {
  format: 'openai-responses',
  faultClient: 'r',
  hasStop: false,
  seesSignatures: false,
  keeps529: false,
  async ask(h, q, stream) {
    const oc = new OpenAI({ baseURL: `${h.url}/v1`, apiKey: KEY, maxRetries: 0 });
    const body = responsesBody(q);
    if (!stream) {
      const { data, response } = await oc.responses.create(body as OpenAI.Responses.ResponseCreateParamsNonStreaming).withResponse();
      assert.equal(data.object, 'response');
      return responsesAnswer(data as unknown as Obj, response.headers, 0, new Map());
    }
    const { data, response } = await oc.responses.create({ ...(body as OpenAI.Responses.ResponseCreateParamsStreaming), stream: true }).withResponse();
    let textDeltas = 0;
    let final: Obj | undefined;
    let seq = -1;
    const fragments = new Map<string, number>();
    for await (const e of data) {
      assert.ok(e.sequence_number > seq, 'sequence numbers increase');
      seq = e.sequence_number;
      if (e.type === 'response.output_text.delta') textDeltas++;
      if (e.type === 'response.function_call_arguments.delta') fragments.set(e.item_id, (fragments.get(e.item_id) ?? 0) + 1);
      if (e.type === 'response.completed' || e.type === 'response.incomplete') final = e.response as unknown as Obj;
      if (e.type === 'error' || e.type === 'response.failed') throw new Error(`stream error: ${JSON.stringify(e)}`);
    }
    assert.ok(final, 'the stream ends with response.completed or response.incomplete');
    return responsesAnswer(final, response.headers, textDeltas, fragments);
  },
  raw: (h, route, text) => post(`${h.url}/v1/responses`, { model: route, input: text, store: false }),
  errorType: (j) => j.error.type,
  errorMessage: (j) => j.error.message,
};

export const INGRESS: readonly IngressAdapter[] = [openaiChatIngress, anthropicIngress, responsesIngress];

