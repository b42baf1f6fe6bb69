// Bedrock Converse: POST /bedrock/model/{modelId}/converse (JSON) and /converse-stream (binary
// application/vnd.amazon.eventstream, encoded with @smithy/eventstream-codec). As in
// bedrock/converse-stream-text.eventstream: payload keys sorted, a random "p" padding field in
// every payload, no contentBlockStart for text, `metadata` (usage) after `messageStop`.
// Errors: `{"message": ...}` with the type in the `x-amzn-errortype` header.

import { EventStreamCodec } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import { judged, plan, type GenPlan } from '../generate.js';
import { makeId, makeUuid } from '../prng.js';
import type { Chunk, ErrorReason, GenInput, ProtocolModule, SimCall, SimResponse } from '../types.js';
import { isObj, lastUserTextOf, messagesOf, type Obj } from './request-body.js';


const codec = new EventStreamCodec(toUtf8, fromUtf8);

/** One eventstream message, headers in the order the service sends them. */
export function encodeEvent(eventType: string, payload: unknown): Uint8Array {
  return codec.encode({
    headers: {
      ':event-type': { type: 'string', value: eventType },
      ':content-type': { type: 'string', value: 'application/json' },
      ':message-type': { type: 'string', value: 'event' },
    },
    body: fromUtf8(JSON.stringify(payload)),
  });
}

export function decodeEvents(bytes: Uint8Array): Array<{ type: string; payload: unknown }> {
  const out: Array<{ type: string; payload: unknown }> = [];
  let off = 0;
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  while (off + 4 <= view.length) {
    const len = view.readUInt32BE(off);
    const msg = codec.decode(view.subarray(off, off + len));
    const type = msg.headers[':event-type']?.value ?? msg.headers[':exception-type']?.value;
    out.push({ type: String(type), payload: JSON.parse(toUtf8(msg.body)) as unknown });
    off += len;
  }
  return out;
}

const PAD = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

function textOf(content: unknown, withResults = false): string {
  if (!Array.isArray(content)) return '';
  let out = '';
  for (const b of content) {
    if (!isObj(b)) continue;
    if (typeof b.text === 'string') out += (out ? '\n' : '') + b.text;
    else if (withResults && isObj(b.toolResult)) out += textOf(b.toolResult.content) || JSON.stringify(b.toolResult.content ?? '');
  }
  return out;
}

const lastUserText = (body: unknown): string | undefined => lastUserTextOf(body, textOf);

function genInput(body: Obj, replyWords: number | undefined): GenInput {
  const msgs = messagesOf(body);
  const last = msgs[msgs.length - 1];
  let inputChars = textOf(body.system).length;
  for (const m of msgs) inputChars += textOf(m.content, true).length;
  const tc = isObj(body.toolConfig) ? body.toolConfig : {};
  let tools: GenInput['tools'] = [];
  for (const t of Array.isArray(tc.tools) ? tc.tools : []) {
    const spec = isObj(t) && isObj(t.toolSpec) ? t.toolSpec : undefined;
    if (spec && typeof spec.name === 'string') tools.push({ name: spec.name, schema: isObj(spec.inputSchema) ? spec.inputSchema.json : undefined });
  }
  const choice = isObj(tc.toolChoice) && isObj(tc.toolChoice.tool) ? tc.toolChoice.tool : undefined;
  if (choice && typeof choice.name === 'string') {
    tools = [...tools.filter((t) => t.name === choice.name), ...tools.filter((t) => t.name !== choice.name)];
  }
  const extra = isObj(body.additionalModelRequestFields) ? body.additionalModelRequestFields : {};
  const thinking = isObj(extra.thinking) ? extra.thinking : isObj(extra.reasoning_config) ? extra.reasoning_config : {};
  const inference = isObj(body.inferenceConfig) ? body.inferenceConfig : {};
  const input: GenInput = {
    prompt: lastUserText(body) ?? '',
    lastIsToolResult:
      last !== undefined && Array.isArray(last.content) && last.content.some((b) => isObj(b) && b.toolResult !== undefined),
    tools,
    toolChoiceNone: false,
    reasoning: thinking.type === 'enabled',
    inputChars,
  };
  if (typeof inference.maxTokens === 'number') input.maxTokens = inference.maxTokens;
  if (replyWords !== undefined) input.replyWords = replyWords;
  return input;
}

const STOP: Record<GenPlan['finish'], string> = { stop: 'end_turn', length: 'max_tokens', tool: 'tool_use' };

function usage(p: GenPlan): Obj {
  return { inputTokens: p.inputTokens, outputTokens: p.outputTokens, serverToolUsage: {}, totalTokens: p.inputTokens + p.outputTokens };
}

function streamEvents(p: GenPlan, call: SimCall, toolUseId: string, sig: string): Chunk[] {
  const pad = () => PAD.slice(0, 1 + Math.floor(call.random() * PAD.length));
  const out: Chunk[] = [];
  out.push(encodeEvent('messageStart', { p: pad(), role: 'assistant' }));
  let index = 0;
  const delta = (d: Obj) => out.push(encodeEvent('contentBlockDelta', { contentBlockIndex: index, delta: d, p: pad() }));
  const stop = () => out.push(encodeEvent('contentBlockStop', { contentBlockIndex: index++, p: pad() }));
  if (p.reasoning !== '') {
    for (const t of p.reasoningChunks) delta({ reasoningContent: { text: t } });
    delta({ reasoningContent: { signature: sig } });
    stop();
  }
  if (p.tool) {
    const start = { toolUse: { name: p.tool.name, toolUseId } };
    out.push(encodeEvent('contentBlockStart', { contentBlockIndex: index, p: pad(), start }));
    for (const a of p.tool.argChunks) delta({ toolUse: { input: a } });
    stop();
  } else {
    for (const t of p.textChunks) delta({ text: t });
    stop();
  }
  out.push(encodeEvent('messageStop', { p: pad(), stopReason: STOP[p.finish] }));
  out.push(encodeEvent('metadata', { metrics: { latencyMs: 100 + (call.seq % 400) }, p: pad(), usage: usage(p) }));
  return out;
}

function generate(call: SimCall): SimResponse {
  const body = isObj(call.body) ? call.body : {};
  if (messagesOf(body).length === 0) return bedrockProtocol.synthError('bedrock', 400, 'bad-request', 'A conversation must start with a user message.');
  const p = plan(judged(genInput(body, call.replyWords), call, call.pathModel));
  const toolUseId = `tooluse_${makeId(call.seed, call.seq, 'tool', 22)}`;
  const sig = Buffer.from(`sim-signature-${makeId(call.seed, call.seq, 'sig', 48)}`).toString('base64');
  const reqId = makeUuid(call.seed, call.seq, 'req');
  if (call.op === 'converse-stream') {
    const headers = { 'content-type': 'application/vnd.amazon.eventstream', 'x-amzn-requestid': reqId };
    return { kind: 'stream', status: 200, headers, chunks: streamEvents(p, call, toolUseId, sig) };
  }
  const content: Obj[] = [];
  if (p.reasoning !== '') content.push({ reasoningContent: { reasoningText: { signature: sig, text: p.reasoning } } });
  if (p.tool) content.push({ toolUse: { input: JSON.parse(p.tool.args) as unknown, name: p.tool.name, toolUseId } });
  else content.push({ text: p.text });
  const out = {
    metrics: { latencyMs: 100 + (call.seq % 400) },
    output: { message: { content, role: 'assistant' } },
    stopReason: STOP[p.finish],
    usage: usage(p),
  };
  return { kind: 'body', status: 200, headers: { 'content-type': 'application/json', 'x-amzn-requestid': reqId }, body: JSON.stringify(out) };
}

const ERRORS: Record<number, [string, string]> = {
  400: ['ValidationException', 'The provided request is not valid.'],
  401: ['UnrecognizedClientException', 'The security token included in the request is invalid.'],
  403: ['AccessDeniedException', "You don't have access to the model with the specified model ID."],
  404: ['ResourceNotFoundException', 'Could not resolve the foundation model from the provided model identifier.'],
  408: ['ModelTimeoutException', 'Model has timed out in processing the request.'],
  424: ['ModelErrorException', 'The model returned an error.'],
  429: ['ThrottlingException', 'Too many requests, please wait before trying again.'],
  500: ['InternalServerException', 'The system encountered an unexpected error during processing. Try your request again.'],
  503: ['ServiceUnavailableException', 'Bedrock is unable to process your request.'],
};

function errorType(status: number): string {
  return (ERRORS[status] ?? [status >= 500 ? 'InternalServerException' : 'ValidationException'])[0];
}

/** Real AWS appends the coral namespace; SDKs keep the part before the colon. */
function errorTypeHeader(type: string): Record<string, string> {
  return { 'x-amzn-errortype': `${type}:http://internal.amazon.com/coral/com.amazon.bedrock/` };
}

export const bedrockProtocol: ProtocolModule = {
  format: 'bedrock',
  fixtureDirs: ['bedrock'],
  streamContentType: 'application/vnd.amazon.eventstream',

  directiveText: (call) => lastUserText(call.body),

  wantsStream: (call) => call.op === 'converse-stream',

  frameChunkLines(lines) {
    const out: Chunk[] = [];
    for (const l of lines) {
      const parsed: unknown = JSON.parse(l);
      if (!isObj(parsed)) continue;
      for (const [type, payload] of Object.entries(parsed)) out.push(encodeEvent(type, payload));
    }
    return out;
  },

  generate,

  synthError(_family: string, status: number, reason: ErrorReason, message?: string): SimResponse {
    let [type, text] = ERRORS[status] ?? [errorType(status), `HTTP ${status}`];
    if (reason === 'invalid-key') [type, text] = ['UnrecognizedClientException', 'The security token included in the request is invalid.'];
    if (reason === 'quota') text = 'Too many tokens per day, please wait before trying again.';
    const headers = { 'content-type': 'application/json', ...errorTypeHeader(type) };
    return { kind: 'body', status, headers, body: JSON.stringify({ message: message ?? text }) };
  },

  errorHeaders: (status) => errorTypeHeader(errorType(status)),
};
