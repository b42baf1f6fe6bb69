// Gemini API and Vertex AI: generateContent, streamGenerateContent (`alt=sse`: events end in
// CRLF CRLF, JSON with `": "` separators, usageMetadata in every chunk, as
// gemini/streamGenerateContent-text-crlf.sse; without `alt=sse`: a JSON array), countTokens,
// embedContent and batchEmbedContents.

import { embed } from '../embeddings.js';
import { judged, plan, tokens, type GenPlan } from '../generate.js';
import { makeId } from '../prng.js';
import type { Chunk, ErrorReason, GenInput, ProtocolModule, SimCall, SimResponse } from '../types.js';
import { isObj, type Obj } from './request-body.js';


/** The service's own compact style: `"key": value` pairs joined by a bare comma. */
export function googleJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(googleJson).join(',')}]`;
  if (isObj(v)) {
    const parts: string[] = [];
    for (const [k, x] of Object.entries(v)) if (x !== undefined) parts.push(`${JSON.stringify(k)}: ${googleJson(x)}`);
    return `{${parts.join(',')}}`;
  }
  return JSON.stringify(v);
}

const pretty = (v: unknown) => JSON.stringify(v, null, 2);

function partsText(parts: unknown, withResponses = false): string {
  if (!Array.isArray(parts)) return '';
  let out = '';
  for (const p of parts) {
    if (!isObj(p)) continue;
    if (typeof p.text === 'string') out += (out ? '\n' : '') + p.text;
    else if (withResponses && isObj(p.functionResponse)) out += JSON.stringify(p.functionResponse.response ?? {});
  }
  return out;
}

function contents(body: unknown): Obj[] {
  return isObj(body) && Array.isArray(body.contents) ? body.contents.filter(isObj) : [];
}

function lastUserText(body: unknown): string | undefined {
  const cs = contents(body);
  for (let i = cs.length - 1; i >= 0; i--) {
    const c = cs[i]!;
    if (c.role === undefined || c.role === 'user') return partsText(c.parts);
  }
  return undefined;
}

function genInput(body: Obj, replyWords: number | undefined): GenInput {
  const cs = contents(body);
  const last = cs[cs.length - 1];
  let inputChars = isObj(body.systemInstruction) ? partsText(body.systemInstruction.parts).length : 0;
  for (const c of cs) inputChars += partsText(c.parts, true).length;
  const tools: GenInput['tools'] = [];
  for (const t of Array.isArray(body.tools) ? body.tools : []) {
    if (!isObj(t) || !Array.isArray(t.functionDeclarations)) continue;
    for (const f of t.functionDeclarations) {
      if (isObj(f) && typeof f.name === 'string') tools.push({ name: f.name, schema: f.parameters ?? f.parametersJsonSchema });
    }
  }
  const fcc = isObj(body.toolConfig) && isObj(body.toolConfig.functionCallingConfig) ? body.toolConfig.functionCallingConfig : {};
  const gen = isObj(body.generationConfig) ? body.generationConfig : {};
  const thinking = isObj(gen.thinkingConfig) ? gen.thinkingConfig : {};
  const input: GenInput = {
    prompt: lastUserText(body) ?? '',
    lastIsToolResult:
      last !== undefined && Array.isArray(last.parts) && last.parts.some((p) => isObj(p) && p.functionResponse !== undefined),
    tools,
    toolChoiceNone: fcc.mode === 'NONE',
    reasoning: thinking.includeThoughts === true,
    inputChars,
  };
  if (typeof gen.maxOutputTokens === 'number') input.maxTokens = gen.maxOutputTokens;
  if (replyWords !== undefined) input.replyWords = replyWords;
  if (gen.responseMimeType === 'application/json') {
    const schema = gen.responseJsonSchema ?? gen.responseSchema;
    input.json = schema === undefined ? {} : { schema };
  }
  return input;
}

const FINISH: Record<GenPlan['finish'], string> = { stop: 'STOP', length: 'MAX_TOKENS', tool: 'STOP' };

function usage(p: GenPlan, final: boolean): Obj {
  const u: Obj = { promptTokenCount: p.inputTokens };
  const visible = p.outputTokens - p.reasoningTokens;
  if (final) u.candidatesTokenCount = visible;
  u.totalTokenCount = p.inputTokens + (final ? p.outputTokens : p.reasoningTokens);
  u.promptTokensDetails = [{ modality: 'TEXT', tokenCount: p.inputTokens }];
  if (final) u.candidatesTokensDetails = [{ modality: 'TEXT', tokenCount: visible }];
  if (p.reasoningTokens > 0) u.thoughtsTokenCount = p.reasoningTokens;
  return u;
}

/** Groups word chunks so a Gemini stream has a few larger events, as the service sends. */
function group(chunks: string[], size: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < chunks.length; i += size) out.push(chunks.slice(i, i + size).join(''));
  return out;
}

interface Meta {
  modelVersion: string;
  responseId: string;
}

function streamObjects(p: GenPlan, meta: Meta): Obj[] {
  const out: Obj[] = [];
  const chunk = (parts: Obj[], final: boolean) => {
    const cand: Obj = { content: { parts, role: 'model' } };
    if (final) cand.finishReason = FINISH[p.finish];
    out.push({ candidates: [cand], usageMetadata: usage(p, final), ...meta });
  };
  for (const t of group(p.reasoningChunks, 4)) chunk([{ text: t, thought: true }], false);
  if (p.tool) {
    chunk([{ functionCall: { name: p.tool.name, args: JSON.parse(p.tool.args) as unknown } }], true);
    return out;
  }
  const texts = group(p.textChunks, 4);
  if (texts.length === 0) texts.push('');
  texts.forEach((t, i) => chunk([{ text: t }], i === texts.length - 1));
  return out;
}

function complete(p: GenPlan, meta: Meta): Obj {
  const parts: Obj[] = [];
  if (p.reasoning !== '') parts.push({ text: p.reasoning, thought: true });
  if (p.tool) parts.push({ functionCall: { name: p.tool.name, args: JSON.parse(p.tool.args) as unknown } });
  else parts.push({ text: p.text });
  return {
    candidates: [{ content: { parts, role: 'model' }, finishReason: FINISH[p.finish], index: 0 }],
    usageMetadata: usage(p, true),
    ...meta,
  };
}

function embedText(content: unknown): string {
  return isObj(content) ? partsText(content.parts) : '';
}

function dims(o: Obj): number {
  return typeof o.outputDimensionality === 'number' && o.outputDimensionality > 0 ? Math.floor(o.outputDimensionality) : 8;
}

const json = (status: number, body: string): SimResponse => ({
  kind: 'body',
  status,
  headers: { 'content-type': 'application/json; charset=UTF-8' },
  body,
});

function generate(call: SimCall): SimResponse {
  const body = isObj(call.body) ? call.body : {};
  if (call.op === 'embedContent') return json(200, pretty({ embedding: { values: embed(embedText(body.content), dims(body)) } }));
  if (call.op === 'batchEmbedContents') {
    const reqs = Array.isArray(body.requests) ? body.requests.filter(isObj) : [];
    return json(200, pretty({ embeddings: reqs.map((r) => ({ values: embed(embedText(r.content), dims(r)) })) }));
  }
  const input = genInput(body, call.replyWords);
  if (call.op === 'countTokens') {
    const n = tokens(input.inputChars);
    return json(200, pretty({ totalTokens: n, promptTokensDetails: [{ modality: 'TEXT', tokenCount: n }] }));
  }
  if (contents(body).length === 0) {
    return geminiProtocol.synthError(call.family, 400, 'bad-request', '* GenerateContentRequest.contents: contents is not specified\n');
  }
  const p = plan(judged(input, call, call.pathModel));
  const meta: Meta = { modelVersion: call.pathModel ?? 'model-a', responseId: makeId(call.seed, call.seq, 'resp', 23) };
  if (call.op !== 'streamGenerateContent') return json(200, pretty(complete(p, meta)));
  const objs = streamObjects(p, meta);
  if (call.query.get('alt') === 'sse') {
    const chunks: Chunk[] = objs.map((o) => `data: ${googleJson(o)}\r\n\r\n`);
    return { kind: 'stream', status: 200, headers: { 'content-type': 'text/event-stream' }, chunks };
  }
  // Without alt=sse the service streams one JSON array, element by element.
  const chunks: Chunk[] = objs.map((o, i) => (i === 0 ? '[' : ',\r\n') + pretty(o));
  chunks.push(']');
  return { kind: 'stream', status: 200, headers: { 'content-type': 'application/json; charset=UTF-8' }, chunks };
}

const STATUS: Record<number, [string, string]> = {
  400: ['INVALID_ARGUMENT', 'Request contains an invalid argument.'],
  401: ['UNAUTHENTICATED', 'Request had invalid authentication credentials.'],
  403: ['PERMISSION_DENIED', 'The caller does not have permission.'],
  404: ['NOT_FOUND', 'Requested entity was not found.'],
  429: ['RESOURCE_EXHAUSTED', 'Resource has been exhausted (e.g. check quota).'],
  500: ['INTERNAL', 'An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting'],
  503: ['UNAVAILABLE', 'The model is overloaded. Please try again later.'],
  504: ['DEADLINE_EXCEEDED', 'Deadline expired before operation could complete.'],
};

export const geminiProtocol: ProtocolModule = {
  format: 'gemini',
  fixtureDirs: ['gemini'],
  streamContentType: 'text/event-stream',

  directiveText(call) {
    const body = isObj(call.body) ? call.body : {};
    if (call.op === 'embedContent') return embedText(body.content);
    return lastUserText(body);
  },

  wantsStream: (call) => call.op === 'streamGenerateContent',

  frameChunkLines: (lines) => lines.map((l) => `data: ${l}\r\n\r\n`),

  generate,

  synthError(_family: string, status: number, reason: ErrorReason, message?: string): SimResponse {
    const [st, text] = STATUS[status] ?? [status >= 500 ? 'UNKNOWN' : 'FAILED_PRECONDITION', `HTTP ${status}`];
    let msg = message ?? text;
    if (reason === 'quota') msg = 'You exceeded your current quota, please check your plan and billing details.';
    if (reason === 'invalid-key') msg = 'API key not valid. Please pass a valid API key.';
    return json(status, pretty({ error: { code: status, message: msg, status: st } }) + '\n');
  },
};
