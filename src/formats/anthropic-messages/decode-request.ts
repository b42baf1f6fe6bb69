// Ingress: an Anthropic Messages body (from @anthropic-ai/sdk, @ai-sdk/anthropic, coding agents)
// to a CanonicalRequest. Anthropic puts tool results inside user messages; the canonical form
// has a `tool` role, so a user message is split into runs: tool_result blocks become a `tool`
// message, everything else a `user` message, in the order they appeared.
import type {
  CacheControl,
  CanonicalMessage,
  CanonicalRequest,
  ContentPart,
  ImagePart,
  TextPart,
  ToolChoice,
  ToolDefinition,
} from '../../spec/index.js';
import { GatewayError } from '../../spec/index.js';
import {
  KNOWN_FIELDS,
  requestSchema,
  type AnthropicBlock,
  type AnthropicCacheControl,
  type AnthropicImageBlock,
  type AnthropicRequest,
  type AnthropicTextBlock,
} from './schema.js';
import { throwZodError } from './zod-error.js';
import { checkAnthropicBounds } from '../shared/ingress-bounds.js';
import { DEFAULT_INGRESS_LIMITS, type IngressLimits } from '../../spec/limits.js';

export const FORMAT = 'anthropic-messages';

function cache(cc: AnthropicCacheControl | null | undefined): { cacheControl?: CacheControl } {
  if (!cc) return {};
  return { cacheControl: cc.ttl === undefined ? { type: 'ephemeral' } : { type: 'ephemeral', ttl: cc.ttl } };
}

function textPart(b: AnthropicTextBlock): TextPart {
  return { type: 'text', text: b.text, ...cache(b.cache_control) };
}

function imagePart(b: AnthropicImageBlock): ImagePart {
  const source =
    b.source.type === 'base64'
      ? { kind: 'base64' as const, mediaType: b.source.media_type, data: b.source.data }
      : { kind: 'url' as const, url: b.source.url };
  return { type: 'image', source, ...cache(b.cache_control) };
}

function blockToPart(b: AnthropicBlock, role: 'user' | 'assistant', path: string): ContentPart {
  const wrongRole = (what: string) =>
    new GatewayError('invalid_request', `${path}.type: ${what} blocks are only allowed in ${role === 'user' ? 'assistant' : 'user'} messages`, {
      param: `${path}.type`,
    });
  switch (b.type) {
    case 'text':
      return textPart(b);
    case 'image':
      return imagePart(b);
    case 'tool_use':
      if (role !== 'assistant') throw wrongRole('tool_use');
      return { type: 'tool-call', id: b.id, name: b.name, arguments: JSON.stringify(b.input), ...cache(b.cache_control) };
    case 'tool_result': {
      if (role !== 'user') throw wrongRole('tool_result');
      const content =
        b.content === undefined ? [] : typeof b.content === 'string' ? [{ type: 'text' as const, text: b.content }] : b.content.map((c) => (c.type === 'text' ? textPart(c) : imagePart(c)));
      return {
        type: 'tool-result',
        toolCallId: b.tool_use_id,
        content,
        ...(b.is_error === undefined ? {} : { isError: b.is_error }),
        ...cache(b.cache_control),
      };
    }
    case 'thinking':
      if (role !== 'assistant') throw wrongRole('thinking');
      return { type: 'reasoning', text: b.thinking, signature: b.signature };
    case 'redacted_thinking':
      if (role !== 'assistant') throw wrongRole('redacted_thinking');
      return { type: 'reasoning', text: '', redacted: b.data };
    case 'document':
      throw new GatewayError('unsupported_capability', `${path}.type: document blocks (PDF / text documents) are not supported by this gateway yet`, {
        param: `${path}.type`,
      });
  }
}

function convertMessages(req: AnthropicRequest): CanonicalMessage[] {
  const out: CanonicalMessage[] = [];
  if (req.system !== undefined) {
    const content = typeof req.system === 'string' ? [{ type: 'text' as const, text: req.system }] : req.system.map(textPart);
    if (content.length > 0) out.push({ role: 'system', content });
  }
  req.messages.forEach((m, i) => {
    if (typeof m.content === 'string') {
      out.push({ role: m.role, content: [{ type: 'text', text: m.content }] });
      return;
    }
    if (m.role === 'assistant') {
      out.push({ role: 'assistant', content: m.content.map((b, j) => blockToPart(b, 'assistant', `messages.${i}.content.${j}`)) });
      return;
    }
    // Split a user turn into consecutive runs of tool results and of everything else.
    let run: CanonicalMessage | undefined;
    m.content.forEach((b, j) => {
      const part = blockToPart(b, 'user', `messages.${i}.content.${j}`);
      const role = part.type === 'tool-result' ? 'tool' : 'user';
      if (run === undefined || run.role !== role) {
        run = { role, content: [] };
        out.push(run);
      }
      run.content.push(part);
    });
    if (m.content.length === 0) out.push({ role: 'user', content: [] });
  });
  return out;
}

function convertTools(req: AnthropicRequest): ToolDefinition[] | undefined {
  if (req.tools === undefined) return undefined;
  return req.tools.map((t, i) => {
    if (t.type !== undefined && t.type !== 'custom') {
      throw new GatewayError(
        'unsupported_capability',
        `tools.${i}.type: server tool '${t.type}' is not supported by this gateway; only client tools (name, description, input_schema) are`,
        { param: `tools.${i}.type` },
      );
    }
    if (t.input_schema === undefined) {
      throw new GatewayError('invalid_request', `tools.${i}.input_schema: Field required`, { param: `tools.${i}.input_schema` });
    }
    return {
      name: t.name,
      ...(t.description === undefined ? {} : { description: t.description }),
      parameters: t.input_schema,
      ...cache(t.cache_control),
    };
  });
}

function convertToolChoice(tc: AnthropicRequest['tool_choice']): { toolChoice?: ToolChoice; parallelToolCalls?: boolean } {
  if (tc === undefined) return {};
  const toolChoice: ToolChoice =
    tc.type === 'auto' ? 'auto' : tc.type === 'any' ? 'required' : tc.type === 'none' ? 'none' : { type: 'tool', name: tc.name };
  const disable = tc.type === 'none' ? undefined : tc.disable_parallel_tool_use;
  return disable === true ? { toolChoice, parallelToolCalls: false } : { toolChoice };
}

function unknownFields(body: Record<string, unknown>): Record<string, unknown> | undefined {
  const extra: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(body)) if (!KNOWN_FIELDS.has(k)) extra[k] = v;
  return Object.keys(extra).length > 0 ? extra : undefined;
}

/** Shared by /v1/messages and /v1/messages/count_tokens. */
export function decodeBody(body: unknown, requireMaxTokens: boolean, limits: IngressLimits = DEFAULT_INGRESS_LIMITS): CanonicalRequest {
  checkAnthropicBounds(body, limits);
  const parsed = requestSchema.safeParse(body);
  if (!parsed.success) throwZodError(parsed.error);
  const req = parsed.data;
  if (requireMaxTokens && req.max_tokens === undefined) {
    throw new GatewayError('invalid_request', 'max_tokens: Field required (the Anthropic Messages API requires the maximum number of output tokens)', {
      param: 'max_tokens',
    });
  }
  const out: CanonicalRequest = { model: req.model, messages: convertMessages(req), stream: req.stream ?? false };
  const tools = convertTools(req);
  if (tools !== undefined) out.tools = tools;
  Object.assign(out, convertToolChoice(req.tool_choice));
  if (req.max_tokens !== undefined) out.maxTokens = req.max_tokens;
  if (req.temperature !== undefined) out.temperature = req.temperature;
  if (req.top_p !== undefined) out.topP = req.top_p;
  if (req.top_k !== undefined) out.topK = req.top_k;
  if (req.stop_sequences !== undefined && req.stop_sequences.length > 0) out.stop = req.stop_sequences;
  const userId = req.metadata?.user_id;
  if (typeof userId === 'string') out.user = userId;
  if (req.thinking?.type === 'enabled') out.reasoning = { budgetTokens: req.thinking.budget_tokens, include: true };
  const extra = unknownFields(req);
  if (extra !== undefined) out.providerOptions = { [FORMAT]: extra };
  return out;
}

export function decodeRequest(body: unknown, limits: IngressLimits = DEFAULT_INGRESS_LIMITS): CanonicalRequest {
  return decodeBody(body, true, limits);
}
