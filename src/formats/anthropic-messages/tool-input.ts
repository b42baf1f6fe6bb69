// Anthropic carries tool arguments as a JSON object (`input`); the canonical form keeps the raw
// JSON text the model produced. Models (and OpenAI-compatible servers) sometimes emit invalid or
// non-object JSON; Anthropic clients require an object, so those become {} instead of failing
// the whole response.
import { isObject, tryParseJson } from '../shared/json.js';

export function parseToolInput(args: string): { input: Record<string, unknown>; valid: boolean } {
  if (args.trim() === '') return { input: {}, valid: true };
  const parsed = tryParseJson(args);
  return isObject(parsed) ? { input: parsed, valid: true } : { input: {}, valid: false };
}
