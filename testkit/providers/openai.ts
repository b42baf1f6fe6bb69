// OpenAI-compatible endpoints: POST /{family}/v1/chat/completions and /{family}/v1/embeddings.
// The family (openai, deepseek, qwen, mistral, ollama, groq, vllm, generic, any name) picks the
// capture directory and the stream quirks (openai-families.ts).

import { embed, toBase64 } from '../embeddings.js';
import { judged, plan, tokens } from '../generate.js';
import { ALNUM, HEX, LOWER_ALNUM, makeId, makeUuid } from '../prng.js';
import type { Chunk, ErrorReason, GenInput, ProtocolModule, SimCall, SimResponse } from '../types.js';
import { familyRenderer } from './openai-families.js';
import type { ChatCtx } from './openai-render.js';
import { isObj, lastUserTextOf, messagesOf, type Obj } from './request-body.js';


/** Text of an OpenAI message `content` (a string or an array of parts). */
function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  let out = '';
  for (const p of content) if (isObj(p) && typeof p.text === 'string') out += (out ? '\n' : '') + p.text;
  return out;
}

const lastUserText = (body: unknown): string | undefined => lastUserTextOf(body, contentText);

function genInput(body: Obj, family: string, replyWords: number | undefined): GenInput {
  const msgs = messagesOf(body);
  let inputChars = 0;
  for (const m of msgs) inputChars += contentText(m.content).length;
  const last = msgs[msgs.length - 1];
  let tools: GenInput['tools'] = [];
  if (Array.isArray(body.tools)) {
    for (const t of body.tools) {
      const fn = isObj(t) && isObj(t.function) ? t.function : undefined;
      if (fn && typeof fn.name === 'string') tools.push({ name: fn.name, schema: fn.parameters });
    }
  }
  const choice = body.tool_choice;
  if (isObj(choice) && isObj(choice.function) && typeof choice.function.name === 'string') {
    const forced = choice.function.name;
    tools = [...tools.filter((t) => t.name === forced), ...tools.filter((t) => t.name !== forced)];
  }
  const maxTokens = typeof body.max_completion_tokens === 'number' ? body.max_completion_tokens : body.max_tokens;
  const model = typeof body.model === 'string' ? body.model : '';
  const asksReasoning =
    body.reasoning_effort !== undefined || body.enable_thinking === true || body.think === true || /reason|think|r1/i.test(model);
  const input: GenInput = {
    prompt: lastUserText(body) ?? '',
    lastIsToolResult: last !== undefined && (last.role === 'tool' || last.role === 'function'),
    tools,
    toolChoiceNone: choice === 'none',
    reasoning: asksReasoning && familyRenderer(family).reasoningField !== undefined,
    inputChars,
  };
  if (typeof maxTokens === 'number') input.maxTokens = maxTokens;
  if (replyWords !== undefined) input.replyWords = replyWords;
  const rf = body.response_format;
  if (isObj(rf) && rf.type === 'json_object') input.json = {};
  if (isObj(rf) && rf.type === 'json_schema') input.json = isObj(rf.json_schema) && rf.json_schema.schema !== undefined ? { schema: rf.json_schema.schema } : {};
  return input;
}

function responseId(family: string, seed: number, seq: number): string {
  switch (family) {
    case 'deepseek':
      return makeUuid(seed, seq, 'id');
    case 'qwen':
      return `chatcmpl-${makeUuid(seed, seq, 'id')}`;
    case 'mistral':
      return makeId(seed, seq, 'id', 32, HEX);
    case 'ollama':
      return `chatcmpl-${seq % 1000}`;
    default:
      return `chatcmpl-${makeId(seed, seq, 'id', 29, ALNUM)}`;
  }
}

function toolCallId(family: string, seed: number, seq: number): string {
  switch (family) {
    case 'deepseek':
      return `call_00_${makeId(seed, seq, 'tool', 24)}`;
    case 'qwen':
      return `call_${makeId(seed, seq, 'tool', 24, HEX)}`;
    case 'mistral':
      return makeId(seed, seq, 'tool', 9);
    case 'ollama':
      return `call_${makeId(seed, seq, 'tool', 8, LOWER_ALNUM)}`;
    default:
      return `call_${makeId(seed, seq, 'tool', 24)}`;
  }
}

const SSE_TYPE = 'text/event-stream; charset=utf-8';
const DONE = 'data: [DONE]\n\n';

function chat(call: SimCall): SimResponse {
  const body = isObj(call.body) ? call.body : {};
  if (!Array.isArray(body.messages)) {
    return openaiProtocol.synthError(call.family, 400, 'bad-request', "Missing required parameter: 'messages'.");
  }
  const renderer = familyRenderer(call.family);
  const id = responseId(call.family, call.seed, call.seq);
  const p = plan(judged(genInput(body, call.family, call.replyWords), call, body.model));
  const streamOptions = isObj(body.stream_options) ? body.stream_options : {};
  const ctx: ChatCtx = {
    family: call.family,
    plan: p,
    id,
    created: Math.floor(Date.now() / 1000),
    model: typeof body.model === 'string' ? body.model : 'model-a',
    includeUsage: streamOptions.include_usage === true,
    toolId: p.tool ? toolCallId(call.family, call.seed, call.seq) : '',
    seq: call.seq,
  };
  if (body.stream === true) {
    const chunks: Chunk[] = renderer.stream(ctx).map((p) => `data: ${p}\n\n`);
    chunks.push(DONE);
    return { kind: 'stream', status: 200, headers: { 'content-type': SSE_TYPE, 'x-request-id': `req_${id}` }, chunks };
  }
  return {
    kind: 'body',
    status: 200,
    headers: { 'content-type': 'application/json', 'x-request-id': `req_${id}` },
    body: renderer.complete(ctx),
  };
}

function embeddingInputs(input: unknown): string[] {
  if (typeof input === 'string') return [input];
  if (!Array.isArray(input)) return [];
  // An array of numbers is one tokenised input; an array of arrays is several.
  if (input.every((x) => typeof x === 'number')) return [JSON.stringify(input)];
  return input.map((x) => (typeof x === 'string' ? x : JSON.stringify(x)));
}

function embeddings(call: SimCall): SimResponse {
  const body = isObj(call.body) ? call.body : {};
  const inputs = embeddingInputs(body.input);
  if (inputs.length === 0) return openaiProtocol.synthError(call.family, 400, 'bad-request', "simulator: 'input' is required");
  const dims = typeof body.dimensions === 'number' && body.dimensions > 0 ? Math.floor(body.dimensions) : 8;
  const base64 = body.encoding_format === 'base64';
  let promptTokens = 0;
  const data = inputs.map((text, index) => {
    promptTokens += tokens(text.length);
    const v = embed(text, dims);
    return { object: 'embedding', index, embedding: base64 ? toBase64(v) : v };
  });
  const out = {
    object: 'list',
    data,
    model: typeof body.model === 'string' ? body.model : 'embed-a',
    usage: { prompt_tokens: promptTokens, total_tokens: promptTokens },
  };
  return { kind: 'body', status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(out) };
}

const OPENAI_ERRORS: Record<number, [type: string, code: string | null, message: string]> = {
  400: ['invalid_request_error', null, 'Invalid request.'],
  401: [
    'invalid_request_error',
    'invalid_api_key',
    'Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys.',
  ],
  403: ['invalid_request_error', null, 'You are not allowed to access this resource.'],
  404: ['invalid_request_error', 'model_not_found', 'The model does not exist or you do not have access to it.'],
  429: ['requests', 'rate_limit_exceeded', 'Rate limit reached for requests. Please try again in 1s.'],
  500: ['server_error', null, 'The server had an error while processing your request. Sorry about that!'],
  502: ['server_error', null, 'Bad gateway.'],
  503: ['server_error', null, 'The server is overloaded or not ready yet.'],
};

const QUOTA_MESSAGE =
  'You exceeded your current quota, please check your plan and billing details. For more information on this error, read the docs: https://platform.openai.com/docs/guides/error-codes/api-errors.';

export const openaiProtocol: ProtocolModule = {
  format: 'openai',
  fixtureDirs: ['openai', 'deepseek', 'qwen', 'mistral', 'ollama'],
  streamContentType: SSE_TYPE,

  directiveText(call) {
    if (call.op === 'embeddings') {
      const input = isObj(call.body) ? call.body.input : undefined;
      if (typeof input === 'string') return input;
      return Array.isArray(input) && typeof input[0] === 'string' ? input[0] : undefined;
    }
    return lastUserText(call.body);
  },

  wantsStream(call) {
    return call.op === 'chat' && isObj(call.body) && call.body.stream === true;
  },

  frameChunkLines(lines) {
    const out: Chunk[] = lines.map((l) => `data: ${l}\n\n`);
    out.push(DONE);
    return out;
  },

  generate(call) {
    return call.op === 'embeddings' ? embeddings(call) : chat(call);
  },

  synthError(family: string, status: number, reason: ErrorReason, message?: string): SimResponse {
    let [type, code, text] = OPENAI_ERRORS[status] ?? [status >= 500 ? 'server_error' : 'invalid_request_error', null, `HTTP ${status}`];
    if (reason === 'quota') [type, code, text] = ['insufficient_quota', 'insufficient_quota', QUOTA_MESSAGE];
    if (reason === 'not-found') code = null;
    const msg = message ?? text;
    let body: unknown;
    if (family === 'mistral') body = { object: 'error', message: msg, type, param: null, code };
    else if (family === 'ollama') body = { error: { message: msg, type: status >= 500 ? 'api_error' : type, param: null, code } };
    else body = { error: { message: msg, type, param: null, code } };
    return {
      kind: 'body',
      status,
      headers: { 'content-type': 'application/json' },
      body: family === 'openai' ? JSON.stringify(body, null, 2) + '\n' : JSON.stringify(body),
    };
  },
};
