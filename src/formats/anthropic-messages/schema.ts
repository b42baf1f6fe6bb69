// Zod schemas for the Anthropic Messages request body as clients send it (ingress). They follow
// the public API closely so that a body Anthropic would reject is rejected here with the field
// path, before any routing or spend happens.
import { z } from 'zod';

const cacheControl = z.object({
  type: z.literal('ephemeral'),
  ttl: z.string().optional(),
});

const textBlock = z.object({
  type: z.literal('text'),
  text: z.string(),
  cache_control: cacheControl.nullish(),
  // Citations on history text are output metadata; accepted and not forwarded.
  citations: z.unknown().optional(),
});

const imageSource = z.discriminatedUnion('type', [
  z.object({ type: z.literal('base64'), media_type: z.string().min(1), data: z.string().min(1) }),
  z.object({ type: z.literal('url'), url: z.string().min(1) }),
]);

const imageBlock = z.object({
  type: z.literal('image'),
  source: imageSource,
  cache_control: cacheControl.nullish(),
});

const toolUseBlock = z.object({
  type: z.literal('tool_use'),
  id: z.string().min(1),
  name: z.string().min(1),
  input: z.record(z.string(), z.unknown()),
  cache_control: cacheControl.nullish(),
});

const toolResultBlock = z.object({
  type: z.literal('tool_result'),
  tool_use_id: z.string().min(1),
  content: z.union([z.string(), z.array(z.discriminatedUnion('type', [textBlock, imageBlock]))]).optional(),
  is_error: z.boolean().optional(),
  cache_control: cacheControl.nullish(),
});

const thinkingBlock = z.object({
  type: z.literal('thinking'),
  thinking: z.string(),
  signature: z.string(),
});

const redactedThinkingBlock = z.object({
  type: z.literal('redacted_thinking'),
  data: z.string(),
});

// Listed so that the decoder can answer "not supported" instead of "unknown type".
const documentBlock = z.looseObject({ type: z.literal('document') });

export const contentBlock = z.discriminatedUnion('type', [
  textBlock,
  imageBlock,
  toolUseBlock,
  toolResultBlock,
  thinkingBlock,
  redactedThinkingBlock,
  documentBlock,
]);

const message = z.object({
  role: z.enum(['user', 'assistant']),
  content: z.union([z.string(), z.array(contentBlock)]),
});

// A tool without `type` (or type 'custom') is a client tool. Any other `type` is an Anthropic
// server tool (web_search_*, bash_*, text_editor_*, computer_*); the decoder rejects those.
const tool = z.looseObject({
  type: z.string().optional(),
  name: z.string().min(1),
  description: z.string().optional(),
  input_schema: z.record(z.string(), z.unknown()).optional(),
  cache_control: cacheControl.nullish(),
});

const toolChoice = z.discriminatedUnion('type', [
  z.object({ type: z.literal('auto'), disable_parallel_tool_use: z.boolean().optional() }),
  z.object({ type: z.literal('any'), disable_parallel_tool_use: z.boolean().optional() }),
  z.object({ type: z.literal('tool'), name: z.string().min(1), disable_parallel_tool_use: z.boolean().optional() }),
  z.object({ type: z.literal('none') }),
]);

const thinking = z.discriminatedUnion('type', [
  z.object({ type: z.literal('enabled'), budget_tokens: z.number().int().positive() }),
  z.object({ type: z.literal('disabled') }),
]);

export const KNOWN_FIELDS = new Set([
  'model',
  'max_tokens',
  'system',
  'messages',
  'tools',
  'tool_choice',
  'stop_sequences',
  'temperature',
  'top_p',
  'top_k',
  'metadata',
  'stream',
  'thinking',
]);

/** `/v1/messages` and `/v1/messages/count_tokens` share this; only the former requires max_tokens. */
export const requestSchema = z.looseObject({
  model: z.string().min(1),
  max_tokens: z.number().int().positive().optional(),
  system: z.union([z.string(), z.array(textBlock)]).optional(),
  messages: z.array(message).min(1),
  tools: z.array(tool).optional(),
  tool_choice: toolChoice.optional(),
  stop_sequences: z.array(z.string()).optional(),
  temperature: z.number().min(0).max(1).optional(),
  top_p: z.number().min(0).max(1).optional(),
  top_k: z.number().int().nonnegative().optional(),
  metadata: z.looseObject({ user_id: z.string().nullish() }).optional(),
  stream: z.boolean().optional(),
  thinking: thinking.optional(),
});

export type AnthropicRequest = z.infer<typeof requestSchema>;
export type AnthropicBlock = z.infer<typeof contentBlock>;
export type AnthropicTextBlock = z.infer<typeof textBlock>;
export type AnthropicImageBlock = z.infer<typeof imageBlock>;
export type AnthropicCacheControl = z.infer<typeof cacheControl>;
