// Ingress: a client's Chat Completions body -> CanonicalRequest.
import type {
  CanonicalMessage,
  CanonicalRequest,
  ContentPart,
  ImagePart,
  ReasoningConfig,
  ResponseFormat,
  TextPart,
  ToolChoice,
  ToolDefinition,
} from '../../spec/canonical.js';
import { GatewayError } from '../../spec/errors.js';
import { isObject } from '../shared/json.js';
import { imageSourceFromUrl } from '../shared/data-url.js';
import { FORMAT } from './format-name.js';
import { chatRequestSchema, KNOWN_REQUEST_FIELDS, type ChatMessageBody, type ChatRequestBody } from './request-schema.js';
import { zodToGatewayError } from './zod-error.js';
import { fastParse } from './fast-parse.js';
import { checkChatBounds } from '../shared/ingress-bounds.js';
import { DEFAULT_INGRESS_LIMITS, type IngressLimits } from '../../spec/limits.js';

const EFFORTS: ReadonlySet<string> = new Set(['minimal', 'low', 'medium', 'high']);

export function decodeRequest(body: unknown, limits: IngressLimits = DEFAULT_INGRESS_LIMITS): CanonicalRequest {
  if (!isObject(body)) throw new GatewayError('invalid_request', 'request body must be a JSON object');
  checkChatBounds(body, limits);
  const b = fastParse(body) ?? zodParse(body);
  if (b.n != null && b.n > 1) {
    throw new GatewayError('invalid_request', `n: only n=1 is supported (got ${b.n}); send separate requests for several choices`, { param: 'n' });
  }

  const req: CanonicalRequest = { model: b.model, messages: convertMessages(b.messages), stream: b.stream === true };
  if (b.tools && b.tools.length > 0) req.tools = b.tools.map(convertTool);
  if (b.tool_choice != null) req.toolChoice = convertToolChoice(b.tool_choice);
  if (b.parallel_tool_calls != null) req.parallelToolCalls = b.parallel_tool_calls;
  if (b.response_format != null) req.responseFormat = convertResponseFormat(b.response_format);
  const maxTokens = b.max_completion_tokens ?? b.max_tokens;
  if (maxTokens != null) req.maxTokens = maxTokens;
  if (b.temperature != null) req.temperature = b.temperature;
  if (b.top_p != null) req.topP = b.top_p;
  if (b.stop != null) req.stop = typeof b.stop === 'string' ? [b.stop] : b.stop;
  if (b.seed != null) req.seed = b.seed;
  if (b.frequency_penalty != null) req.frequencyPenalty = b.frequency_penalty;
  if (b.presence_penalty != null) req.presencePenalty = b.presence_penalty;
  if (b.n != null) req.n = b.n;
  if (b.logprobs != null) req.logprobs = b.logprobs;
  if (b.top_logprobs != null) req.topLogprobs = b.top_logprobs;
  if (b.stream_options?.include_usage != null) req.includeUsage = b.stream_options.include_usage;
  if (b.user != null) req.user = b.user;
  if (b.metadata != null) req.metadata = b.metadata;

  const extras = collectExtras(body);
  if (b.reasoning_effort != null) {
    if (EFFORTS.has(b.reasoning_effort)) {
      req.reasoning = { effort: b.reasoning_effort as NonNullable<ReasoningConfig['effort']> };
    } else {
      // An effort the canonical form has no word for still reaches an OpenAI-compatible upstream.
      extras.reasoning_effort = b.reasoning_effort;
    }
  }
  if (Object.keys(extras).length > 0) req.providerOptions = { [FORMAT]: extras };
  return req;
}

function zodParse(body: Record<string, unknown>): ChatRequestBody {
  const parsed = chatRequestSchema.safeParse(body);
  if (!parsed.success) throw zodToGatewayError(parsed.error, body);
  return parsed.data;
}

function collectExtras(body: Record<string, unknown>): Record<string, unknown> {
  const extras: Record<string, unknown> = {};
  for (const key in body) {
    if (!KNOWN_REQUEST_FIELDS.has(key) && body[key] !== undefined) extras[key] = body[key];
  }
  return extras;
}

function textParts(content: string | Array<{ text: string }>): TextPart[] {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  return content.map((p) => ({ type: 'text', text: p.text }));
}

function convertMessages(messages: ChatMessageBody[]): CanonicalMessage[] {
  // Tool results carry the tool name when the call is in the history: Gemini needs it.
  let toolNames: Map<string, string> | undefined; // only histories with tool calls need it
  const out: CanonicalMessage[] = new Array(messages.length);
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i]!;
    let msg: CanonicalMessage;
    switch (m.role) {
      case 'system':
      case 'developer':
        msg = { role: 'system', content: textParts(m.content) };
        break;
      case 'user':
        msg = { role: 'user', content: userContent(m.content, i) };
        break;
      case 'assistant': {
        const content: ContentPart[] = [];
        if (m.reasoning_content) content.push({ type: 'reasoning', text: m.reasoning_content });
        if (typeof m.content === 'string') {
          if (m.content !== '' || !m.tool_calls?.length) content.push({ type: 'text', text: m.content });
        } else if (m.content) {
          for (const p of m.content) content.push({ type: 'text', text: p.type === 'text' ? p.text : p.refusal });
        }
        for (const tc of m.tool_calls ?? []) {
          (toolNames ??= new Map()).set(tc.id, tc.function.name);
          content.push({ type: 'tool-call', id: tc.id, name: tc.function.name, arguments: tc.function.arguments });
        }
        msg = { role: 'assistant', content };
        break;
      }
      case 'tool': {
        const name = toolNames?.get(m.tool_call_id);
        const result: ContentPart = { type: 'tool-result', toolCallId: m.tool_call_id, content: textParts(m.content) };
        if (name !== undefined) result.name = name;
        msg = { role: 'tool', content: [result] };
        break;
      }
    }
    if ('name' in m && m.name != null) msg.name = m.name;
    out[i] = msg;
  }
  return out;
}

function userContent(content: Extract<ChatMessageBody, { role: 'user' }>['content'], i: number): Array<TextPart | ImagePart> {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  const out: Array<TextPart | ImagePart> = [];
  for (let j = 0; j < content.length; j++) {
    const p = content[j]!;
    if (p.type === 'text') out.push({ type: 'text', text: p.text });
    else if (p.type === 'image_url') {
      const image: ImagePart = { type: 'image', source: imageSourceFromUrl(p.image_url.url) };
      if (p.image_url.detail != null) image.detail = p.image_url.detail;
      out.push(image);
    } else {
      const param = `messages[${i}].content[${j}].type`;
      throw new GatewayError('unsupported_capability', `${param}: '${p.type}' content parts are not supported; send text or image_url`, { param });
    }
  }
  return out;
}

function convertTool(t: NonNullable<ChatRequestBody['tools']>[number]): ToolDefinition {
  const tool: ToolDefinition = {
    name: t.function.name,
    parameters: t.function.parameters ?? { type: 'object', properties: {} },
  };
  if (t.function.description != null) tool.description = t.function.description;
  if (t.function.strict != null) tool.strict = t.function.strict;
  return tool;
}

function convertToolChoice(c: NonNullable<ChatRequestBody['tool_choice']>): ToolChoice {
  return typeof c === 'string' ? c : { type: 'tool', name: c.function.name };
}

function convertResponseFormat(f: NonNullable<ChatRequestBody['response_format']>): ResponseFormat {
  if (f.type !== 'json_schema') return { type: f.type };
  const out: ResponseFormat = { type: 'json_schema', name: f.json_schema.name, schema: f.json_schema.schema ?? {} };
  if (f.json_schema.strict != null) out.strict = f.json_schema.strict;
  if (f.json_schema.description != null) out.description = f.json_schema.description;
  return out;
}
