// The protocol-independent part of a generated answer: what to say, how to split it, and the
// rough token counts. Each protocol module renders a GenPlan in its own wire shape.
//
// Rules (documented in testkit/README.md):
// - tools present, tool choice not `none`, last message is the user's (not a tool result)
//   -> one call to the first tool, arguments synthesised from its schema's required properties;
// - otherwise text: "Simulated reply to: <first 40 chars of the prompt>" (plus filler words when
//   the simulator was started with `replyWords`), one word per chunk;
// - JSON output requested (response_format json_object / json_schema) -> the text is a JSON
//   object: for a schema, every property it lists with placeholder values of the right type
//   (so a structured-output client such as the OpenAI SDK's `parse` accepts it); without one,
//   {"reply": "<the usual reply>"};
// - reasoning requested -> a short reasoning text first;
// - tokens = ceil(chars / 4); output beyond max tokens is cut and the finish reason is `length`.

import type { GenInput, SimCall } from './types.js';
import { judgedText } from './quality.js';

/** The input with the quality model's verdict for `model` (when the simulator has one). */
export function judged(input: GenInput, call: SimCall, model: unknown): GenInput {
  if (call.judge !== undefined && typeof model === 'string') input.verdict = call.judge(model, input.prompt);
  return input;
}

export interface ToolPlan {
  name: string;
  /** The whole arguments JSON text. */
  args: string;
  /** `args` split over several deltas (concatenation === args). */
  argChunks: string[];
}

export interface GenPlan {
  reasoning: string;
  reasoningChunks: string[];
  text: string;
  textChunks: string[];
  tool?: ToolPlan;
  finish: 'stop' | 'length' | 'tool';
  inputTokens: number;
  outputTokens: number;
  reasoningTokens: number;
}

export function tokens(chars: number): number {
  return Math.max(1, Math.ceil(chars / 4));
}

const WORD = /\s*\S+/g;

/** Splits text into word chunks that keep their leading whitespace ("Hello", " world"). */
export function wordChunks(text: string): string[] {
  const out: string[] = text.match(WORD) ?? [];
  // Trailing whitespace would otherwise be lost.
  const joined = out.join('');
  if (joined.length < text.length) out.push(text.slice(joined.length));
  return out;
}

/** Splits a string into about `parts` pieces of similar size (concatenation is the input). */
export function splitEven(text: string, parts: number): string[] {
  if (text.length === 0) return [];
  const size = Math.max(1, Math.ceil(text.length / parts));
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

const FILLER = 'lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor'.split(' ');

export function replyText(prompt: string, replyWords?: number): string {
  const head = prompt.trim() === '' ? 'Simulated reply.' : `Simulated reply to: ${prompt.trim().slice(0, 40)}`;
  if (replyWords === undefined) return head;
  const words = head.split(/\s+/);
  for (let i = 0; words.length < replyWords; i++) words.push(FILLER[i % FILLER.length]!);
  return words.join(' ');
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Arguments for a JSON schema: required properties only (or every property with `all`), simple
 * placeholder values.
 */
export function synthArgs(schema: unknown, depth = 0, all = false): Obj {
  const out: Obj = {};
  if (!isObj(schema) || depth > 4) return out;
  const props = isObj(schema.properties) ? schema.properties : {};
  const required = all ? Object.keys(props) : Array.isArray(schema.required) ? schema.required : [];
  for (const name of required) {
    if (typeof name !== 'string') continue;
    const value = synthValue(props[name], name, depth, all);
    if (value !== undefined) out[name] = value;
  }
  return out;
}

function synthValue(prop: unknown, name: string, depth: number, all: boolean): unknown {
  if (!isObj(prop)) return 'simulated';
  if (Array.isArray(prop.enum) && prop.enum.length > 0) return prop.enum[0];
  if ('const' in prop) return prop.const;
  // anyOf/oneOf (nullable fields, unions): the first branch that is not null.
  const branches = Array.isArray(prop.anyOf) ? prop.anyOf : Array.isArray(prop.oneOf) ? prop.oneOf : undefined;
  if (branches) return synthValue(branches.find((b) => !(isObj(b) && b.type === 'null')) ?? branches[0], name, depth, all);
  const t: unknown = Array.isArray(prop.type) ? prop.type.find((x) => x !== 'null') : prop.type;
  // Gemini's responseSchema spells types in capitals (STRING, OBJECT).
  switch (typeof t === 'string' ? t.toLowerCase() : t) {
    case 'string':
      return `simulated-${name}`;
    case 'number':
    case 'integer':
      return 1;
    case 'boolean':
      return true;
    case 'object':
      return synthArgs(prop, depth + 1, all);
    case 'array':
      return [];
    default:
      return undefined;
  }
}

export function plan(input: GenInput): GenPlan {
  const inputTokens = tokens(input.inputChars);
  const reasoning = input.reasoning ? `Considering the request: ${input.prompt.trim().slice(0, 40)}` : '';
  const reasoningTokens = reasoning === '' ? 0 : tokens(reasoning.length);
  const reasoningChunks = wordChunks(reasoning);

  const tool = input.tools[0];
  if (tool !== undefined && !input.toolChoiceNone && !input.lastIsToolResult) {
    const args = JSON.stringify(synthArgs(tool.schema));
    return {
      reasoning,
      reasoningChunks,
      text: '',
      textChunks: [],
      tool: { name: tool.name, args, argChunks: splitEven(args, 4) },
      finish: 'tool',
      inputTokens,
      outputTokens: reasoningTokens + tokens(args.length + tool.name.length),
      reasoningTokens,
    };
  }

  let text = input.json
    ? JSON.stringify(input.json.schema !== undefined ? synthArgs(input.json.schema, 0, true) : { reply: replyText(input.prompt, input.replyWords) })
    : judgedText(input.verdict, input.prompt, replyText(input.prompt, input.replyWords));
  let finish: GenPlan['finish'] = 'stop';
  let textTokens = tokens(text.length);
  if (input.maxTokens !== undefined && input.maxTokens >= 0 && textTokens > input.maxTokens) {
    text = text.slice(0, input.maxTokens * 4);
    textTokens = input.maxTokens;
    finish = 'length';
  }
  return {
    reasoning,
    reasoningChunks,
    text,
    textChunks: wordChunks(text),
    finish,
    inputTokens,
    outputTokens: reasoningTokens + textTokens,
    reasoningTokens,
  };
}
