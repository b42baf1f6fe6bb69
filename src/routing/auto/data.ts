// Labelled router data, one JSON object per line:
//   {"prompt": "...", "strong_ok": true, "weak_ok": false}       correctness of each tier
//   {"messages": [...], "winner": "strong" | "weak" | "tie"}     a preference
//   {"prompt": "...", "strong_score": 0.9, "weak_score": 0.7}    graded quality (eval)
// A bad line is an error naming its line number; nothing is half-read.

import type { CanonicalRequest, CanonicalMessage as Message } from '../../spec/canonical.js';
import { featureInput, type FeatureInput } from './features.js';

export interface Example {
  line: number;
  input: FeatureInput;
  /** 1 when the cheaper tier's answer is as good as the stronger one's. */
  weakAsGood: 0 | 1;
  /** Per-tier quality in [0, 1], when the line has it (needed for the cost-quality curve). */
  strong?: number;
  weak?: number;
}

export class DataError extends Error {}

function toMessages(raw: unknown, line: number): Message[] {
  if (!Array.isArray(raw) || raw.length === 0) throw new DataError(`line ${line}: "messages" must be a non-empty array`);
  return raw.map((m, i) => {
    const o = m as { role?: unknown; content?: unknown };
    if (typeof o?.role !== 'string' || !['system', 'user', 'assistant', 'tool'].includes(o.role)) throw new DataError(`line ${line}: messages[${i}].role must be system, user, assistant or tool`);
    if (typeof o.content !== 'string') throw new DataError(`line ${line}: messages[${i}].content must be a string`);
    return { role: o.role as Message['role'], content: [{ type: 'text' as const, text: o.content }] };
  });
}

function bool(o: Record<string, unknown>, k: string, line: number): boolean | undefined {
  const v = o[k];
  if (v === undefined) return undefined;
  if (typeof v !== 'boolean') throw new DataError(`line ${line}: "${k}" must be true or false`);
  return v;
}

function unit(o: Record<string, unknown>, k: string, line: number): number | undefined {
  const v = o[k];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !(v >= 0 && v <= 1)) throw new DataError(`line ${line}: "${k}" must be a number from 0 to 1`);
  return v;
}

export function parseLine(text: string, line: number, labelled = true): Example {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(text) as Record<string, unknown>;
  } catch (e) {
    throw new DataError(`line ${line}: not valid JSON (${(e as Error).message})`);
  }
  if (o === null || typeof o !== 'object' || Array.isArray(o)) throw new DataError(`line ${line}: expected a JSON object`);
  let messages: Message[];
  if (typeof o.prompt === 'string') messages = [{ role: 'user', content: [{ type: 'text', text: o.prompt }] }];
  else if (o.messages !== undefined) messages = toMessages(o.messages, line);
  else throw new DataError(`line ${line}: needs "prompt" (a string) or "messages"`);
  const req = { model: 'x', messages, stream: false } as CanonicalRequest;
  const strongOk = bool(o, 'strong_ok', line);
  const weakOk = bool(o, 'weak_ok', line);
  const strongScore = unit(o, 'strong_score', line);
  const weakScore = unit(o, 'weak_score', line);
  const winner = o.winner;
  const ex: Omit<Example, 'weakAsGood'> = { line, input: featureInput(req) };
  const strong = strongScore ?? (strongOk === undefined ? undefined : strongOk ? 1 : 0);
  const weak = weakScore ?? (weakOk === undefined ? undefined : weakOk ? 1 : 0);
  if (strong !== undefined && weak !== undefined) return { ...ex, strong, weak, weakAsGood: weak >= strong ? 1 : 0 };
  if (winner === 'strong' || winner === 'weak' || winner === 'tie') return { ...ex, weakAsGood: winner === 'strong' ? 0 : 1 };
  if (!labelled && winner === undefined) return { ...ex, weakAsGood: 1 }; // prompts only (calibrate): the label is not read
  throw new DataError(`line ${line}: needs a label: "strong_ok" and "weak_ok", "strong_score" and "weak_score", or "winner" ("strong", "weak" or "tie")`);
}

/** `labelled: false`: prompts whose labels are not needed (calibration samples) may have none. */
export function parseData(text: string, labelled = true): Example[] {
  const out: Example[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const t = lines[i]!.trim();
    if (t === '' || t.startsWith('//')) continue;
    out.push(parseLine(t, i + 1, labelled));
  }
  if (out.length === 0) throw new DataError('no labelled lines');
  return out;
}
