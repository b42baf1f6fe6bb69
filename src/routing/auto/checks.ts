// Cheap checks of a cheaper tier's answer, for `cascade: true`: when one fails, the request is
// escalated to the next tier and the client sees only the final answer. Each check is a
// property of the answer alone (no model call), so it costs microseconds.

import type { CanonicalRequest, CanonicalResponse } from '../../spec/canonical.js';

/** Short refusals and hedges; longer answers that merely contain such a phrase pass. */
const REFUSAL = /^\s*(i['’]?m sorry|i am sorry|sorry, (but )?i|i can(no|['’])t|i cannot|i['’]?m (not able|unable)|as an ai\b)/i;
const HEDGE = /\b(i['’]?m not sure|i am not sure|i don['’]?t know|i do not know|unclear to me)\b/i;

function text(r: CanonicalResponse): string {
  let s = '';
  for (const p of r.content) if (p.type === 'text') s += p.text;
  return s;
}

function jsonOk(s: string, schema: Record<string, unknown> | undefined): boolean {
  let v: unknown;
  try {
    v = JSON.parse(s.trim().replace(/^```(?:json)?\s*|\s*```$/g, ''));
  } catch {
    return false;
  }
  if (!schema) return typeof v === 'object' && v !== null;
  // The shape that matters most often: an object with its required keys (a full validator is the
  // evals' job; this is a cheap gate).
  if (schema.type === 'object') {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
    const required = Array.isArray(schema.required) ? (schema.required as unknown[]) : [];
    return required.every((k) => typeof k === 'string' && k in (v as Record<string, unknown>));
  }
  return true;
}

/** The name of the first check the answer fails, or undefined when it passes them all. */
export function failedCheck(req: CanonicalRequest, r: CanonicalResponse): string | undefined {
  const calls = r.content.filter((p) => p.type === 'tool-call');
  const t = text(r);
  if (calls.length === 0 && t.trim() === '') return 'empty';
  if (r.finishReason === 'length') return 'truncated';
  for (const c of calls) {
    if (c.type !== 'tool-call') continue;
    if (req.tools && !req.tools.some((d) => d.name === c.name)) return 'invalid-tool-call';
    try {
      const args: unknown = JSON.parse(c.arguments || '{}');
      if (typeof args !== 'object' || args === null || Array.isArray(args)) return 'invalid-tool-call';
    } catch {
      return 'invalid-tool-call';
    }
  }
  const fmt = req.responseFormat;
  if (calls.length === 0 && fmt && fmt.type !== 'text' && !jsonOk(t, fmt.type === 'json_schema' ? fmt.schema : undefined)) return 'invalid-json';
  if (t.length < 400 && REFUSAL.test(t)) return 'refusal';
  if (t.length < 400 && HEDGE.test(t)) return 'hedge';
  return undefined;
}
