// Zod schema of an inbound Chat Completions body. Objects strip unknown keys (the top-level
// extras are collected separately and kept in providerOptions); optional scalars accept `null`
// because several client SDKs serialise unset fields as null.
import { z } from 'zod';

const textPart = z.object({ type: z.literal('text'), text: z.string() });

const imagePart = z.object({
  type: z.literal('image_url'),
  image_url: z.object({
    url: z.string().min(1),
    detail: z.enum(['auto', 'low', 'high']).nullish(),
  }),
});

// Parsed only so that decode-request can reject them with a precise message instead of the
// generic "expected one of text, image_url".
const audioPart = z.object({ type: z.literal('input_audio') });
const filePart = z.object({ type: z.literal('file') });
const refusalPart = z.object({ type: z.literal('refusal'), refusal: z.string() });

const textContent = z.union([z.string(), z.array(textPart)]);

const userContent = z.union([
  z.string(),
  z.array(z.discriminatedUnion('type', [textPart, imagePart, audioPart, filePart])),
]);

const toolCall = z.object({
  id: z.string().min(1),
  type: z.literal('function'),
  function: z.object({ name: z.string().min(1), arguments: z.string() }),
});

const systemMessage = z.object({ role: z.literal('system'), content: textContent, name: z.string().nullish() });
const developerMessage = z.object({ role: z.literal('developer'), content: textContent, name: z.string().nullish() });
const userMessage = z.object({ role: z.literal('user'), content: userContent, name: z.string().nullish() });
const assistantMessage = z.object({
  role: z.literal('assistant'),
  content: z.union([z.string(), z.array(z.discriminatedUnion('type', [textPart, refusalPart]))]).nullish(),
  name: z.string().nullish(),
  tool_calls: z.array(toolCall).nullish(),
  refusal: z.string().nullish(),
  // Not OpenAI, but DeepSeek/Qwen clients echo their reasoning back; keep it as a reasoning part.
  reasoning_content: z.string().nullish(),
});
const toolMessage = z.object({
  role: z.literal('tool'),
  content: textContent,
  tool_call_id: z.string().min(1),
});

export const messageSchema = z.discriminatedUnion('role', [
  systemMessage,
  userMessage,
  assistantMessage,
  toolMessage,
  developerMessage,
]);

const toolSchema = z.object({
  type: z.literal('function'),
  function: z.object({
    name: z.string().min(1),
    description: z.string().nullish(),
    parameters: z.record(z.string(), z.unknown()).nullish(),
    strict: z.boolean().nullish(),
  }),
});

const toolChoiceSchema = z.union([
  z.enum(['auto', 'none', 'required']),
  z.object({ type: z.literal('function'), function: z.object({ name: z.string().min(1) }) }),
]);

const responseFormatSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text') }),
  z.object({ type: z.literal('json_object') }),
  z.object({
    type: z.literal('json_schema'),
    json_schema: z.object({
      name: z.string().min(1),
      schema: z.record(z.string(), z.unknown()).nullish(),
      strict: z.boolean().nullish(),
      description: z.string().nullish(),
    }),
  }),
]);

const positiveInt = z.number().int().min(1);

export const chatRequestSchema = z.object({
  model: z.string().min(1),
  messages: z.array(messageSchema).min(1),
  tools: z.array(toolSchema).nullish(),
  tool_choice: toolChoiceSchema.nullish(),
  parallel_tool_calls: z.boolean().nullish(),
  response_format: responseFormatSchema.nullish(),
  max_tokens: positiveInt.nullish(),
  max_completion_tokens: positiveInt.nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  stop: z.union([z.string(), z.array(z.string())]).nullish(),
  seed: z.number().int().nullish(),
  frequency_penalty: z.number().min(-2).max(2).nullish(),
  presence_penalty: z.number().min(-2).max(2).nullish(),
  n: positiveInt.nullish(),
  logprobs: z.boolean().nullish(),
  top_logprobs: z.number().int().min(0).max(20).nullish(),
  stream: z.boolean().nullish(),
  stream_options: z.object({ include_usage: z.boolean().nullish() }).nullish(),
  user: z.string().nullish(),
  metadata: z.record(z.string(), z.string()).nullish(),
  // Free string: efforts the canonical form cannot express ('none', 'xhigh') travel as extras.
  reasoning_effort: z.string().nullish(),
});

export type ChatRequestBody = z.infer<typeof chatRequestSchema>;
export type ChatMessageBody = z.infer<typeof messageSchema>;

/** Top-level fields the schema models; anything else is an extra kept for the upstream. */
export const KNOWN_REQUEST_FIELDS: ReadonlySet<string> = new Set(Object.keys(chatRequestSchema.shape));
