// The upstream side of the conformance suite: one small adapter per egress wire format, naming a
// route backed only by that format's simulated upstream and reading the request the simulated
// provider RECEIVED back into neutral terms. Tests assert on those recorded bodies (what really
// went over the wire), never on the gateway's own objects.
import type { WireFormatName } from '../src/spec/wire.js';
import type { Harness } from './harness.js';

type Obj = Record<string, any>;

export interface Turn {
  role: 'user' | 'assistant' | 'tool';
  text: string;
}
export interface SeenToolCall {
  id?: string;
  name: string;
  args: unknown;
}
export interface SeenToolResult {
  id?: string;
  name?: string;
  text: string;
}
export type SeenImage = { kind: 'base64'; mediaType: string; data: string } | { kind: 'url'; url: string };
export interface SeenParams {
  maxTokens?: number;
  temperature?: number;
  topP?: number;
  stop?: string[];
}
export type SeenToolChoice = 'auto' | 'none' | 'required' | { name: string } | undefined;

/** One egress wire format as the conformance suite sees it. */
export interface EgressAdapter {
  format: WireFormatName;
  /** Route backed only by this format's simulated upstream. */
  route: string;
  /** The path the upstream is called on (the route's model is `up-<format>-model`). */
  upstreamPath(stream: boolean): string;
  /** Whether the recorded headers carry this provider's credentials (and so not the caller's). */
  authorized(headers: Obj): boolean;
  /** Simulator fault scope. */
  scope: string;
  /** Route where asking for reasoning yields reasoning (undefined: the format has none). */
  reasoningRoute?: string;
  /** Whether the upstream streams tool arguments in several pieces (Gemini sends them whole). */
  splitsToolArgs: boolean;
  /** Whether tool calls and results carry ids on this wire (Gemini keys results by name). */
  toolIds: boolean;
  /** Whether image URLs (not only inline bytes) can be sent. */
  imageUrls: boolean;
  /** Whether the simulated upstream signs its reasoning (Anthropic signature, Bedrock signature). */
  signsReasoning: boolean;
  /** Whether the recorded request asks the upstream for reasoning, in its own terms. */
  reasoningAsked(body: Obj): boolean;
  /**
   * Non-streamed answers with several tool calls: our own documented-shape fixture (`own/...`,
   * on every clone) and, where one exists, a capture from ../shared (skipped when absent).
   */
  parallelFixtures: Array<{ path: string; calls: number }>;
  /** Stream chunks (SSE events / eventstream messages) the upstream sends before the first text. */
  chunksBeforeText: number;
  /** Status the gateway answers for an upstream 529 (only Anthropic really sends 529). */
  status529: number;
  system(body: Obj): string;
  turns(body: Obj): Turn[];
  toolDefs(body: Obj): Array<{ name: string; description?: string; parameters: unknown }>;
  toolChoice(body: Obj): SeenToolChoice;
  toolCalls(body: Obj): SeenToolCall[];
  toolResults(body: Obj): SeenToolResult[];
  images(body: Obj): SeenImage[];
  params(body: Obj): SeenParams;
  /** The message inside this provider's error body. */
  errorMessage(body: Obj): string;
}

const texts = (xs: unknown[], pick: (x: Obj) => string | undefined): string =>
  (xs as Obj[]).map(pick).filter((t): t is string => typeof t === 'string').join('\n');

function dataUrl(url: string): SeenImage {
  const m = /^data:([^;,]+);base64,(.*)$/s.exec(url);
  return m ? { kind: 'base64', mediaType: m[1]!, data: m[2]! } : { kind: 'url', url };
}

const openaiAdapter: EgressAdapter = {
  format: 'openai-chat',
  route: 'oai',
  upstreamPath: () => '/openai/v1/chat/completions',
  authorized: (hd) => hd.authorization === 'Bearer sk-up-openai',
  scope: '/openai',
  reasoningRoute: 'ds',
  splitsToolArgs: true,
  toolIds: true,
  imageUrls: true,
  signsReasoning: false,
  reasoningAsked: (b) => b.reasoning_effort !== undefined || /reason/.test(b.model),
  parallelFixtures: [{ path: 'own/openai/chat-parallel-tool-calls.json', calls: 2 }],
  chunksBeforeText: 1,
  status529: 503,
  system: (b) => texts(b.messages.filter((m: Obj) => m.role === 'system'), (m) => m.content),
  turns: (b) =>
    b.messages
      .filter((m: Obj) => m.role !== 'system')
      .map((m: Obj) => ({ role: m.role, text: typeof m.content === 'string' ? m.content : texts(m.content ?? [], (p) => p.text) })),
  toolDefs: (b) => (b.tools ?? []).map((t: Obj) => ({ name: t.function.name, description: t.function.description, parameters: t.function.parameters })),
  toolChoice: (b) => (typeof b.tool_choice === 'object' ? { name: b.tool_choice.function.name } : b.tool_choice),
  toolCalls: (b) =>
    b.messages.flatMap((m: Obj) => (m.tool_calls ?? []).map((c: Obj) => ({ id: c.id, name: c.function.name, args: JSON.parse(c.function.arguments) }))),
  toolResults: (b) => b.messages.filter((m: Obj) => m.role === 'tool').map((m: Obj) => ({ id: m.tool_call_id, text: m.content })),
  images: (b) =>
    b.messages.flatMap((m: Obj) => (Array.isArray(m.content) ? m.content : []).filter((p: Obj) => p.type === 'image_url').map((p: Obj) => dataUrl(p.image_url.url))),
  params: (b) => ({ maxTokens: b.max_tokens ?? b.max_completion_tokens, temperature: b.temperature, topP: b.top_p, stop: b.stop }),
  errorMessage: (b) => b.error.message,
};

const anthropicBlocks = (b: Obj): Obj[] => b.messages.flatMap((m: Obj) => (typeof m.content === 'string' ? [] : m.content));

const anthropicAdapter: EgressAdapter = {
  format: 'anthropic-messages',
  route: 'ant',
  upstreamPath: () => '/anthropic/v1/messages',
  authorized: (hd) => hd['x-api-key'] === 'sk-up-anthropic' && hd['anthropic-version'] === '2023-06-01',
  scope: '/anthropic',
  reasoningRoute: 'ant',
  splitsToolArgs: true,
  toolIds: true,
  imageUrls: true,
  signsReasoning: true,
  reasoningAsked: (b) => b.thinking?.type === 'enabled' && b.thinking.budget_tokens < b.max_tokens,
  parallelFixtures: [
    { path: 'own/anthropic/messages-parallel-tool-use.json', calls: 2 },
    { path: 'anthropic/messages-parallel-tool-use.json', calls: 4 },
  ],
  // message_start, content_block_start, ping.
  chunksBeforeText: 3,
  status529: 503,
  system: (b) => (typeof b.system === 'string' ? b.system : texts(b.system ?? [], (x) => x.text)),
  turns: (b) =>
    b.messages.map((m: Obj) => ({
      role: m.role,
      text: typeof m.content === 'string' ? m.content : texts(m.content, (x) => (x.type === 'text' ? x.text : undefined)),
    })),
  toolDefs: (b) => (b.tools ?? []).map((t: Obj) => ({ name: t.name, description: t.description, parameters: t.input_schema })),
  toolChoice: (b) => {
    const t = b.tool_choice;
    if (t === undefined) return undefined;
    return t.type === 'any' ? 'required' : t.type === 'tool' ? { name: t.name } : t.type;
  },
  toolCalls: (b) => anthropicBlocks(b).filter((x) => x.type === 'tool_use').map((x) => ({ id: x.id, name: x.name, args: x.input })),
  toolResults: (b) =>
    anthropicBlocks(b)
      .filter((x) => x.type === 'tool_result')
      .map((x) => ({ id: x.tool_use_id, text: typeof x.content === 'string' ? x.content : texts(x.content ?? [], (c) => c.text) })),
  images: (b) =>
    anthropicBlocks(b)
      .filter((x) => x.type === 'image')
      .map((x) => (x.source.type === 'base64' ? { kind: 'base64', mediaType: x.source.media_type, data: x.source.data } : { kind: 'url', url: x.source.url })),
  params: (b) => ({ maxTokens: b.max_tokens, temperature: b.temperature, topP: b.top_p, stop: b.stop_sequences }),
  errorMessage: (b) => b.error.message,
};

const geminiParts = (b: Obj): Obj[] => b.contents.flatMap((c: Obj) => c.parts);

const geminiAdapter: EgressAdapter = {
  format: 'gemini',
  route: 'gem',
  upstreamPath: (stream) => `/gemini/v1beta/models/up-gemini-model:${stream ? 'streamGenerateContent' : 'generateContent'}`,
  authorized: (hd) => hd['x-goog-api-key'] === 'up-gemini-key',
  scope: '/gemini',
  reasoningRoute: 'gem',
  splitsToolArgs: false,
  toolIds: false,
  imageUrls: true,
  signsReasoning: false,
  reasoningAsked: (b) => b.generationConfig?.thinkingConfig?.includeThoughts === true,
  parallelFixtures: [{ path: 'own/gemini/generateContent-parallel-function-calls.json', calls: 2 }],
  chunksBeforeText: 0,
  // The simulator answers 529 with a Google status it cannot name (UNKNOWN -> upstream_error).
  status529: 502,
  system: (b) => texts(b.systemInstruction?.parts ?? [], (p) => p.text),
  turns: (b) =>
    b.contents.map((c: Obj) => {
      const tool = c.parts.some((p: Obj) => p.functionResponse);
      return { role: c.role === 'model' ? 'assistant' : tool ? 'tool' : 'user', text: texts(c.parts, (p) => (p.thought ? undefined : p.text)) };
    }),
  toolDefs: (b) => (b.tools ?? []).flatMap((t: Obj) => t.functionDeclarations ?? []).map((d: Obj) => ({ name: d.name, description: d.description, parameters: d.parameters })),
  toolChoice: (b) => {
    const c = b.toolConfig?.functionCallingConfig;
    if (c === undefined) return undefined;
    if (c.mode === 'ANY') return c.allowedFunctionNames?.length === 1 ? { name: c.allowedFunctionNames[0] } : 'required';
    return c.mode === 'NONE' ? 'none' : 'auto';
  },
  toolCalls: (b) => geminiParts(b).filter((p) => p.functionCall).map((p) => ({ name: p.functionCall.name, args: p.functionCall.args })),
  toolResults: (b) =>
    geminiParts(b)
      .filter((p) => p.functionResponse)
      .map((p) => ({ name: p.functionResponse.name, text: p.functionResponse.response.result ?? p.functionResponse.response.error })),
  images: (b) =>
    geminiParts(b)
      .filter((p) => p.inlineData || p.fileData)
      .map((p) => (p.inlineData ? { kind: 'base64', mediaType: p.inlineData.mimeType, data: p.inlineData.data } : { kind: 'url', url: p.fileData.fileUri })),
  params: (b) => {
    const g = b.generationConfig ?? {};
    return { maxTokens: g.maxOutputTokens, temperature: g.temperature, topP: g.topP, stop: g.stopSequences };
  },
  errorMessage: (b) => b.error.message,
};

const bedrockBlocks = (b: Obj): Obj[] => b.messages.flatMap((m: Obj) => m.content);

const bedrockAdapter: EgressAdapter = {
  format: 'bedrock-converse',
  route: 'bed',
  upstreamPath: (stream) => `/bedrock/model/up-bedrock-model/${stream ? 'converse-stream' : 'converse'}`,
  authorized: (hd) => typeof hd.authorization === 'string' && hd.authorization.startsWith('AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/'),
  scope: '/bedrock',
  reasoningRoute: 'bed',
  splitsToolArgs: true,
  toolIds: true,
  imageUrls: false,
  signsReasoning: true,
  reasoningAsked: (b) => b.additionalModelRequestFields?.thinking?.type === 'enabled',
  parallelFixtures: [{ path: 'own/bedrock/converse-tool-use.json', calls: 2 }],
  chunksBeforeText: 1,
  // Bedrock has no 529; the simulator's body for it is an InternalServerException (-> 502).
  status529: 502,
  system: (b) => texts(b.system ?? [], (x) => x.text),
  turns: (b) =>
    b.messages.map((m: Obj) => {
      const tool = m.content.some((x: Obj) => x.toolResult);
      return { role: tool ? 'tool' : m.role, text: texts(m.content, (x) => x.text) };
    }),
  toolDefs: (b) =>
    (b.toolConfig?.tools ?? []).filter((t: Obj) => t.toolSpec).map((t: Obj) => ({ name: t.toolSpec.name, description: t.toolSpec.description, parameters: t.toolSpec.inputSchema.json })),
  toolChoice: (b) => {
    const c = b.toolConfig?.toolChoice;
    if (c === undefined) return undefined;
    return c.any ? 'required' : c.tool ? { name: c.tool.name } : 'auto';
  },
  toolCalls: (b) => bedrockBlocks(b).filter((x) => x.toolUse).map((x) => ({ id: x.toolUse.toolUseId, name: x.toolUse.name, args: x.toolUse.input })),
  toolResults: (b) => bedrockBlocks(b).filter((x) => x.toolResult).map((x) => ({ id: x.toolResult.toolUseId, text: texts(x.toolResult.content, (c) => c.text) })),
  images: (b) =>
    bedrockBlocks(b)
      .filter((x) => x.image)
      .map((x) => ({ kind: 'base64', mediaType: `image/${x.image.format}`, data: x.image.source.bytes })),
  params: (b) => {
    const c = b.inferenceConfig ?? {};
    return { maxTokens: c.maxTokens, temperature: c.temperature, topP: c.topP, stop: c.stopSequences };
  },
  errorMessage: (b) => b.message,
};

export const EGRESS: readonly EgressAdapter[] = [openaiAdapter, anthropicAdapter, geminiAdapter, bedrockAdapter];

/** The body of the last provider call the simulator recorded (control calls excluded). */
export function lastUpstreamBody(h: Harness): Obj {
  const r = h.sim.requests.at(-1);
  if (!r) throw new Error('the simulator recorded no request');
  return r.body as Obj;
}

/** Removes undefined members so deepEqual compares what is really there. */
export function defined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
