// Types shared by the simulated provider server and its per-protocol modules.

/**
 * A deterministic misbehaviour. Every field is optional; several combine (e.g. latency + status).
 * Applied in this order: latency, then reset / hang / status, then firstByte, tokenDelay and cut
 * while the body is written.
 */
export interface Fault {
  /** Answer with this status and the provider's real error body (captured when one exists). */
  status?: number;
  /** Fraction (0..1) of matching requests affected, drawn from a seeded PRNG: runs repeat. */
  rate?: number;
  /** Delay before the response headers, in ms. */
  latencyMs?: number;
  /** Delay between the headers and the first body byte, in ms. */
  firstByteMs?: number;
  /** Delay between stream chunks (SSE events / eventstream messages), in ms. */
  tokenDelayMs?: number;
  /** Destroy the socket before any response byte. */
  reset?: boolean;
  /**
   * Write the headers and this many stream chunks, then destroy the socket. For a JSON
   * (non-stream) body: the headers and the first half of the body.
   */
  cutAfterChunks?: number;
  /** Seconds, sent as `retry-after` with a `status` fault. */
  retryAfter?: number;
  /** Never answer (the socket stays open until the client gives up or the simulator closes). */
  hang?: boolean;
  /** With `status`: replay this capture (path under fixtures/upstream) as the error body. */
  fixture?: string;
}

export interface RecordedRequest {
  method: string;
  /** Path without the query string, as received. */
  path: string;
  /** Path with the query string. */
  url: string;
  /** Canonical scope the request was counted under, e.g. `/openai`, `/anthropic`. */
  scope: string;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON body; the raw text when it was not JSON; undefined when empty. */
  body: unknown;
  /** Epoch ms when the request arrived. */
  at: number;
}

export interface SimulatorOptions {
  /** 0 (default: 0) picks a free port. */
  port?: number;
  /** Loopback only: 127.0.0.1 (default), ::1 or localhost. */
  host?: string;
  /** Added before the headers of every response (ms). */
  latencyMs?: number;
  /** Seeds the PRNG used for fault rates, ids and padding (default 1). */
  seed?: number;
  /** One line per request, for demos and debugging. */
  logger?: (line: string) => void;
  /** How many inbound requests `requests` keeps (default 1000). */
  maxRecorded?: number;
  /**
   * Generated replies get filler words appended up to this many words (default: none), so a
   * benchmark can ask for long streams.
   */
  replyWords?: number;
  /** Deterministic answer quality per model and prompt difficulty (quality.ts), for routing tests. */
  quality?: import('./quality.js').QualityModel;
}

export interface Simulator {
  /** `http://127.0.0.1:PORT` */
  url: string;
  port: number;
  close(): Promise<void>;
  /** The last `maxRecorded` inbound provider requests, oldest first (control calls excluded). */
  requests: RecordedRequest[];
  /** Requests counted per scope (`/openai`, `/anthropic`, …) since start or the last reset. */
  stats(): Record<string, number>;
  /** Clears recorded requests, stats, faults and the PRNG state. */
  reset(): void;
  /** `scope`: a path prefix such as `/anthropic` or `/openai/v1/embeddings`, or `*`. */
  setFault(scope: string, fault: Fault | null): void;
  /**
   * Resolves with the first recorded request matching `match`, counting from the `from`-th
   * request recorded since the last reset (default 0, i.e. every recorded request), or with the
   * next one to arrive: tests await the upstream call instead of polling for it.
   */
  waitForRequest(match: (r: RecordedRequest) => boolean, from?: number): Promise<RecordedRequest>;
}

// ---------------------------------------------------------------- internal

export type Chunk = string | Uint8Array;

/** What a protocol module answers; the server applies faults while writing it. */
export type SimResponse =
  | { kind: 'body'; status: number; headers: Record<string, string>; body: Chunk }
  | { kind: 'stream'; status: number; headers: Record<string, string>; chunks: Chunk[] };

/** Why an error response is produced; picks the captured body that fits. */
export type ErrorReason = 'fault' | 'quota' | 'invalid-key' | 'bad-request' | 'not-found';

/** One inbound provider call, routed and parsed. */
export interface SimCall {
  /** Provider family from the path: openai, mistral, qwen, …, anthropic, gemini, vertex, bedrock. */
  family: string;
  /** Operation, e.g. `chat`, `embeddings`, `messages`, `count_tokens`, `generateContent`, `converse`. */
  op: string;
  /** Model from the path (Gemini, Vertex, Bedrock); protocol modules fall back to the body. */
  pathModel?: string;
  /** Whether the path itself asks for a stream (Gemini, Bedrock). */
  pathStream?: boolean;
  body: unknown;
  query: URLSearchParams;
  /** Per-simulator request counter, for deterministic ids. */
  seq: number;
  seed: number;
  /** Seeded PRNG in [0, 1). */
  random: () => number;
  replyWords?: number;
  /** With a quality model: how well `model` answers `prompt` (quality.ts). */
  judge?: (model: string, prompt: string) => import('./quality.js').Verdict;
}

/** The last user turn and what the generator needs, extracted by each protocol module. */
export interface GenInput {
  /** Text of the last user message (empty when it holds only tool results). */
  prompt: string;
  /** The last message carries tool results: answer with text. */
  lastIsToolResult: boolean;
  tools: Array<{ name: string; schema: unknown }>;
  /** `tool_choice: none` or equivalent. */
  toolChoiceNone: boolean;
  maxTokens?: number;
  /** The request asks for reasoning output. */
  reasoning: boolean;
  /** Characters of all prompt text (system, messages, tool results), for usage. */
  inputChars: number;
  replyWords?: number;
  /** The quality model's verdict on this answer (quality.ts); absent: a good answer. */
  verdict?: import('./quality.js').Verdict;
  /** The request asked for JSON output (OpenAI response_format, Gemini responseMimeType), with its schema when given. */
  json?: { schema?: unknown };
}

/** A protocol family: one per wire format. */
export interface ProtocolModule {
  readonly format: 'openai' | 'anthropic' | 'gemini' | 'bedrock';
  /** Fixture directories whose captures this protocol can replay. */
  readonly fixtureDirs: readonly string[];
  /** Content type for replayed `.sse` / `.chunks.txt` captures. */
  readonly streamContentType: string;
  /** `fixture:` directive candidate: the last user message text (or embedding input). */
  directiveText(call: SimCall): string | undefined;
  /** Whether this call asks for a streamed answer. */
  wantsStream(call: SimCall): boolean;
  /** Frames `.chunks.txt` payload lines (one JSON per line) as this protocol's stream chunks. */
  frameChunkLines(lines: string[]): Chunk[];
  /** A generated answer in this protocol's exact shape. */
  generate(call: SimCall): SimResponse;
  /** An error body in this protocol's shape, when no capture fits. */
  synthError(family: string, status: number, reason: ErrorReason, message?: string): SimResponse;
  /** Extra headers that go with a replayed captured error (Bedrock's x-amzn-errortype). */
  errorHeaders?(status: number): Record<string, string>;
}
