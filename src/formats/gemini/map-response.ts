// Pieces shared by the non-streaming and streaming parsers: candidate parts, finish reasons,
// usage. Gemini sends the same GenerateContentResponse shape in both modes.
import type { FinishReason, Usage } from '../../spec/index.js';
import { arr, isObject, num, str } from '../shared/json.js';

export type GeminiItem =
  | { kind: 'text'; text: string }
  | { kind: 'reasoning'; text: string; signature?: string }
  | { kind: 'call'; name: string; args: string; signature?: string };

/**
 * One candidate's parts, in order. A `thoughtSignature` on a non-thought text part (including
 * the empty trailing part Gemini 3 sends with finishReason) becomes a text-less signed reasoning
 * item placed before the text, so it survives the canonical form and goes back next turn.
 */
export function candidateItems(candidate: unknown): GeminiItem[] {
  if (!isObject(candidate) || !isObject(candidate.content)) return [];
  const items: GeminiItem[] = [];
  for (const part of arr(candidate.content.parts)) {
    if (!isObject(part)) continue;
    const signature = str(part.thoughtSignature);
    if (isObject(part.functionCall)) {
      const fc = part.functionCall;
      const args = fc.args === undefined || fc.args === null ? {} : fc.args;
      const item: GeminiItem = { kind: 'call', name: str(fc.name) ?? '', args: JSON.stringify(args) };
      if (signature !== undefined) item.signature = signature;
      items.push(item);
      continue;
    }
    const text = str(part.text);
    if (part.thought === true) {
      if (text === undefined && signature === undefined) continue;
      const item: GeminiItem = { kind: 'reasoning', text: text ?? '' };
      if (signature !== undefined) item.signature = signature;
      items.push(item);
      continue;
    }
    if (signature !== undefined) items.push({ kind: 'reasoning', text: '', signature });
    if (text !== undefined && text !== '') items.push({ kind: 'text', text });
  }
  return items;
}

const FILTERED = new Set(['SAFETY', 'RECITATION', 'BLOCKLIST', 'PROHIBITED_CONTENT', 'SPII', 'IMAGE_SAFETY', 'IMAGE_PROHIBITED_CONTENT', 'IMAGE_RECITATION']);
const ERRORED = new Set(['MALFORMED_FUNCTION_CALL', 'UNEXPECTED_TOOL_CALL', 'TOO_MANY_TOOL_CALLS']);

export function mapFinishReason(raw: string, sawToolCall: boolean): FinishReason {
  if (raw === 'STOP') return sawToolCall ? 'tool-calls' : 'stop';
  if (raw === 'MAX_TOKENS') return 'length';
  if (FILTERED.has(raw)) return 'content-filter';
  if (ERRORED.has(raw)) return 'error';
  return 'other';
}

/**
 * Gemini's promptTokenCount already includes cachedContentTokenCount (canonical semantics);
 * thinking tokens are billed as output, so outputTokens = candidates + thoughts.
 */
export function mapUsage(u: unknown): Usage | undefined {
  if (!isObject(u)) return undefined;
  const thoughts = num(u.thoughtsTokenCount);
  const cached = num(u.cachedContentTokenCount);
  const total = num(u.totalTokenCount);
  const usage: Usage = {
    inputTokens: (num(u.promptTokenCount) ?? 0) + (num(u.toolUsePromptTokenCount) ?? 0),
    outputTokens: (num(u.candidatesTokenCount) ?? 0) + (thoughts ?? 0),
  };
  if (total !== undefined) usage.totalTokens = total;
  if (cached !== undefined) usage.cacheReadTokens = cached;
  if (thoughts !== undefined) usage.reasoningTokens = thoughts;
  return usage;
}

/** Unix seconds from an HTTP `date` header, else now. */
export function createdFrom(date: string | string[] | undefined): number {
  const d = Array.isArray(date) ? date[0] : date;
  const ms = d === undefined ? NaN : Date.parse(d);
  return Math.floor((Number.isNaN(ms) ? Date.now() : ms) / 1000);
}
