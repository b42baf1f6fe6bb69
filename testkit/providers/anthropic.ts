// Anthropic Messages: POST /anthropic/v1/messages (stream or not) and /v1/messages/count_tokens.
// Shapes follow anthropic/messages-*.json and *.stream.chunks.txt: message_start, ping after the
// first block start, content_block_*, message_delta with usage, message_stop, each with an
// `event:` line (the SDK drops events without one). Generated JSON is padding-free.

import { judged, plan, tokens, type GenPlan } from '../generate.js';
import { makeId } from '../prng.js';
import type { Chunk, ErrorReason, GenInput, ProtocolModule, SimCall, SimResponse } from '../types.js';
import { isObj, lastUserTextOf, messagesOf, type Obj } from './request-body.js';

const s = JSON.stringify;

function blocksText(content: unknown, includeToolResults = false): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  let out = '';
  for (const b of content) {
    if (!isObj(b)) continue;
    if (b.type === 'text' && typeof b.text === 'string') out += (out ? '\n' : '') + b.text;
    else if (includeToolResults && b.type === 'tool_result') out += blocksText(b.content);
  }
  return out;
}

const lastUserText = (body: unknown): string | undefined => lastUserTextOf(body, blocksText);

function inputChars(body: Obj): number {
  let n = blocksText(body.system).length;
  for (const m of messagesOf(body)) n += blocksText(m.content, true).length;
  return n;
}

function genInput(body: Obj, replyWords: number | undefined): GenInput {
  const msgs = messagesOf(body);
  const last = msgs[msgs.length - 1];
  const lastIsToolResult =
    last !== undefined && Array.isArray(last.content) && last.content.some((b) => isObj(b) && b.type === 'tool_result');
  let tools: GenInput['tools'] = [];
  if (Array.isArray(body.tools)) {
    for (const t of body.tools) if (isObj(t) && typeof t.name === 'string') tools.push({ name: t.name, schema: t.input_schema });
  }
  const choice = isObj(body.tool_choice) ? body.tool_choice : {};
  if (choice.type === 'tool' && typeof choice.name === 'string') {
    tools = [...tools.filter((t) => t.name === choice.name), ...tools.filter((t) => t.name !== choice.name)];
  }
  const thinking = isObj(body.thinking) ? body.thinking : {};
  const input: GenInput = {
    prompt: lastUserText(body) ?? '',
    lastIsToolResult,
    tools,
    toolChoiceNone: choice.type === 'none',
    reasoning: thinking.type === 'enabled' || thinking.type === 'adaptive',
    inputChars: inputChars(body),
  };
  if (typeof body.max_tokens === 'number') input.maxTokens = body.max_tokens;
  if (replyWords !== undefined) input.replyWords = replyWords;
  return input;
}

const STOP: Record<GenPlan['finish'], string> = { stop: 'end_turn', length: 'max_tokens', tool: 'tool_use' };

function startUsage(p: GenPlan, output: number): Obj {
  return {
    input_tokens: p.inputTokens,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
    cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
    output_tokens: output,
    service_tier: 'standard',
    inference_geo: 'not_available',
  };
}

function signature(seed: number, seq: number): string {
  return Buffer.from(`sim-signature-${makeId(seed, seq, 'sig', 48)}`).toString('base64');
}

interface Ids {
  id: string;
  toolId: string;
  requestId: string;
  sig: string;
}

function content(p: GenPlan, ids: Ids): Obj[] {
  const out: Obj[] = [];
  if (p.reasoning !== '') out.push({ type: 'thinking', thinking: p.reasoning, signature: ids.sig });
  if (p.tool) out.push({ type: 'tool_use', id: ids.toolId, name: p.tool.name, input: JSON.parse(p.tool.args) as unknown });
  else out.push({ type: 'text', text: p.text });
  return out;
}

function streamEvents(p: GenPlan, model: string, ids: Ids): Chunk[] {
  const out: Chunk[] = [];
  const ev = (o: Obj) => out.push(`event: ${String(o.type)}\ndata: ${s(o)}\n\n`);
  const message = { model, id: ids.id, type: 'message', role: 'assistant', content: [], stop_reason: null, stop_sequence: null };
  ev({ type: 'message_start', message: { ...message, usage: startUsage(p, 1) } });
  let index = 0;
  const block = (start: Obj, deltas: Obj[]) => {
    ev({ type: 'content_block_start', index, content_block: start });
    if (index === 0) ev({ type: 'ping' });
    for (const d of deltas) ev({ type: 'content_block_delta', index, delta: d });
    ev({ type: 'content_block_stop', index });
    index++;
  };
  if (p.reasoning !== '') {
    const deltas: Obj[] = p.reasoningChunks.map((t) => ({ type: 'thinking_delta', thinking: t }));
    deltas.push({ type: 'signature_delta', signature: ids.sig });
    block({ type: 'thinking', thinking: '', signature: '' }, deltas);
  }
  if (p.tool) {
    const deltas = ['', ...p.tool.argChunks].map((j) => ({ type: 'input_json_delta', partial_json: j }));
    block({ type: 'tool_use', id: ids.toolId, name: p.tool.name, input: {} }, deltas);
  } else {
    block({ type: 'text', text: '' }, p.textChunks.map((t) => ({ type: 'text_delta', text: t })));
  }
  ev({
    type: 'message_delta',
    delta: { stop_reason: STOP[p.finish], stop_sequence: null },
    usage: { input_tokens: p.inputTokens, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: p.outputTokens },
  });
  ev({ type: 'message_stop' });
  return out;
}

function requestId(call: SimCall): string {
  return `req_011C${makeId(call.seed, call.seq, 'req', 20)}`;
}

function generate(call: SimCall): SimResponse {
  const body = isObj(call.body) ? call.body : {};
  const reqId = requestId(call);
  const bad = (message: string) => anthropicProtocol.synthError('anthropic', 400, 'bad-request', message);
  if (!Array.isArray(body.messages)) return bad('messages: Field required');
  if (call.op === 'count_tokens') {
    const headers = { 'content-type': 'application/json', 'request-id': reqId };
    return { kind: 'body', status: 200, headers, body: s({ input_tokens: tokens(inputChars(body)) }) };
  }
  if (typeof body.max_tokens !== 'number') return bad('max_tokens: Field required');
  const p = plan(judged(genInput(body, call.replyWords), call, body.model));
  const ids: Ids = {
    id: `msg_01${makeId(call.seed, call.seq, 'msg', 22)}`,
    toolId: `toolu_01${makeId(call.seed, call.seq, 'tool', 22)}`,
    requestId: reqId,
    sig: signature(call.seed, call.seq),
  };
  const model = typeof body.model === 'string' ? body.model : 'model-a';
  if (body.stream === true) {
    const headers = { 'content-type': anthropicProtocol.streamContentType, 'cache-control': 'no-cache', 'request-id': reqId };
    return { kind: 'stream', status: 200, headers, chunks: streamEvents(p, model, ids) };
  }
  const out = {
    model,
    id: ids.id,
    type: 'message',
    role: 'assistant',
    content: content(p, ids),
    stop_reason: STOP[p.finish],
    stop_sequence: null,
    usage: startUsage(p, p.outputTokens),
  };
  return { kind: 'body', status: 200, headers: { 'content-type': 'application/json', 'request-id': reqId }, body: s(out) };
}

const ERROR_TYPES: Record<number, [string, string]> = {
  400: ['invalid_request_error', 'Invalid request.'],
  401: ['authentication_error', 'invalid x-api-key'],
  403: ['permission_error', 'Your API key does not have permission to use the specified resource.'],
  404: ['not_found_error', 'Not found.'],
  413: ['request_too_large', 'Request exceeds the maximum allowed number of bytes.'],
  429: ['rate_limit_error', "This request would exceed your account's rate limit. Please try again later."],
  500: ['api_error', 'Internal server error'],
  503: ['overloaded_error', 'Overloaded'],
  529: ['overloaded_error', 'Overloaded'],
};

export const anthropicProtocol: ProtocolModule = {
  format: 'anthropic',
  fixtureDirs: ['anthropic'],
  streamContentType: 'text/event-stream; charset=utf-8',

  directiveText: (call) => lastUserText(call.body),

  wantsStream: (call) => call.op === 'messages' && isObj(call.body) && call.body.stream === true,

  frameChunkLines(lines) {
    return lines.map((l) => {
      const parsed: unknown = JSON.parse(l);
      const type = isObj(parsed) && typeof parsed.type === 'string' ? parsed.type : 'message';
      return `event: ${type}\ndata: ${l}\n\n`;
    });
  },

  generate,

  synthError(_family: string, status: number, reason: ErrorReason, message?: string): SimResponse {
    let [type, text] = ERROR_TYPES[status] ?? [status >= 500 ? 'api_error' : 'invalid_request_error', `HTTP ${status}`];
    // Anthropic has no quota error type: a spent credit balance is reported as a rate limit here
    // so that gateways see a credential-scoped 429 (see testkit/README.md).
    if (reason === 'quota') [type, text] = ['rate_limit_error', 'Your credit balance is too low to access the Anthropic API.'];
    const requestId = `req_011C${makeId(status, Date.now() % 1e6, 'err', 20)}`;
    const body = s({ type: 'error', error: { type, message: message ?? text }, request_id: requestId });
    return { kind: 'body', status, headers: { 'content-type': 'application/json', 'request-id': requestId }, body };
  },
};
