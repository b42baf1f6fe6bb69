// Ingress: a client's Responses API body -> CanonicalRequest, in two steps so that the gateway can
// do its I/O in between: parseResponsesRequest validates (pure, throws 400s naming the field);
// the caller then loads the `previous_response_id` conversation and any `item_reference`d items
// from its store; toCanonicalRequest translates. decodeRequest chains both for a gateway with no
// store, where a previous response or item reference can never be found.
import type { CanonicalRequest, ReasoningConfig, ResponseFormat, ToolChoice, ToolDefinition } from '../../spec/canonical.js';
import { GatewayError } from '../../spec/errors.js';
import { isObject } from '../shared/json.js';
import { checkResponsesBounds } from '../shared/ingress-bounds.js';
import { DEFAULT_INGRESS_LIMITS, type IngressLimits } from '../../spec/limits.js';
import { zodToGatewayError } from '../shared/zod-error.js';
import { convertItems } from './convert-input.js';
import { FORMAT } from './ids.js';
import {
  functionCallItem,
  functionCallOutputItem,
  functionTool,
  itemReference,
  KNOWN_REQUEST_FIELDS,
  messageItem,
  reasoningItem,
  responsesRequestSchema,
  type FunctionTool,
  type InputItem,
  type ResponsesRequestBody,
} from './schema.js';

export type ParsedItem = InputItem | { type: 'item_reference'; id: string };

export interface ParsedResponsesRequest {
  body: ResponsesRequestBody;
  /** The request's own input, normalised: a string input becomes one user message item. */
  items: ParsedItem[];
  tools: FunctionTool[];
  /** Top-level fields the canonical form does not model, kept for providerOptions. */
  extras: Record<string, unknown>;
}

const EFFORTS: ReadonlySet<string> = new Set(['minimal', 'low', 'medium', 'high']);

// Item and tool types the Responses API has that this gateway cannot carry to other providers.
const BUILT_IN_HINT = 'only function tools work through the gateway';

export function parseResponsesRequest(body: unknown, limits: IngressLimits = DEFAULT_INGRESS_LIMITS): ParsedResponsesRequest {
  if (!isObject(body)) throw new GatewayError('invalid_request', 'request body must be a JSON object');
  checkResponsesBounds(body, limits);
  const parsed = responsesRequestSchema.safeParse(body);
  if (!parsed.success) throw zodToGatewayError(parsed.error, body);
  const b = parsed.data;
  const items: ParsedItem[] =
    typeof b.input === 'string'
      ? [{ type: 'message', role: 'user', content: b.input }]
      : parseInputItems(b.input ?? [], body, ['input']);
  if (items.length === 0 && b.previous_response_id == null) {
    throw new GatewayError('invalid_request', 'input: required field missing (expected a string or a non-empty array of items)', { param: 'input' });
  }
  const tools = (b.tools ?? []).map((t, i) => parseTool(t, body, i));
  const extras: Record<string, unknown> = {};
  for (const key in body) if (!KNOWN_REQUEST_FIELDS.has(key) && body[key] !== undefined) extras[key] = body[key];
  if (b.text?.verbosity != null) extras.verbosity = b.text.verbosity;
  return { body: b, items, tools, extras };
}

/** Validates raw items one by one, so an error names `input[i]...`. Also used for stored items. */
export function parseInputItems(raw: readonly unknown[], root: unknown, base: readonly PropertyKey[]): ParsedItem[] {
  const out: ParsedItem[] = new Array(raw.length);
  for (let i = 0; i < raw.length; i++) {
    const item = raw[i];
    const path = [...base, i];
    const where = pathText(path);
    if (!isObject(item)) throw new GatewayError('invalid_request', `${where}: expected an object`, { param: where });
    const type = item.type ?? (item.role !== undefined ? 'message' : undefined);
    const schema =
      type === 'message' ? messageItem
      : type === 'function_call' ? functionCallItem
      : type === 'function_call_output' ? functionCallOutputItem
      : type === 'reasoning' ? reasoningItem
      : type === 'item_reference' ? itemReference
      : undefined;
    if (schema === undefined) {
      if (typeof type === 'string') {
        throw new GatewayError('unsupported_capability', `${where}.type: '${type}' items are not supported (${BUILT_IN_HINT}); send message, function_call, function_call_output, reasoning or item_reference items`, { param: `${where}.type` });
      }
      throw new GatewayError('invalid_request', `${where}.type: required field missing (expected message, function_call, function_call_output, reasoning or item_reference)`, { param: `${where}.type` });
    }
    const r = schema.safeParse(item);
    if (!r.success) throw zodToGatewayError(r.error, root, path);
    out[i] = r.data as ParsedItem;
  }
  return out;
}

function parseTool(t: unknown, root: unknown, i: number): FunctionTool {
  if (isObject(t) && typeof t.type === 'string' && t.type !== 'function') {
    throw new GatewayError('unsupported_capability', `tools[${i}].type: built-in tool '${t.type}' is not supported (${BUILT_IN_HINT})`, { param: `tools[${i}].type` });
  }
  const r = functionTool.safeParse(t);
  if (!r.success) throw zodToGatewayError(r.error, root, ['tools', i]);
  return r.data;
}

function pathText(path: readonly PropertyKey[]): string {
  let out = '';
  for (const k of path) out += typeof k === 'number' ? `[${k}]` : out === '' ? String(k) : `.${String(k)}`;
  return out;
}

/** Ids of `item_reference` items, for the caller to look up. */
export function referencedItemIds(p: ParsedResponsesRequest): string[] {
  const ids: string[] = [];
  for (const item of p.items) if (item.type === 'item_reference') ids.push(item.id);
  return ids;
}

/** Replaces item references with the items they name; an unknown id is a 404 as in the real API. */
export function resolveItems(items: readonly ParsedItem[], references: ReadonlyMap<string, InputItem>): InputItem[] {
  return items.map((item, i) => {
    if (item.type !== 'item_reference') return item;
    const found = references.get(item.id);
    if (found === undefined) throw new GatewayError('not_found', `Item with id '${item.id}' not found.`, { param: `input[${i}].id` });
    return found;
  });
}

export function previousResponseNotFound(id: string): GatewayError {
  return new GatewayError('not_found', `Previous response with id '${id}' not found.`, { param: 'previous_response_id' });
}

/**
 * `history` is the stored conversation of `previous_response_id` (its input then its output);
 * `input` is this request's own items, references resolved. `instructions` are never inherited
 * from a previous response (the API's rule): they apply to this request only.
 */
export function toCanonicalRequest(p: ParsedResponsesRequest, input: readonly InputItem[], history: readonly InputItem[] = []): CanonicalRequest {
  const b = p.body;
  const items = history.length === 0 ? input : [...history, ...input];
  const messages = convertItems(items, (i) => (i < history.length ? `previous_response_id item ${i}` : `input[${i - history.length}]`));
  if (b.instructions != null && b.instructions !== '') messages.unshift({ role: 'system', content: [{ type: 'text', text: b.instructions }] });
  const req: CanonicalRequest = { model: b.model, messages, stream: b.stream === true };
  if (p.tools.length > 0) req.tools = p.tools.map(convertTool);
  if (b.tool_choice != null) req.toolChoice = convertToolChoice(b.tool_choice);
  if (b.parallel_tool_calls != null) req.parallelToolCalls = b.parallel_tool_calls;
  const format = b.text?.format;
  if (format != null) req.responseFormat = convertFormat(format);
  if (b.max_output_tokens != null) req.maxTokens = b.max_output_tokens;
  if (b.temperature != null) req.temperature = b.temperature;
  if (b.top_p != null) req.topP = b.top_p;
  if (b.top_logprobs != null) {
    req.logprobs = true;
    req.topLogprobs = b.top_logprobs;
  }
  if (b.user != null) req.user = b.user;
  if (b.metadata != null) req.metadata = b.metadata;
  if (b.stream === true) req.includeUsage = true;

  const extras = { ...p.extras };
  if (b.reasoning != null) {
    const reasoning: ReasoningConfig = {};
    const effort = b.reasoning.effort;
    if (effort != null) {
      if (EFFORTS.has(effort)) reasoning.effort = effort as NonNullable<ReasoningConfig['effort']>;
      else extras.reasoning_effort = effort;
    }
    // Asking for a summary is asking to see the reasoning.
    if (b.reasoning.summary != null) reasoning.include = true;
    if (Object.keys(reasoning).length > 0) req.reasoning = reasoning;
  }
  if (Object.keys(extras).length > 0) req.providerOptions = { [FORMAT]: extras };
  return req;
}

function convertTool(t: FunctionTool): ToolDefinition {
  const tool: ToolDefinition = { name: t.name, parameters: t.parameters ?? { type: 'object', properties: {} } };
  if (t.description != null) tool.description = t.description;
  if (t.strict != null) tool.strict = t.strict;
  return tool;
}

function convertToolChoice(c: NonNullable<ResponsesRequestBody['tool_choice']>): ToolChoice {
  if (typeof c === 'string') return c;
  if (c.type === 'function') {
    if ('name' in c && typeof c.name === 'string') return { type: 'tool', name: c.name };
    throw new GatewayError('invalid_request', 'tool_choice.name: required field missing (expected string)', { param: 'tool_choice.name' });
  }
  throw new GatewayError('unsupported_capability', `tool_choice.type: '${c.type}' is not supported; use auto, none, required or {type: 'function', name}`, { param: 'tool_choice.type' });
}

function convertFormat(f: NonNullable<NonNullable<ResponsesRequestBody['text']>['format']>): ResponseFormat {
  if (f.type !== 'json_schema') return { type: f.type };
  const out: ResponseFormat = { type: 'json_schema', name: f.name, schema: f.schema };
  if (f.strict != null) out.strict = f.strict;
  if (f.description != null) out.description = f.description;
  return out;
}

/** The IngressFormat entry point for a gateway without a responses store. */
export function decodeRequest(body: unknown, limits: IngressLimits = DEFAULT_INGRESS_LIMITS): CanonicalRequest {
  const p = parseResponsesRequest(body, limits);
  if (p.body.previous_response_id != null) throw previousResponseNotFound(p.body.previous_response_id);
  return toCanonicalRequest(p, resolveItems(p.items, new Map()));
}
