// Egress: CanonicalRequest -> a POST /chat/completions for OpenAI or any compatible server.
import type { CanonicalRequest } from '../../spec/canonical.js';
import { GatewayError } from '../../spec/errors.js';
import type { EgressTarget, UpstreamRequest } from '../../spec/wire.js';
import { convertMessages, Warnings } from './convert-messages.js';
import { FORMAT } from './format-name.js';
import { droppedOptionsWarning } from '../shared/dropped-options.js';

/** Targets are immutable (one per snapshot, deployment and key), so their URLs are built once. */
const urls = new WeakMap<EgressTarget, Map<string, string>>();

export function upstreamUrl(target: EgressTarget, path: string): string {
  let byPath = urls.get(target);
  if (!byPath) urls.set(target, (byPath = new Map()));
  let url = byPath.get(path);
  if (url === undefined) {
    url = target.baseUrl + path;
    const qs = target.query ? new URLSearchParams(target.query).toString() : '';
    if (qs !== '') url = `${url}${url.includes('?') ? '&' : '?'}${qs}`;
    byPath.set(path, url);
  }
  return url;
}

export function upstreamHeaders(target: EgressTarget): Record<string, string> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const key = target.apiKey;
  switch (target.auth) {
    case 'bearer':
      if (key !== undefined) headers.authorization = `Bearer ${key}`;
      break;
    case 'api-key': // Azure OpenAI
    case 'x-api-key':
    case 'x-goog-api-key':
      if (key !== undefined) headers[target.auth] = key;
      break;
    case 'none':
      break;
    case 'sigv4':
      throw new GatewayError('internal_error', `deployment ${target.deploymentId}: sigv4 auth is not supported by the openai-chat format`);
  }
  if (target.headers) Object.assign(headers, target.headers);
  return headers;
}

/** Drops the fields a server rejects, saying so. */
export function dropUnsupported(body: Record<string, unknown>, params: readonly string[] | undefined, w: Warnings): void {
  if (!params) return;
  for (const p of params) {
    if (body[p] !== undefined) {
      delete body[p];
      w.add(`${p} dropped: not supported by this provider`);
    }
  }
}

export function buildRequest(r: CanonicalRequest, target: EgressTarget): UpstreamRequest {
  const w = new Warnings();
  const quirks = target.quirks;
  const body: Record<string, unknown> = {};

  // Extras first, so that a canonical field always wins over a same-named extra.
  if (r.providerOptions) {
    for (const family in r.providerOptions) {
      if (family === FORMAT) Object.assign(body, r.providerOptions[family]);
      else w.add(droppedOptionsWarning(family, r.providerOptions[family], FORMAT));
    }
  }
  body.model = target.model;
  body.messages = convertMessages(r.messages, quirks, w);

  if (r.tools && r.tools.length > 0) {
    body.tools = r.tools.map((t) => {
      if (t.cacheControl) w.add('cacheControl markers dropped: openai-chat cannot express them');
      const fn: Record<string, unknown> = { name: t.name };
      if (t.description !== undefined) fn.description = t.description;
      fn.parameters = t.parameters;
      if (t.strict !== undefined) fn.strict = t.strict;
      return { type: 'function', function: fn };
    });
  }
  if (r.toolChoice !== undefined) {
    body.tool_choice = typeof r.toolChoice === 'string' ? r.toolChoice : { type: 'function', function: { name: r.toolChoice.name } };
  }
  if (r.parallelToolCalls !== undefined) body.parallel_tool_calls = r.parallelToolCalls;
  if (r.responseFormat !== undefined) {
    const f = r.responseFormat;
    if (f.type === 'json_schema') {
      const js: Record<string, unknown> = { name: f.name, schema: f.schema };
      if (f.strict !== undefined) js.strict = f.strict;
      if (f.description !== undefined) js.description = f.description;
      body.response_format = { type: 'json_schema', json_schema: js };
    } else body.response_format = { type: f.type };
  }

  const maxTokens = r.maxTokens ?? (quirks.requiresMaxTokens ? target.defaultMaxTokens : undefined);
  if (maxTokens !== undefined) {
    // A same-named extra must not leave the server two competing limits.
    delete body.max_tokens;
    delete body.max_completion_tokens;
    body[quirks.maxTokensField ?? 'max_tokens'] = maxTokens;
  }
  if (r.temperature !== undefined) body.temperature = r.temperature;
  if (r.topP !== undefined) body.top_p = r.topP;
  if (r.topK !== undefined) w.add('topK dropped: openai-chat has no top_k');
  if (r.stop !== undefined && r.stop.length > 0) body.stop = r.stop;
  if (r.seed !== undefined) body.seed = r.seed;
  if (r.frequencyPenalty !== undefined) body.frequency_penalty = r.frequencyPenalty;
  if (r.presencePenalty !== undefined) body.presence_penalty = r.presencePenalty;
  if (r.n !== undefined) body.n = r.n;
  if (r.logprobs !== undefined) body.logprobs = r.logprobs;
  if (r.topLogprobs !== undefined) body.top_logprobs = r.topLogprobs;
  if (r.user !== undefined) body.user = r.user;
  if (r.metadata !== undefined) body.metadata = r.metadata;
  if (r.reasoning) {
    if (r.reasoning.effort !== undefined) body.reasoning_effort = r.reasoning.effort;
    if (r.reasoning.budgetTokens !== undefined) w.add('reasoning.budgetTokens dropped: openai-chat has only reasoning_effort');
  }

  if (r.stream) {
    body.stream = true;
    // The gateway settles budgets with real usage, so it asks for usage whatever the client did.
    if (!quirks.noStreamOptions) body.stream_options = { include_usage: true };
    else delete body.stream_options;
  } else {
    delete body.stream;
    delete body.stream_options;
  }

  dropUnsupported(body, quirks.unsupportedParams, w);
  return {
    method: 'POST',
    url: upstreamUrl(target, '/chat/completions'),
    headers: upstreamHeaders(target),
    body: JSON.stringify(body),
    warnings: w.list,
  };
}
