// Egress: a CanonicalRequest as a POST to Anthropic's /v1/messages. Parameters Anthropic cannot
// take are dropped and reported in `warnings`, never forwarded (Anthropic rejects unknown fields).
import type { CanonicalRequest, EgressTarget, UpstreamRequest } from '../../spec/index.js';
import { GatewayError } from '../../spec/index.js';
import { convertMessages } from './convert-messages.js';
import { FORMAT } from './decode-request.js';
import { droppedOptionsWarning } from '../shared/dropped-options.js';

export const ANTHROPIC_VERSION = '2023-06-01';
/** Used when neither the client nor the deployment (`defaultMaxTokens`) set an output limit. */
export const FALLBACK_MAX_TOKENS = 4096;
/** Thinking budgets for canonical `reasoning.effort` (Anthropic's minimum budget is 1024). */
export const EFFORT_BUDGET = { minimal: 1024, low: 1024, medium: 4096, high: 16384 } as const;
const MIN_THINKING_BUDGET = 1024;

function authHeaders(target: EgressTarget): Record<string, string> {
  const key = target.apiKey ?? '';
  switch (target.auth) {
    case 'x-api-key':
      return { 'x-api-key': key };
    case 'bearer':
      return { authorization: `Bearer ${key}` };
    case 'api-key':
      return { 'api-key': key };
    case 'x-goog-api-key':
      return { 'x-goog-api-key': key };
    case 'none':
      return {};
    case 'sigv4':
      throw new GatewayError('internal_error', `deployment ${target.deploymentId}: sigv4 auth is not supported by the anthropic-messages format`);
  }
}

function buildUrl(target: EgressTarget): string {
  const url = `${target.baseUrl}/messages`;
  if (target.query === undefined || Object.keys(target.query).length === 0) return url;
  return `${url}?${new URLSearchParams(target.query).toString()}`;
}

interface Thinking {
  budget: number;
  maxTokens: number;
}

/**
 * Anthropic requires budget_tokens < max_tokens. A client's explicit max_tokens is a spending cap,
 * so the budget shrinks to fit it (and thinking is dropped if less than the minimum remains);
 * a defaulted max_tokens grows instead so that the answer still has room after the thinking.
 */
function planThinking(req: CanonicalRequest, defaultMax: number, warnings: string[]): Thinking | undefined {
  const r = req.reasoning;
  if (r === undefined) return undefined;
  const wanted = r.budgetTokens ?? (r.effort === undefined ? undefined : EFFORT_BUDGET[r.effort]);
  if (wanted === undefined) return undefined;
  if (req.toolChoice === 'required' || typeof req.toolChoice === 'object') {
    warnings.push('reasoning dropped: Anthropic does not allow thinking when tool_choice forces a tool');
    return undefined;
  }
  if (req.maxTokens === undefined) return { budget: wanted, maxTokens: wanted + defaultMax };
  if (wanted < req.maxTokens) return { budget: wanted, maxTokens: req.maxTokens };
  const budget = req.maxTokens - 1;
  if (budget < MIN_THINKING_BUDGET) {
    warnings.push(`reasoning dropped: max_tokens ${req.maxTokens} leaves no room for the minimum thinking budget of ${MIN_THINKING_BUDGET}`);
    return undefined;
  }
  warnings.push(`reasoning budget lowered from ${wanted} to ${budget} to stay below max_tokens`);
  return { budget, maxTokens: req.maxTokens };
}

function toolChoice(req: CanonicalRequest, warnings: string[]): Record<string, unknown> | undefined {
  const disable = req.parallelToolCalls === false ? { disable_parallel_tool_use: true } : {};
  const tc = req.toolChoice;
  if (tc === undefined) return req.parallelToolCalls === false ? { type: 'auto', ...disable } : undefined;
  if (tc === 'none') return { type: 'none' };
  if (tc === 'auto') return { type: 'auto', ...disable };
  if (tc === 'required') return { type: 'any', ...disable };
  if (!(req.tools ?? []).some((t) => t.name === tc.name)) warnings.push(`tool_choice names unknown tool '${tc.name}'`);
  return { type: 'tool', name: tc.name, ...disable };
}

function dropUnsupported(req: CanonicalRequest, warnings: string[]): void {
  if (req.seed !== undefined) warnings.push('seed dropped: not supported by Anthropic');
  if (req.frequencyPenalty !== undefined) warnings.push('frequency_penalty dropped: not supported by Anthropic');
  if (req.presencePenalty !== undefined) warnings.push('presence_penalty dropped: not supported by Anthropic');
  if (req.logprobs !== undefined || req.topLogprobs !== undefined) warnings.push('logprobs dropped: not supported by Anthropic');
  if (req.n !== undefined && req.n !== 1) warnings.push(`n=${req.n} dropped: Anthropic returns one choice`);
  // Emulating json_schema with a forced tool would need the response side to know about it, and
  // parseResponse sees only the upstream body; the caller is told instead.
  if (req.responseFormat !== undefined && req.responseFormat.type !== 'text') {
    warnings.push(`response_format ${req.responseFormat.type} dropped: not supported natively by Anthropic`);
  }
  for (const [k, v] of Object.entries(req.metadata ?? {})) {
    if (v !== undefined) warnings.push(`metadata.${k} dropped: Anthropic metadata only takes user_id`);
  }
  for (const [k, opts] of Object.entries(req.providerOptions ?? {})) {
    if (k !== FORMAT) warnings.push(droppedOptionsWarning(k, opts, FORMAT));
  }
}

export function buildRequestBody(req: CanonicalRequest, target: EgressTarget, warnings: string[]): Record<string, unknown> {
  const defaultMax = target.defaultMaxTokens ?? FALLBACK_MAX_TOKENS;
  const { system, messages } = convertMessages(req.messages, warnings);
  let thinking = planThinking(req, defaultMax, warnings);
  // With thinking on, Anthropic rejects a tool-use turn that does not start with its (signed)
  // thinking block. History from another provider (after a fallback) has none to send.
  const lastAssistant = messages.filter((m) => m.role === 'assistant').at(-1);
  const leadType = lastAssistant?.content[0]?.type;
  const usesTools = lastAssistant?.content.some((b) => b.type === 'tool_use') ?? false;
  if (thinking !== undefined && usesTools && leadType !== 'thinking' && leadType !== 'redacted_thinking') {
    warnings.push('reasoning dropped: the last assistant tool-use turn has no Anthropic thinking block to continue from');
    thinking = undefined;
  }
  const body: Record<string, unknown> = { model: target.model };
  if (system !== undefined) body.system = system;
  body.messages = messages;
  body.max_tokens = thinking?.maxTokens ?? req.maxTokens ?? defaultMax;
  if (thinking !== undefined) body.thinking = { type: 'enabled', budget_tokens: thinking.budget };

  if (req.tools !== undefined && req.tools.length > 0) {
    body.tools = req.tools.map((t) => ({
      name: t.name,
      ...(t.description === undefined ? {} : { description: t.description }),
      input_schema: t.parameters,
      ...(t.cacheControl === undefined ? {} : { cache_control: t.cacheControl }),
    }));
    if (req.tools.some((t) => t.strict === true)) warnings.push('tools[].strict dropped: not supported by Anthropic');
    const tc = toolChoice(req, warnings);
    if (tc !== undefined) body.tool_choice = tc;
  } else if (req.toolChoice !== undefined && req.toolChoice !== 'none' && req.toolChoice !== 'auto') {
    warnings.push('tool_choice dropped: the request has no tools');
  }

  // With thinking on, Anthropic rejects temperature and top_k, and top_p below 0.95.
  if (req.temperature !== undefined) {
    if (thinking !== undefined) warnings.push('temperature dropped: Anthropic does not allow it with thinking');
    else if (req.temperature > 1) {
      warnings.push(`temperature ${req.temperature} clamped to 1 (Anthropic's maximum)`);
      body.temperature = 1;
    } else body.temperature = req.temperature;
  }
  if (req.topP !== undefined) {
    if (thinking !== undefined && req.topP < 0.95) warnings.push('top_p dropped: Anthropic requires top_p >= 0.95 with thinking');
    else body.top_p = req.topP;
  }
  if (req.topK !== undefined) {
    if (thinking !== undefined) warnings.push('top_k dropped: Anthropic does not allow it with thinking');
    else body.top_k = req.topK;
  }
  if (req.stop !== undefined && req.stop.length > 0) body.stop_sequences = req.stop;
  if (req.user !== undefined) body.metadata = { user_id: req.user };
  if (req.stream) body.stream = true;
  dropUnsupported(req, warnings);

  // Fields an Anthropic client sent that the canonical form does not model go back as they came.
  const passthrough = req.providerOptions?.[FORMAT];
  if (passthrough !== undefined) Object.assign(body, passthrough);
  return body;
}

export function buildRequest(req: CanonicalRequest, target: EgressTarget): UpstreamRequest {
  const warnings: string[] = [];
  const body = buildRequestBody(req, target, warnings);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'anthropic-version': ANTHROPIC_VERSION,
    ...authHeaders(target),
  };
  // Deployment headers win (e.g. another anthropic-version, anthropic-beta), whatever their case.
  for (const [k, v] of Object.entries(target.headers ?? {})) {
    delete headers[k.toLowerCase()];
    headers[k] = v;
  }
  if (req.stream) headers.accept = 'text/event-stream';
  return { method: 'POST', url: buildUrl(target), headers, body: JSON.stringify(body), warnings };
}
