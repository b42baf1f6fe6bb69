// Bounds on what the gateway accepts and holds: what a caller may send (ingress) and what an
// upstream may make us buffer (egress). One caller's hostile body must not cost other callers
// anything (a 10,000-level schema once overflowed the encoder's stack and tripped breakers), and
// one upstream's hostile answer must not take the process's memory. Configured under
// `server.limits` (docs/configuration.md); these are the defaults.

export interface IngressLimits {
  /** Nesting depth of the whole JSON body (objects and arrays; `{}` is depth 1). */
  maxDepth: number;
  /** Nesting depth of one JSON schema (a tool's parameters, a response format's schema). */
  maxSchemaDepth: number;
  /** Messages (chat, Anthropic) or input items (Responses) in one request. */
  maxMessages: number;
  maxTools: number;
  /** Content parts (blocks) in one message or item. */
  maxContentParts: number;
  /** Length of any one string in the body, in UTF-16 code units. */
  maxStringLength: number;
  /** Inputs in one embeddings request. */
  maxEmbeddingInputs: number;
}

export interface UpstreamLimits {
  /** A buffered upstream answer (non-streaming body, error body). */
  maxBodyBytes: number;
  /** One event of a streamed answer (bytes between two SSE event boundaries). */
  maxEventBytes: number;
  /** A whole streamed answer. */
  maxStreamBytes: number;
}

export const DEFAULT_INGRESS_LIMITS: Readonly<IngressLimits> = Object.freeze({
  maxDepth: 64,
  maxSchemaDepth: 32,
  maxMessages: 10_000,
  maxTools: 512,
  maxContentParts: 2_048,
  // A base64 image inside the default 4 MiB body limit fits; body_limit is the real cap.
  maxStringLength: 8 * 1024 * 1024,
  maxEmbeddingInputs: 2_048,
});

export const DEFAULT_UPSTREAM_LIMITS: Readonly<UpstreamLimits> = Object.freeze({
  // The largest real non-streaming answers (long outputs with logprobs, big embedding batches)
  // are a few MB; 32 MiB leaves a wide margin and still bounds what one attempt can pin.
  maxBodyBytes: 32 * 1024 * 1024,
  // A single SSE event is one token or one tool-argument fragment: kilobytes. Providers that
  // send a whole image or a final summary as one event stay well under 8 MiB.
  maxEventBytes: 8 * 1024 * 1024,
  maxStreamBytes: 64 * 1024 * 1024,
});

/** The config key naming each limit, for error messages that tell the operator what to change. */
export const LIMIT_CONFIG_KEYS: Readonly<Record<keyof IngressLimits | keyof UpstreamLimits, string>> = Object.freeze({
  maxDepth: 'server.limits.max_depth',
  maxSchemaDepth: 'server.limits.max_schema_depth',
  maxMessages: 'server.limits.max_messages',
  maxTools: 'server.limits.max_tools',
  maxContentParts: 'server.limits.max_content_parts',
  maxStringLength: 'server.limits.max_string_length',
  maxEmbeddingInputs: 'server.limits.max_embedding_inputs',
  maxBodyBytes: 'server.limits.upstream_body',
  maxEventBytes: 'server.limits.upstream_event',
  maxStreamBytes: 'server.limits.upstream_stream',
});
