// CanonicalRequest -> Converse / ConverseStream JSON body.
import type { CanonicalRequest, ReasoningConfig, ToolChoice } from '../../spec/index.js';
import { isObject } from '../shared/json.js';
import { convertMessages } from './convert-messages.js';
import type { Block } from './convert-messages.js';
import { droppedOptionsWarning } from '../shared/dropped-options.js';

export const FORMAT_NAME = 'bedrock-converse';

/**
 * Reasoning is requested the Anthropic-on-Bedrock way (`additionalModelRequestFields.thinking`),
 * the only model family on Converse with a token-budget switch; 1024 is Anthropic's minimum.
 */
const EFFORT_BUDGET: Record<NonNullable<ReasoningConfig['effort']>, number> = {
  minimal: 1024,
  low: 2048,
  medium: 8192,
  high: 24576,
};

export function buildConverseBody(request: CanonicalRequest, defaultMaxTokens: number | undefined, warnings: Set<string>): Record<string, unknown> {
  const converted = convertMessages(request.messages, warnings);
  const body: Record<string, unknown> = { messages: converted.messages };
  if (converted.system.length > 0) body.system = converted.system;

  const inference: Record<string, unknown> = {};
  const maxTokens = request.maxTokens ?? defaultMaxTokens;
  if (maxTokens !== undefined) inference.maxTokens = maxTokens;
  if (request.temperature !== undefined) inference.temperature = request.temperature;
  if (request.topP !== undefined) inference.topP = request.topP;
  if (request.stop && request.stop.length > 0) inference.stopSequences = request.stop;

  const additional: Record<string, unknown> = {};
  if (request.reasoning) {
    const budget = request.reasoning.budgetTokens ?? (request.reasoning.effort ? EFFORT_BUDGET[request.reasoning.effort] : EFFORT_BUDGET.medium);
    additional.thinking = { type: 'enabled', budget_tokens: budget };
    if (typeof inference.maxTokens === 'number' && inference.maxTokens <= budget) {
      // Anthropic requires max_tokens > budget_tokens; keep the caller's answer budget on top.
      inference.maxTokens = inference.maxTokens + budget;
      warnings.add('maxTokens raised above the reasoning budget (the thinking budget counts toward it)');
    }
    if (request.reasoning.include === false) warnings.add('reasoning.include=false: Bedrock returns reasoning anyway; it is passed on');
  }
  if (Object.keys(inference).length > 0) body.inferenceConfig = inference;

  const toolConfig = buildToolConfig(request, converted.hasToolBlocks, converted.toolNamesInHistory, warnings);
  if (toolConfig) body.toolConfig = toolConfig;

  if (request.topK !== undefined) warnings.add('topK is model-specific on Bedrock Converse; ignored (use providerOptions)');
  if (request.seed !== undefined) warnings.add('seed is not supported by Bedrock Converse; ignored');
  if (request.presencePenalty !== undefined) warnings.add('presencePenalty is not supported by Bedrock Converse; ignored');
  if (request.frequencyPenalty !== undefined) warnings.add('frequencyPenalty is not supported by Bedrock Converse; ignored');
  if (request.responseFormat && request.responseFormat.type !== 'text') warnings.add('responseFormat is not supported by Bedrock Converse; ignored');
  if (request.n !== undefined && request.n !== 1) warnings.add('n > 1 is not supported by Bedrock Converse; one answer returned');
  if (request.logprobs) warnings.add('logprobs are not supported by Bedrock Converse; ignored');
  if (request.parallelToolCalls !== undefined) warnings.add('parallelToolCalls is not supported by Bedrock Converse; ignored');
  if (request.user !== undefined) warnings.add('user is not supported by Bedrock Converse; ignored');
  // Converse's requestMetadata is the same idea: string pairs recorded in invocation logs.
  if (request.metadata !== undefined) body.requestMetadata = request.metadata;

  for (const [format, opts] of Object.entries(request.providerOptions ?? {})) {
    if (format !== FORMAT_NAME) {
      warnings.add(droppedOptionsWarning(format, opts, FORMAT_NAME));
      continue;
    }
    for (const [k, v] of Object.entries(opts)) {
      if (k === 'additionalModelRequestFields' && isObject(v)) Object.assign(additional, v);
      else body[k] = v;
    }
  }
  if (Object.keys(additional).length > 0) body.additionalModelRequestFields = additional;
  return body;
}

/**
 * Converse has no `none` tool choice. With no tool blocks in the history the tools are left out
 * (the model then cannot call one); with tool blocks Converse insists on a toolConfig, so the
 * tools stay and the model may still call one. Either way a warning says so.
 */
function buildToolConfig(
  request: CanonicalRequest,
  hasToolBlocks: boolean,
  namesInHistory: Set<string>,
  warnings: Set<string>,
): Record<string, unknown> | undefined {
  const tools: Block[] = [];
  for (const t of request.tools ?? []) {
    const spec: Record<string, unknown> = { name: t.name, inputSchema: { json: t.parameters } };
    if (t.description !== undefined) spec.description = t.description;
    tools.push({ toolSpec: spec });
    if (t.cacheControl) tools.push({ cachePoint: { type: 'default' } });
  }
  if (tools.length === 0) {
    if (!hasToolBlocks) return undefined;
    // Tool blocks in the history without tool definitions are a Converse validation error.
    warnings.add('history has tool calls but no tools were given; minimal tool specs were synthesized');
    for (const name of namesInHistory) tools.push({ toolSpec: { name, inputSchema: { json: { type: 'object', properties: {} } } } });
    return tools.length > 0 ? { tools } : undefined;
  }
  const choice: ToolChoice | undefined = request.toolChoice;
  if (choice === 'none') {
    if (!hasToolBlocks) {
      warnings.add('toolChoice none is not supported by Bedrock Converse; tools were omitted');
      return undefined;
    }
    warnings.add('toolChoice none is not supported by Bedrock Converse; tools kept because the history uses them');
    return { tools };
  }
  const config: Record<string, unknown> = { tools };
  if (choice === 'auto') config.toolChoice = { auto: {} };
  else if (choice === 'required') config.toolChoice = { any: {} };
  else if (choice !== undefined) config.toolChoice = { tool: { name: choice.name } };
  return config;
}
