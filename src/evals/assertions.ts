// The assertion types of an eval case, judged against one observed answer. Each returns pass or
// fail with a reason a person can act on; a case passes when the weighted share of passing
// assertions reaches its threshold.
import { Ajv, type ValidateFunction } from 'ajv';
import { similarity, type Embedder } from './embedder.js';
import type { Assertion, EvalCase } from './suite.js';

/** What the gateway answered to one case, as the runner saw it. */
export interface Observation {
  status: number;
  text: string;
  toolCalls: Array<{ name: string; arguments: unknown }>;
  latencyMs: number;
  /** Priced from the answering deployment's price, when known. */
  costUsd?: number;
  inputTokens?: number;
  outputTokens?: number;
  deployment?: string;
  /** The gateway's error code when the status is not 2xx. */
  error?: string;
}

export interface AssertionResult {
  type: Assertion['type'];
  pass: boolean;
  weight: number;
  /** Why it failed. */
  detail?: string;
  /** `similar` and `judge`: the score behind the verdict. */
  score?: number;
  /** `judge`: what the judging call cost. */
  costUsd?: number;
}

export interface CaseVerdict {
  pass: boolean;
  score: number;
  results: AssertionResult[];
}

/** A judge's verdict on one answer. */
export interface JudgeVerdict {
  pass: boolean;
  score: number;
  reason: string;
  /** What the judging call cost, added to the case's cost. */
  costUsd?: number;
}

/** Asks a judge (a gateway route) to grade an answer against a rubric. */
export type Judge = (route: string, rubric: string, question: string, answer: string) => Promise<JudgeVerdict>;

export interface AssertContext {
  embedder: Embedder;
  judge?: Judge;
  /** The case's last user message, for the judge. */
  question?: string;
}

const ajv = new Ajv({ allErrors: true, strict: false });
const compiled = new WeakMap<object, ValidateFunction>();

function validator(schema: Record<string, unknown>): ValidateFunction {
  let v = compiled.get(schema);
  if (!v) compiled.set(schema, (v = ajv.compile(schema)));
  return v;
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false; error: string } {
  // Models often fence JSON in a markdown code block; the fence is not part of the answer.
  const fenced = /^\s*```(?:json)?\s*([\s\S]*?)\s*```\s*$/.exec(text);
  try {
    return { ok: true, value: JSON.parse(fenced ? fenced[1]! : text) };
  } catch (e) {
    return { ok: false, error: (e as Error).message };
  }
}

/** `$.a.b[0].c`, `a.b.0.c`: a dotted path with optional `$` root and bracketed indices. */
export function jsonPath(value: unknown, path: string): { found: boolean; value?: unknown } {
  const parts = path.replace(/^\$\.?/, '').replace(/\[(\d+)\]/g, '.$1').split('.').filter((p) => p !== '');
  let cur: unknown = value;
  for (const p of parts) {
    if (cur === null || typeof cur !== 'object') return { found: false };
    const next = (cur as Record<string, unknown>)[p];
    if (next === undefined) return { found: false };
    cur = next;
  }
  return { found: true, value: cur };
}

function deepEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function clip(s: string, n = 60): string {
  return s.length > n ? `${s.slice(0, n)}…` : s;
}

function ajvErrors(v: ValidateFunction): string {
  return (v.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`).join('; ');
}

type Judged = Omit<AssertionResult, 'type' | 'weight'>;

const ok: Judged = { pass: true };
const fail = (detail: string): Judged => ({ pass: false, detail });

async function judge(a: Assertion, o: Observation, ctx: AssertContext): Promise<Judged> {
  const text = o.text;
  switch (a.type) {
    case 'equals':
      return text.trim() === a.value.trim() ? ok : fail(`expected "${clip(a.value)}", got "${clip(text)}"`);
    case 'contains':
    case 'icontains': {
      const want = Array.isArray(a.value) ? a.value : [a.value];
      const hay = a.type === 'icontains' ? text.toLowerCase() : text;
      const missing = want.filter((w) => !hay.includes(a.type === 'icontains' ? w.toLowerCase() : w));
      return missing.length === 0 ? ok : fail(`missing ${missing.map((m) => `"${clip(m, 30)}"`).join(', ')} in "${clip(text)}"`);
    }
    case 'regex':
      return new RegExp(a.pattern, a.flags).test(text) ? ok : fail(`/${a.pattern}/ does not match "${clip(text)}"`);
    case 'json-valid': {
      const j = parseJson(text);
      return j.ok ? ok : fail(`not JSON: ${j.error}`);
    }
    case 'json-schema': {
      const j = parseJson(text);
      if (!j.ok) return fail(`not JSON: ${j.error}`);
      const v = validator(a.schema);
      return v(j.value) ? ok : fail(`schema: ${ajvErrors(v)}`);
    }
    case 'json-path': {
      const j = parseJson(text);
      if (!j.ok) return fail(`not JSON: ${j.error}`);
      const hit = jsonPath(j.value, a.path);
      if (!hit.found) return fail(`${a.path}: not found`);
      if (a.equals !== undefined && !deepEqual(hit.value, a.equals)) return fail(`${a.path}: expected ${JSON.stringify(a.equals)}, got ${clip(JSON.stringify(hit.value))}`);
      if (a.contains !== undefined && !String(typeof hit.value === 'string' ? hit.value : JSON.stringify(hit.value)).includes(a.contains)) return fail(`${a.path}: does not contain "${a.contains}"`);
      return ok;
    }
    case 'tool-call': {
      const call = o.toolCalls.find((t) => t.name === a.name);
      if (!call) return fail(`no call to ${a.name} (got ${o.toolCalls.map((t) => t.name).join(', ') || 'none'})`);
      if (!a.arguments) return ok;
      const v = validator(a.arguments);
      return v(call.arguments) ? ok : fail(`${a.name} arguments: ${ajvErrors(v)}`);
    }
    case 'numeric': {
      let n: number;
      if (a.path !== undefined) {
        const j = parseJson(text);
        if (!j.ok) return fail(`not JSON: ${j.error}`);
        const hit = jsonPath(j.value, a.path);
        n = typeof hit.value === 'number' ? hit.value : Number(hit.value);
      } else {
        const m = /-?\d+(?:[.,]\d+)?(?:e[+-]?\d+)?/i.exec(text.replace(/(\d),(?=\d{3}\b)/g, '$1'));
        n = m ? Number(m[0].replace(',', '.')) : NaN;
      }
      if (!Number.isFinite(n)) return fail(`no number in "${clip(text)}"`);
      const tol = a.tolerance ?? 0;
      return Math.abs(n - a.value) <= tol ? ok : fail(`${n} is not within ${tol} of ${a.value}`);
    }
    case 'max-latency':
      return o.latencyMs <= a.ms ? ok : fail(`${Math.round(o.latencyMs)} ms > ${a.ms} ms`);
    case 'max-cost':
      if (o.costUsd === undefined) return fail('cost unknown (run with --config so the deployment can be priced)');
      return o.costUsd <= a.usd ? ok : fail(`$${o.costUsd.toPrecision(3)} > $${a.usd}`);
    case 'judge': {
      if (!ctx.judge) return fail('no judge available (the runner provides one)');
      const v = await ctx.judge(a.route, a.rubric, ctx.question ?? '', text);
      const t = a.threshold ?? 0.5;
      const pass = v.pass && v.score >= t;
      const r: Judged = { pass, score: v.score };
      if (!pass) r.detail = `judge: ${v.reason || 'failed'} (score ${v.score.toFixed(2)})`;
      if (v.costUsd !== undefined) r.costUsd = v.costUsd;
      return r;
    }
    case 'similar': {
      const s = await similarity(ctx.embedder, text, a.reference);
      const t = a.threshold ?? 0.8;
      return s >= t ? { pass: true, score: s } : { pass: false, score: s, detail: `similarity ${s.toFixed(3)} < ${t}` };
    }
  }
}

export async function judgeAssertion(a: Assertion, o: Observation, ctx: AssertContext): Promise<AssertionResult> {
  const r = await judge(a, o, ctx);
  return { type: a.type, weight: a.weight ?? 1, ...r };
}

/** Judges every assertion of a case; a failed request fails every assertion but latency. */
export async function judgeCase(c: EvalCase, o: Observation, base: AssertContext): Promise<CaseVerdict> {
  const results: AssertionResult[] = [];
  const question = [...c.messages].reverse().find((m) => m.role === 'user')?.content;
  const ctx: AssertContext = question === undefined ? base : { ...base, question };
  for (const a of c.assert) {
    if (o.status < 200 || o.status >= 300) results.push({ type: a.type, weight: a.weight ?? 1, pass: false, detail: `request failed: ${o.status} ${o.error ?? ''}`.trim() });
    else results.push(await judgeAssertion(a, o, ctx));
  }
  const total = results.reduce((s, r) => s + r.weight, 0);
  const passed = results.reduce((s, r) => s + (r.pass ? r.weight : 0), 0);
  const score = total === 0 ? 0 : passed / total;
  return { pass: score >= c.threshold - 1e-9, score, results };
}
