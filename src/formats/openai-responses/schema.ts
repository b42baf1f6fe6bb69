// Zod schemas of an inbound Responses API body. `input` items and `tools` are validated one by one
// (see decode-request.ts) so that an error names the exact item, e.g. `input[3].content[0].type`.
// Optional scalars accept `null`: several client SDKs serialise unset fields as null.
import { z } from 'zod';

const positiveInt = z.number().int().min(1);

// ---------------------------------------------------------------- content parts

const inputText = z.object({ type: z.literal('input_text'), text: z.string() });
const outputText = z.object({ type: z.literal('output_text'), text: z.string() });
const refusal = z.object({ type: z.literal('refusal'), refusal: z.string() });
const inputImage = z.object({
  type: z.literal('input_image'),
  image_url: z.string().min(1).nullish(),
  file_id: z.string().nullish(),
  detail: z.enum(['auto', 'low', 'high']).nullish(),
});
// Parsed only so that the decoder can reject them with a precise message.
const inputFile = z.object({ type: z.literal('input_file') });
const inputAudio = z.object({ type: z.literal('input_audio') });

export const userPart = z.discriminatedUnion('type', [inputText, inputImage, inputFile, inputAudio]);
export const assistantPart = z.discriminatedUnion('type', [outputText, refusal, inputText]);

// ---------------------------------------------------------------- input items

const userMessage = z.object({
  type: z.literal('message').optional(),
  role: z.literal('user'),
  content: z.union([z.string(), z.array(userPart)]),
  id: z.string().nullish(),
  status: z.string().nullish(),
});
const systemMessage = z.object({
  type: z.literal('message').optional(),
  role: z.enum(['system', 'developer']),
  content: z.union([z.string(), z.array(inputText)]),
  id: z.string().nullish(),
  status: z.string().nullish(),
});
const assistantMessage = z.object({
  type: z.literal('message').optional(),
  role: z.literal('assistant'),
  content: z.union([z.string(), z.array(assistantPart)]),
  id: z.string().nullish(),
  status: z.string().nullish(),
});

export const messageItem = z.discriminatedUnion('role', [userMessage, systemMessage, assistantMessage]);

export const functionCallItem = z.object({
  type: z.literal('function_call'),
  call_id: z.string().min(1),
  name: z.string().min(1),
  arguments: z.string(),
  id: z.string().nullish(),
  status: z.string().nullish(),
});

export const functionCallOutputItem = z.object({
  type: z.literal('function_call_output'),
  call_id: z.string().min(1),
  output: z.union([z.string(), z.array(userPart)]),
  id: z.string().nullish(),
  status: z.string().nullish(),
});

export const reasoningItem = z.object({
  type: z.literal('reasoning'),
  id: z.string().nullish(),
  summary: z.array(z.object({ type: z.literal('summary_text'), text: z.string() })).nullish(),
  content: z.array(z.object({ type: z.literal('reasoning_text'), text: z.string() })).nullish(),
  encrypted_content: z.string().nullish(),
  status: z.string().nullish(),
});

export const itemReference = z.object({ type: z.literal('item_reference'), id: z.string().min(1) });

export type MessageItem = z.infer<typeof messageItem>;
export type FunctionCallInputItem = z.infer<typeof functionCallItem>;
export type FunctionCallOutputItem = z.infer<typeof functionCallOutputItem>;
export type ReasoningInputItem = z.infer<typeof reasoningItem>;
export type UserPart = z.infer<typeof userPart>;

/** One validated input item, `item_reference`s already resolved. */
export type InputItem =
  | (MessageItem & { type?: 'message' })
  | FunctionCallInputItem
  | FunctionCallOutputItem
  | ReasoningInputItem;

// ---------------------------------------------------------------- tools and options

export const functionTool = z.object({
  type: z.literal('function'),
  name: z.string().min(1),
  description: z.string().nullish(),
  parameters: z.record(z.string(), z.unknown()).nullish(),
  strict: z.boolean().nullish(),
});
export type FunctionTool = z.infer<typeof functionTool>;

export const toolChoiceSchema = z.union([
  z.enum(['auto', 'none', 'required']),
  z.object({ type: z.literal('function'), name: z.string().min(1) }),
  // Any other object (allowed_tools, built-in tool types) is rejected by the decoder by name.
  z.object({ type: z.string() }),
]);

const textFormat = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text') }),
  z.object({ type: z.literal('json_object') }),
  z.object({
    type: z.literal('json_schema'),
    name: z.string().min(1),
    schema: z.record(z.string(), z.unknown()),
    strict: z.boolean().nullish(),
    description: z.string().nullish(),
  }),
]);

export const responsesRequestSchema = z.object({
  model: z.string().min(1),
  input: z.union([z.string(), z.array(z.unknown())]).nullish(),
  instructions: z.string().nullish(),
  tools: z.array(z.unknown()).nullish(),
  tool_choice: toolChoiceSchema.nullish(),
  parallel_tool_calls: z.boolean().nullish(),
  max_output_tokens: positiveInt.nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  top_logprobs: z.number().int().min(0).max(20).nullish(),
  text: z.object({ format: textFormat.nullish(), verbosity: z.string().nullish() }).nullish(),
  // Free strings: efforts/summaries the canonical form has no word for travel as extras.
  reasoning: z.object({ effort: z.string().nullish(), summary: z.string().nullish() }).nullish(),
  stream: z.boolean().nullish(),
  store: z.boolean().nullish(),
  metadata: z.record(z.string(), z.string()).nullish(),
  user: z.string().nullish(),
  previous_response_id: z.string().min(1).nullish(),
});

export type ResponsesRequestBody = z.infer<typeof responsesRequestSchema>;

/** Top-level fields the schema models; anything else is an extra kept in providerOptions. */
export const KNOWN_REQUEST_FIELDS: ReadonlySet<string> = new Set(Object.keys(responsesRequestSchema.shape));
