// Suites from real traffic: `modelplane eval capture` turns captured requests of a route into
// eval cases, with the answers that were served as `similar` references. The prompts come from
// the route's body capture in the embedded store (route `capture:`, capture-extension.ts), or
// from request-log bodies (`logging.log_bodies: true`). Only plain-text conversations are
// captured: a case with tool calls or images would need assertions a reference answer cannot give.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { stringify } from 'yaml';
import type { EvalMessage } from './suite.js';

export interface CaptureOptions {
  route: string;
  /** Epoch ms. */
  since?: number;
  /** Cases wanted at most (an even sample over the matching lines). */
  sample: number;
  /** Similarity a candidate's answer needs to the served one. */
  threshold?: number;
}

interface Part {
  type?: string;
  text?: string;
}

/** Canonical messages (as logged) -> plain text messages, or undefined when not plain text. */
export function plainMessages(prompt: unknown): EvalMessage[] | undefined {
  if (!Array.isArray(prompt) || prompt.length === 0) return undefined;
  const out: EvalMessage[] = [];
  for (const m of prompt as Array<{ role?: unknown; content?: unknown }>) {
    if (m.role !== 'system' && m.role !== 'user' && m.role !== 'assistant') return undefined;
    if (!Array.isArray(m.content)) return undefined;
    const parts = m.content as Part[];
    if (parts.some((p) => p.type !== 'text' || typeof p.text !== 'string')) return undefined;
    out.push({ role: m.role, content: parts.map((p) => p.text!).join('') });
  }
  return out.some((m) => m.role === 'user') ? out : undefined;
}

export interface Captured {
  id: string;
  messages: EvalMessage[];
  answer: string;
  /** Request fields to send again (temperature, max_tokens). */
  options?: Record<string, unknown>;
}

/** Store records -> cases: the same prompt twice is one case (the first served answer is its reference). */
export function casesFromCaptures(records: ReadonlyArray<{ requestId: string; messages: EvalMessage[]; answer: string; options?: Record<string, unknown> }>): Captured[] {
  const seen = new Set<string>();
  const out: Captured[] = [];
  for (const r of records) {
    const key = JSON.stringify(r.messages);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ id: r.requestId, messages: r.messages, answer: r.answer, ...(r.options ? { options: r.options } : {}) });
  }
  return out;
}

export async function captureFromLogs(files: readonly string[], opts: CaptureOptions): Promise<Captured[]> {
  const all: Captured[] = [];
  const seen = new Set<string>();
  for (const file of files) {
    const rl = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
    for await (const text of rl) {
      if (!text.startsWith('{')) continue;
      let l: Record<string, unknown>;
      try {
        l = JSON.parse(text) as Record<string, unknown>;
      } catch {
        continue;
      }
      if (l.msg !== 'request' || l.route !== opts.route || l.status !== 200 || typeof l.completion !== 'string' || l.completion === '') continue;
      if (opts.since !== undefined && (typeof l.time !== 'number' || l.time < opts.since)) continue;
      const messages = plainMessages(l.prompt);
      if (!messages) continue;
      // The same prompt twice is one case.
      const key = JSON.stringify(messages);
      if (seen.has(key)) continue;
      seen.add(key);
      all.push({ id: typeof l.request_id === 'string' ? l.request_id : `case-${all.length + 1}`, messages, answer: l.completion });
    }
  }
  if (all.length <= opts.sample) return all;
  // An even spread over the period rather than its first N requests.
  const step = all.length / opts.sample;
  return Array.from({ length: opts.sample }, (_, i) => all[Math.floor(i * step)]!);
}

export function suiteYamlFrom(route: string, cases: readonly Captured[], threshold = 0.8): string {
  const doc = {
    name: `${route}-captured`,
    route,
    description: `Captured from ${cases.length} requests; references are the answers that were served.`,
    cases: cases.map((c) => ({ id: c.id, tags: ['captured'], messages: c.messages, ...(c.options ? { options: c.options } : {}), assert: [{ type: 'similar', reference: c.answer, threshold }] })),
  };
  return stringify(doc, { lineWidth: 0 });
}
