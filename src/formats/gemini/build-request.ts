// CanonicalRequest -> Gemini generateContent / streamGenerateContent request (Google AI or Vertex).
import type { CanonicalRequest, EgressTarget, ReasoningConfig, ToolChoice, UpstreamRequest } from '../../spec/index.js';
import { convertMessages } from './convert-messages.js';
import { cleanParameters, cleanSchema } from './schema.js';
import { isObject } from '../shared/json.js';
import { droppedOptionsWarning } from '../shared/dropped-options.js';

export const FORMAT_NAME = 'gemini';

/**
 * Effort -> thinkingBudget, for models that take a token budget. `minimal` stays above the
 * smallest budget every thinking model accepts (some cannot switch thinking off with 0).
 */
const EFFORT_BUDGET: Record<NonNullable<ReasoningConfig['effort']>, number> = {
  minimal: 128,
  low: 1024,
  medium: 8192,
  high: 24576,
};

export function buildGeminiRequest(request: CanonicalRequest, target: EgressTarget): UpstreamRequest {
  const warnings = new Set<string>();
  const { contents, systemInstruction } = convertMessages(request.messages, warnings);
  const body: Record<string, unknown> = { contents };
  if (systemInstruction) body.systemInstruction = systemInstruction;

  if (request.tools && request.tools.length > 0) {
    body.tools = [
      {
        functionDeclarations: request.tools.map((t) => {
          const decl: Record<string, unknown> = { name: t.name };
          if (t.description !== undefined) decl.description = t.description;
          const params = cleanParameters(t.parameters);
          if (params) decl.parameters = params;
          return decl;
        }),
      },
    ];
    if (request.tools.some((t) => t.cacheControl)) warnings.add('cacheControl: Gemini caches prompts implicitly; markers dropped');
    if (request.toolChoice !== undefined) body.toolConfig = { functionCallingConfig: toolChoiceConfig(request.toolChoice) };
  } else if (request.toolChoice !== undefined && request.toolChoice !== 'auto' && request.toolChoice !== 'none') {
    warnings.add('toolChoice without tools; ignored');
  }
  if (request.parallelToolCalls !== undefined) warnings.add('parallelToolCalls is not supported by Gemini; ignored');

  const gen = generationConfig(request, target, warnings);
  if (Object.keys(gen).length > 0) body.generationConfig = gen;

  if (request.user !== undefined) warnings.add('user is not supported by Gemini; ignored');
  if (request.metadata !== undefined) warnings.add('metadata is not supported by Gemini; ignored');
  for (const [format, opts] of Object.entries(request.providerOptions ?? {})) {
    // Same-protocol extras (safetySettings, cachedContent, labels, …) pass through verbatim.
    if (format === FORMAT_NAME) Object.assign(body, opts);
    else warnings.add(droppedOptionsWarning(format, opts, FORMAT_NAME));
  }

  return {
    method: 'POST',
    url: buildUrl(target, request.stream ? 'streamGenerateContent' : 'generateContent', request.stream ? { alt: 'sse' } : {}),
    headers: buildHeaders(target),
    body: JSON.stringify(body),
    warnings: [...warnings],
  };
}

function toolChoiceConfig(choice: ToolChoice): Record<string, unknown> {
  if (choice === 'auto') return { mode: 'AUTO' };
  if (choice === 'none') return { mode: 'NONE' };
  if (choice === 'required') return { mode: 'ANY' };
  return { mode: 'ANY', allowedFunctionNames: [choice.name] };
}

function generationConfig(request: CanonicalRequest, target: EgressTarget, warnings: Set<string>): Record<string, unknown> {
  const g: Record<string, unknown> = {};
  const set = (key: string, v: unknown) => {
    if (v !== undefined) g[key] = v;
  };
  set('maxOutputTokens', request.maxTokens);
  set('temperature', request.temperature);
  set('topP', request.topP);
  set('topK', request.topK);
  if (request.stop && request.stop.length > 0) g.stopSequences = request.stop;
  set('seed', request.seed);
  set('presencePenalty', request.presencePenalty);
  set('frequencyPenalty', request.frequencyPenalty);
  if (request.n !== undefined && request.n !== 1) g.candidateCount = request.n;
  if (request.logprobs) g.responseLogprobs = true;
  set('logprobs', request.topLogprobs);

  const rf = request.responseFormat;
  if (rf?.type === 'json_object') g.responseMimeType = 'application/json';
  else if (rf?.type === 'json_schema') {
    g.responseMimeType = 'application/json';
    // `responseJsonSchema` takes full JSON Schema but only newer API versions know it; the
    // cleaned OpenAPI-subset `responseSchema` works everywhere, so it is the default.
    if (target.options?.responseJsonSchema === true) g.responseJsonSchema = rf.schema;
    else g.responseSchema = cleanSchema(rf.schema);
  }

  if (request.reasoning) {
    const thinking = thinkingConfig(request.reasoning, target);
    if (Object.keys(thinking).length > 0) g.thinkingConfig = thinking;
  }
  if (request.n !== undefined && request.n !== 1) warnings.add('n > 1: only the first Gemini candidate is returned');
  return g;
}

/**
 * A budget goes to `thinkingBudget`. An effort alone becomes a budget from EFFORT_BUDGET, or a
 * `thinkingLevel` when the deployment says its model takes levels (`options.thinkingLevel`);
 * the model id is not inspected here, by design.
 */
function thinkingConfig(r: ReasoningConfig, target: EgressTarget): Record<string, unknown> {
  const t: Record<string, unknown> = {};
  if (r.budgetTokens !== undefined) t.thinkingBudget = r.budgetTokens;
  else if (r.effort !== undefined) {
    if (target.options?.thinkingLevel === true) t.thinkingLevel = r.effort === 'high' ? 'high' : 'low';
    else t.thinkingBudget = EFFORT_BUDGET[r.effort];
  }
  t.includeThoughts = r.include ?? true;
  return t;
}

export function buildUrl(target: EgressTarget, method: string, query: Record<string, string>): string {
  const url = new URL(`${target.baseUrl}/models/${target.model}:${method}`);
  for (const [k, v] of Object.entries({ ...query, ...(target.query ?? {}) })) url.searchParams.set(k, v);
  return url.toString();
}

/**
 * Google AI uses `x-goog-api-key`; Vertex usually an OAuth access token (`auth: 'bearer'`), but
 * Vertex express mode takes an API key too, so the configured scheme decides, not `vertex`.
 */
export function buildHeaders(target: EgressTarget): Record<string, string> {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...(target.headers ?? {}) };
  const key = target.apiKey;
  if (key !== undefined) {
    if (target.auth === 'bearer') headers.authorization = `Bearer ${key}`;
    else if (target.auth === 'x-goog-api-key' || target.auth === 'api-key' || target.auth === 'x-api-key') headers['x-goog-api-key'] = key;
  }
  return headers;
}

export function isVertex(target: EgressTarget): boolean {
  return isObject(target.options) && target.options.vertex === true;
}
