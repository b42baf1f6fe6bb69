// A cheap token estimate for routing decisions (context-window checks, cost ranking, request
// classes). Not a tokenizer: about four characters per token for English text and JSON, which
// errs a little high for prose and low for CJK. Callers that need exact counts use the
// provider's usage; this only has to be right to within ~20% and cost microseconds.

import type { CanonicalRequest, ContentPart, EmbeddingRequest } from '../spec/canonical.js';

const CHARS_PER_TOKEN = 4;
/**
 * An image's cost is unknowable without its dimensions; 85 is OpenAI's low-detail flat rate and
 * the floor for every provider. A high-detail image can cost ten times that.
 */
const IMAGE_TOKENS = 85;
/** Role markers and separators every chat template adds around a message. */
const MESSAGE_OVERHEAD_TOKENS = 4;
/** Guards the JSON walk against pathological nesting. */
const MAX_JSON_DEPTH = 32;

export interface RequestNeeds {
  /** Tools are defined, or the history holds tool calls/results (the deployment must speak tools). */
  tools: boolean;
  /** An image appears anywhere in the prompt. */
  vision: boolean;
  /** `response_format: json_schema` (json_object is universal and not a constraint). */
  jsonSchema: boolean;
  /** Embedding request: only deployments with `capabilities.embeddings` qualify. */
  embeddings: boolean;
  stream: boolean;
  estimatedInputTokens: number;
  /** The client's `max_tokens`, when it gave one. */
  maxOutputTokens: number | undefined;
}

/** Estimated prompt tokens: all text, tool arguments and results, tool definitions, images. */
export function estimateInputTokens(req: CanonicalRequest): number {
  return scan(req).tokens;
}

export function requestNeeds(req: CanonicalRequest): RequestNeeds {
  const s = scan(req);
  return {
    tools: s.toolParts || (req.tools !== undefined && req.tools.length > 0),
    vision: s.images > 0,
    jsonSchema: req.responseFormat?.type === 'json_schema',
    embeddings: false,
    stream: req.stream,
    estimatedInputTokens: s.tokens,
    maxOutputTokens: req.maxTokens,
  };
}

/**
 * Needs of an embedding request. Embedding models limit each input, not the batch, so the
 * estimate is the largest single input.
 */
export function embeddingNeeds(req: EmbeddingRequest): RequestNeeds {
  let largest = 0;
  for (const input of req.input) {
    const tokens = typeof input === 'string' ? Math.ceil(input.length / CHARS_PER_TOKEN) : input.length;
    if (tokens > largest) largest = tokens;
  }
  return {
    tools: false,
    vision: false,
    jsonSchema: false,
    embeddings: true,
    stream: false,
    estimatedInputTokens: largest,
    maxOutputTokens: undefined,
  };
}

interface Scan {
  tokens: number;
  images: number;
  toolParts: boolean;
}

function scan(req: CanonicalRequest): Scan {
  let chars = 0;
  let images = 0;
  let toolParts = false;
  const countPart = (p: ContentPart): void => {
    switch (p.type) {
      case 'text':
        chars += p.text.length;
        break;
      case 'image':
        images++;
        break;
      case 'reasoning':
        chars += p.text.length + (p.redacted?.length ?? 0);
        break;
      case 'tool-call':
        toolParts = true;
        chars += p.name.length + p.arguments.length;
        break;
      case 'tool-result':
        toolParts = true;
        for (const c of p.content) countPart(c);
        break;
    }
  };
  for (const m of req.messages) {
    chars += MESSAGE_OVERHEAD_TOKENS * CHARS_PER_TOKEN;
    for (const p of m.content) countPart(p);
  }
  if (req.tools !== undefined) {
    for (const t of req.tools) chars += t.name.length + (t.description?.length ?? 0) + jsonChars(t.parameters, 0);
  }
  if (req.responseFormat?.type === 'json_schema') chars += jsonChars(req.responseFormat.schema, 0);
  return { tokens: Math.ceil(chars / CHARS_PER_TOKEN) + images * IMAGE_TOKENS, images, toolParts };
}

/** Approximate length of `value` serialised as JSON, without building the string. */
function jsonChars(value: unknown, depth: number): number {
  if (typeof value === 'string') return value.length + 2;
  if (typeof value === 'number' || typeof value === 'boolean') return 5;
  if (value === null || value === undefined || depth > MAX_JSON_DEPTH) return 4;
  if (Array.isArray(value)) {
    let n = 2;
    for (const v of value) n += jsonChars(v, depth + 1) + 1;
    return n;
  }
  if (typeof value === 'object') {
    let n = 2;
    for (const k in value) n += k.length + 4 + jsonChars((value as Record<string, unknown>)[k], depth + 1);
    return n;
  }
  return 0;
}
