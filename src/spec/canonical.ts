// The canonical form: every wire format translates to and from these types (hub and spoke).
// This file imports nothing; it is the contract between ingress formats, the gateway core and
// egress formats.

export type Role = 'system' | 'user' | 'assistant' | 'tool';

/** Anthropic-style prompt-cache marker; formats that cannot express it drop it with a warning. */
export interface CacheControl {
  type: 'ephemeral';
  ttl?: string;
}

export type ImageSource =
  | { kind: 'url'; url: string }
  | { kind: 'base64'; mediaType: string; data: string };

export interface TextPart {
  type: 'text';
  text: string;
  cacheControl?: CacheControl;
}

export interface ImagePart {
  type: 'image';
  source: ImageSource;
  /** OpenAI `detail` (auto | low | high). */
  detail?: string;
  cacheControl?: CacheControl;
}

/**
 * Model reasoning ("thinking"). `signature` must be kept verbatim and sent back on the next
 * turn (Anthropic signature, Gemini thoughtSignature, Bedrock reasoning signature).
 * `redacted` carries Anthropic `redacted_thinking.data` (then `text` is empty).
 */
export interface ReasoningPart {
  type: 'reasoning';
  text: string;
  signature?: string;
  redacted?: string;
}

export interface ToolCallPart {
  type: 'tool-call';
  id: string;
  name: string;
  /** The arguments as JSON text, exactly as the model produced them. */
  arguments: string;
  /** Gemini `thoughtSignature` carried on a functionCall part. */
  signature?: string;
  cacheControl?: CacheControl;
}

export interface ToolResultPart {
  type: 'tool-result';
  toolCallId: string;
  /** Tool name, when known (Gemini needs it: functionResponse is keyed by name). */
  name?: string;
  content: Array<TextPart | ImagePart>;
  isError?: boolean;
  cacheControl?: CacheControl;
}

export type ContentPart = TextPart | ImagePart | ReasoningPart | ToolCallPart | ToolResultPart;

export interface CanonicalMessage {
  role: Role;
  content: ContentPart[];
  /** OpenAI participant name. */
  name?: string;
}

export interface ToolDefinition {
  name: string;
  description?: string;
  /** JSON Schema of the arguments object. */
  parameters: Record<string, unknown>;
  strict?: boolean;
  cacheControl?: CacheControl;
}

export type ToolChoice = 'auto' | 'none' | 'required' | { type: 'tool'; name: string };

export type ResponseFormat =
  | { type: 'text' }
  | { type: 'json_object' }
  | { type: 'json_schema'; name: string; schema: Record<string, unknown>; strict?: boolean; description?: string };

export interface ReasoningConfig {
  effort?: 'minimal' | 'low' | 'medium' | 'high';
  /** Explicit thinking budget (Anthropic budget_tokens, Gemini thinkingBudget). */
  budgetTokens?: number;
  /** Whether reasoning text should be returned when the provider can hide it. */
  include?: boolean;
}

export interface CanonicalRequest {
  /** What the client put in `model`: a route name, never a provider model id. */
  model: string;
  messages: CanonicalMessage[];
  tools?: ToolDefinition[];
  toolChoice?: ToolChoice;
  parallelToolCalls?: boolean;
  responseFormat?: ResponseFormat;
  maxTokens?: number;
  temperature?: number;
  topP?: number;
  topK?: number;
  stop?: string[];
  seed?: number;
  frequencyPenalty?: number;
  presencePenalty?: number;
  n?: number;
  logprobs?: boolean;
  topLogprobs?: number;
  stream: boolean;
  /** OpenAI `stream_options.include_usage`: the client wants a final usage chunk. */
  includeUsage?: boolean;
  user?: string;
  metadata?: Record<string, string>;
  reasoning?: ReasoningConfig;
  /**
   * Fields a format does not model canonically but must not lose, keyed by format name
   * (e.g. `{ 'anthropic-messages': { thinking: {...} } }`). An egress format of the same
   * family may pass them on; any other drops them with a warning.
   */
  providerOptions?: Record<string, Record<string, unknown>>;
}

export type FinishReason = 'stop' | 'length' | 'tool-calls' | 'content-filter' | 'error' | 'other';

/**
 * Token usage. `inputTokens` counts the whole prompt, cached tokens included (OpenAI's
 * semantics); `cacheReadTokens` / `cacheWriteTokens` are the parts of it read from / written to
 * the provider's prompt cache. `reasoningTokens` is the part of `outputTokens` spent thinking.
 */
export interface Usage {
  inputTokens: number;
  outputTokens: number;
  totalTokens?: number;
  cacheReadTokens?: number;
  cacheWriteTokens?: number;
  reasoningTokens?: number;
}

export interface CanonicalResponse {
  id: string;
  /** Provider model id that answered; ingress encoders show the route name instead. */
  model: string;
  created: number;
  /** Assistant output, in order: reasoning, text and tool-call parts. */
  content: Array<TextPart | ReasoningPart | ToolCallPart>;
  finishReason: FinishReason;
  /** The provider's own finish reason string, kept for debugging and for same-format clients. */
  rawFinishReason?: string;
  usage?: Usage;
  /** The stop sequence that ended the output, when the provider says which. */
  stopSequence?: string;
  providerMetadata?: Record<string, unknown>;
}

/**
 * Streaming events, noun-verb style. Order: `message-start` first; then deltas; `finish` once;
 * `usage` may come before or after `finish` (possibly several times: later values win field by
 * field); the stream ends when the iterator ends. `error` ends the stream abnormally.
 * Tool-call `index` is the ordinal of the call within the message (0, 1, …), not a block index.
 */
export type CanonicalEvent =
  | { type: 'message-start'; id: string; model: string; created: number }
  | { type: 'text-delta'; text: string }
  | { type: 'reasoning-delta'; text: string; signature?: string; redacted?: string }
  | { type: 'tool-call-start'; index: number; id: string; name: string; signature?: string }
  | { type: 'tool-call-delta'; index: number; argumentsDelta: string }
  | { type: 'usage'; usage: Usage }
  | { type: 'finish'; reason: FinishReason; raw?: string; stopSequence?: string }
  | { type: 'error'; error: import('./errors.js').GatewayError };

export interface EmbeddingRequest {
  model: string;
  input: string[] | number[][];
  dimensions?: number;
  encodingFormat: 'float' | 'base64';
  user?: string;
}

export interface EmbeddingResponse {
  model: string;
  /** One vector per input, in input order. */
  vectors: number[][];
  usage: { inputTokens: number };
}
