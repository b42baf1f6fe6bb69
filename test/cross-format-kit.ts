// Shared pieces of the cross-format e2e and conformance suites: one gateway config with a route
// per egress wire format (and fault routes per client), SDK clients, stream collectors, the
// weather tool and the same cached answer in every format. The per-format adapters are in
// conformance-egress.ts (upstream side) and conformance-ingress.ts (client side).
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { KEY, type Harness } from './harness.js';

const BASE_CONFIG = `
providers:
  sim-openai:    { format: openai-chat, base_url: SIM/openai/v1, api_key: sk-up-openai }
  sim-deepseek:  { preset: deepseek, base_url: SIM/deepseek/v1, api_key: sk-up-deepseek }
  sim-anthropic: { preset: anthropic, base_url: SIM/anthropic/v1, api_key: sk-up-anthropic }
  sim-gemini:    { preset: gemini, base_url: SIM/gemini/v1beta, api_key: up-gemini-key }
  sim-bedrock:   { preset: bedrock, base_url: SIM/bedrock, region: us-east-1, aws: { access_key_id: AKIDEXAMPLE, secret_access_key: secret } }
deployments:
  oai: { provider: sim-openai, model: up-openai-model }
  # DeepSeek's reasoner model always reasons; the simulator keys that on the model name.
  ds:  { provider: sim-deepseek, model: up-reasoner-model }
  ant: { provider: sim-anthropic, model: up-anthropic-model }
  gem: { provider: sim-gemini, model: up-gemini-model }
  bed: { provider: sim-bedrock, model: up-bedrock-model }
routes:
  oai:   { targets: [oai] }
  ds:    { targets: [ds] }
  ant:   { targets: [ant] }
  gem:   { targets: [gem] }
  bed:   { targets: [bed] }
  mixed: { targets: [ant, gem] }
`;

/** Routes that mix formats (Anthropic first, then Gemini); each has its own Anthropic deployment,
 * so one test's tripped breaker cannot make another skip the first target. */
export const MIXED_ROUTES = ['mixed-1', 'mixed-2', 'mixed-3', 'mixed-4'] as const;

const FAULT_PROVIDERS = { oai: 'sim-openai', ant: 'sim-anthropic', gem: 'sim-gemini', bed: 'sim-bedrock' } as const;
export const FAULT_TAGS = ['429', '500', '503', '529', '400', 'cut'] as const;
export type FaultTag = (typeof FAULT_TAGS)[number];
/** The client of a fault route: `o` openai chat, `a` anthropic, `r` responses (test/conformance-ingress.ts). */
export const FAULT_CLIENTS = ['o', 'a', 'r'] as const;
export type FaultClient = (typeof FAULT_CLIENTS)[number];

/**
 * A 429 with retry-after puts a credential in a hard cooldown and 5xx answers trip breakers, so
 * every fault case gets its own deployment (own credential, own breaker) and route:
 * `<route>-<tag>-<client>`, client `o` (openai chat), `a` (anthropic) or `r` (responses).
 */
export function faultRoute(route: string, tag: FaultTag, client: FaultClient): string {
  return `${route}-${tag}-${client}`;
}

/** The gateway config: one route per egress format plus the fault routes. */
export const CONFIG = (() => {
  const deployments: string[] = [];
  const routes: string[] = [];
  for (const [route, provider] of Object.entries(FAULT_PROVIDERS)) {
    for (const tag of FAULT_TAGS) {
      for (const client of FAULT_CLIENTS) {
        const name = faultRoute(route, tag, client);
        deployments.push(`  ${name}: { provider: ${provider}, model: up-${name} }`);
        routes.push(`  ${name}: { targets: [${name}] }`);
      }
    }
  }
  for (const name of MIXED_ROUTES) {
    deployments.push(`  ${name}-ant: { provider: sim-anthropic, model: up-${name}-ant }`);
    routes.push(`  ${name}: { targets: [${name}-ant, gem] }`);
  }
  return BASE_CONFIG.replace('routes:\n', `${deployments.join('\n')}\nroutes:\n${routes.join('\n')}\n`);
})();

export function openaiClient(h: Harness): OpenAI {
  return new OpenAI({ baseURL: `${h.url}/v1`, apiKey: KEY, maxRetries: 0 });
}

export function anthropicClient(h: Harness, apiKey = KEY): Anthropic {
  return new Anthropic({ baseURL: h.url, apiKey, maxRetries: 0 });
}

export const WEATHER_PARAMS = {
  type: 'object',
  properties: { city: { type: 'string', description: 'City name' } },
  required: ['city'],
};
/** What the simulator synthesises for WEATHER_PARAMS (required string -> `simulated-<name>`). */
export const WEATHER_ARGS = { city: 'simulated-city' };

export const openaiWeatherTool = {
  type: 'function' as const,
  function: { name: 'get_weather', description: 'Weather for a city', parameters: WEATHER_PARAMS },
};
export const anthropicWeatherTool = {
  name: 'get_weather',
  description: 'Weather for a city',
  input_schema: WEATHER_PARAMS as Anthropic.Tool.InputSchema,
};

/** The simulator's deterministic reply to a prompt (testkit/generate.ts replyText). */
export function simulatedReply(prompt: string): string {
  return `Simulated reply to: ${prompt.trim().slice(0, 40)}`;
}

export interface CollectedChat {
  chunks: OpenAI.Chat.Completions.ChatCompletionChunk[];
  text: string;
  reasoning: string;
  finish?: string;
  usage?: OpenAI.Completions.CompletionUsage;
  /** Tool calls reassembled by index, plus how many argument fragments each arrived in. */
  calls: Array<{ id: string; name: string; arguments: string; fragments: number }>;
}

/** Drains an openai SDK chat stream into what a client would assemble. */
export async function collectChat(stream: AsyncIterable<OpenAI.Chat.Completions.ChatCompletionChunk>): Promise<CollectedChat> {
  const out: CollectedChat = { chunks: [], text: '', reasoning: '', calls: [] };
  for await (const c of stream) {
    out.chunks.push(c);
    if (c.usage) out.usage = c.usage;
    const choice = c.choices[0];
    if (!choice) continue;
    const d = choice.delta as { content?: string | null; reasoning_content?: string | null } & typeof choice.delta;
    out.text += d.content ?? '';
    out.reasoning += d.reasoning_content ?? '';
    for (const tc of d.tool_calls ?? []) {
      const slot = (out.calls[tc.index] ??= { id: '', name: '', arguments: '', fragments: 0 });
      if (tc.id) slot.id = tc.id;
      if (tc.function?.name) slot.name = tc.function.name;
      if (tc.function?.arguments) {
        slot.arguments += tc.function.arguments;
        slot.fragments++;
      }
    }
    if (choice.finish_reason) out.finish = choice.finish_reason;
  }
  return out;
}

/** The same answer (text + one tool call, 125 prompt tokens of which 100 cached) in each egress format. */
export const CACHED_ANSWERS: Record<string, unknown> = {
  'openai-chat': {
    id: 'c1', model: 'model-a', created: 1,
    choices: [{ index: 0, message: { role: 'assistant', content: 'hi', tool_calls: [{ id: 'call_9', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } }] }, finish_reason: 'tool_calls' }],
    usage: { prompt_tokens: 125, completion_tokens: 10, total_tokens: 135, prompt_tokens_details: { cached_tokens: 100 } },
  },
  'anthropic-messages': {
    id: 'msg_1', type: 'message', role: 'assistant', model: 'model-a',
    content: [{ type: 'text', text: 'hi' }, { type: 'tool_use', id: 'call_9', name: 'get_weather', input: { city: 'Oslo' } }],
    stop_reason: 'tool_use', stop_sequence: null,
    usage: { input_tokens: 25, cache_read_input_tokens: 100, cache_creation_input_tokens: 0, output_tokens: 10 },
  },
  gemini: {
    candidates: [{ content: { role: 'model', parts: [{ text: 'hi' }, { functionCall: { name: 'get_weather', args: { city: 'Oslo' } } }] }, finishReason: 'STOP' }],
    usageMetadata: { promptTokenCount: 125, cachedContentTokenCount: 100, candidatesTokenCount: 10, totalTokenCount: 135 },
  },
  'bedrock-converse': {
    output: { message: { role: 'assistant', content: [{ text: 'hi' }, { toolUse: { toolUseId: 'call_9', name: 'get_weather', input: { city: 'Oslo' } } }] } },
    stopReason: 'tool_use',
    usage: { inputTokens: 25, cacheReadInputTokens: 100, outputTokens: 10, totalTokens: 135 },
  },
};
