// The wire-format contract. A wire format is a set of pure translators between one protocol and
// the canonical form: no sockets, no timers, no config lookups. The gateway core does the I/O.
// A protocol that clients speak implements IngressFormat; one that providers speak implements
// EgressFormat; some (openai-chat, anthropic-messages) implement both.

import type {
  CanonicalEvent,
  CanonicalRequest,
  CanonicalResponse,
  EmbeddingRequest,
  EmbeddingResponse,
} from './canonical.js';
import type { GatewayError } from './errors.js';
import type { IngressLimits } from './limits.js';

export type WireFormatName = 'openai-chat' | 'openai-responses' | 'anthropic-messages' | 'gemini' | 'bedrock-converse';

export type Headers = Record<string, string | string[] | undefined>;

// ---------------------------------------------------------------- ingress (client-facing)

export interface EncodeContext {
  /** What the client sees in `model`: the route name it asked for. */
  model: string;
  requestId: string;
  /** OpenAI `stream_options.include_usage`. */
  includeUsage?: boolean;
  /** Unix seconds, for `created` fields. */
  created: number;
}

export interface RenderedError {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export interface IngressFormat {
  readonly name: WireFormatName;
  /**
   * Validates and translates a parsed JSON body; throws GatewayError('invalid_request', { param }).
   * Checks the ingress bounds first (`limits`, default DEFAULT_INGRESS_LIMITS).
   */
  decodeRequest(body: unknown, limits?: IngressLimits): CanonicalRequest;
  encodeResponse(response: CanonicalResponse, ctx: EncodeContext): unknown;
  /**
   * Optional: `JSON.stringify(encodeResponse(response, ctx))` written directly, for formats on the
   * hot path. Must produce the same bytes.
   */
  encodeResponseText?(response: CanonicalResponse, ctx: EncodeContext): string;
  /**
   * Renders canonical events as the client's stream framing (SSE text). An `error` event becomes
   * a well-formed error event of this protocol and ends the stream.
   */
  encodeEvents(events: AsyncIterable<CanonicalEvent>, ctx: EncodeContext): AsyncIterable<string>;
  encodeError(error: GatewayError): RenderedError;
}

// ---------------------------------------------------------------- egress (provider-facing)

export type AuthScheme = 'bearer' | 'api-key' | 'x-api-key' | 'x-goog-api-key' | 'sigv4' | 'none';

/**
 * Differences between OpenAI-compatible servers, as data. The openai-chat egress format reads
 * them; the gateway core never branches on a provider id.
 */
export interface ProviderQuirks {
  /** Where the server puts streamed/returned reasoning text. */
  reasoningField?: 'reasoning_content' | 'reasoning';
  /** Which field carries the output limit (reasoning-era OpenAI wants max_completion_tokens). */
  maxTokensField?: 'max_tokens' | 'max_completion_tokens';
  /** The server rejects `stream_options`; usage then comes unasked or not at all. */
  noStreamOptions?: boolean;
  /** Request fields the server rejects: dropped with a warning instead of forwarded. */
  unsupportedParams?: string[];
  /** Requires a `max_tokens` value on every request (used when the client gave none). */
  requiresMaxTokens?: boolean;
}

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** Everything an egress format needs to address one deployment with one credential. */
export interface EgressTarget {
  deploymentId: string;
  /** The provider's model id. */
  model: string;
  /** Base URL without a trailing slash, e.g. `https://api.example.com/v1`. */
  baseUrl: string;
  auth: AuthScheme;
  apiKey?: string;
  aws?: AwsCredentials;
  region?: string;
  /** Extra static headers (organisation ids, API versions). */
  headers?: Record<string, string>;
  /** Extra query parameters (Azure `api-version`). */
  query?: Record<string, string>;
  quirks: ProviderQuirks;
  /** Default output limit when the client gave none and the protocol requires one. */
  defaultMaxTokens?: number;
  /** The deployment's known output limit (catalog or config); a larger max_tokens is clamped to it. */
  maxOutputTokens?: number;
  /** Format-specific deployment settings (e.g. `{ vertex: true }`, `{ azureDeployment: 'x' }`). */
  options?: Record<string, unknown>;
}

export interface UpstreamRequest {
  method: 'POST' | 'GET';
  url: string;
  headers: Record<string, string>;
  body: string | Uint8Array;
  /** Fields that could not be expressed for this provider and were dropped. */
  warnings: string[];
}

export interface UpstreamResponseMeta {
  status: number;
  headers: Headers;
}

export interface ParseStreamContext {
  /** The provider model id, for message-start when the stream does not say. */
  model: string;
}

export interface EgressFormat {
  readonly name: WireFormatName;
  buildRequest(request: CanonicalRequest, target: EgressTarget): UpstreamRequest | Promise<UpstreamRequest>;
  /** Translates a successful (2xx) non-streaming JSON body. */
  parseResponse(json: unknown, meta: UpstreamResponseMeta): CanonicalResponse;
  /** Translates a successful (2xx) streaming body; malformed framing yields an `error` event. */
  parseStream(body: AsyncIterable<Uint8Array>, ctx: ParseStreamContext): AsyncIterable<CanonicalEvent>;
  /** Maps a non-2xx response (body as text; may not be JSON) to a GatewayError. */
  parseError(text: string, meta: UpstreamResponseMeta): GatewayError;
  buildEmbeddingRequest?(request: EmbeddingRequest, target: EgressTarget): UpstreamRequest | Promise<UpstreamRequest>;
  parseEmbeddingResponse?(json: unknown, meta: UpstreamResponseMeta): EmbeddingResponse;
  /**
   * The provider's own prompt-token count, where its API has one (Anthropic count_tokens, Gemini
   * countTokens): `/v1/messages/count_tokens` asks it before falling back to the local estimate.
   */
  buildCountTokensRequest?(request: CanonicalRequest, target: EgressTarget): UpstreamRequest;
  /** The count from a 2xx answer, or undefined when the body does not carry one. */
  parseCountTokensResponse?(json: unknown): number | undefined;
}
