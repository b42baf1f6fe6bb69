// Runs a suite through the gateway's own HTTP API (POST /v1/chat/completions with the route as
// `model`), so routing, translation to the deployment's wire format and error mapping are the
// ones users get. `target` pins every case to one deployment with `x-modelplane-target`
// (src/evals/target-pin.ts), which is how a candidate is evaluated before any traffic moves.
import { performance } from 'node:perf_hooks';
import type { Price } from '../config/snapshot.js';
import { judgeCase, type CaseVerdict, type Judge, type JudgeVerdict, type Observation } from './assertions.js';
import { HashedNgramEmbedder, type Embedder } from './embedder.js';
import { priceUsd } from './price.js';
import type { EvalCase, Suite } from './suite.js';
import { TARGET_HEADER } from './target-pin.js';

export interface RunOptions {
  /** The gateway, e.g. `http://127.0.0.1:4000`. */
  baseUrl: string;
  apiKey?: string;
  /** Overrides the suite's route. */
  route?: string;
  /** Pins every case to this deployment. */
  target?: string;
  concurrency?: number;
  repeat?: number;
  embedder?: Embedder;
  /** Prices a deployment's answer (USD per million tokens), e.g. from the config file. */
  priceOf?: (deployment: string) => Price | undefined;
}

export interface CaseRun {
  id: string;
  repeat: number;
  tags: string[];
  observation: Observation;
  verdict: CaseVerdict;
  /** What `judge` assertions spent grading this case. */
  judgeCostUsd?: number;
}

export interface SuiteRun {
  suite: string;
  route: string;
  target?: string;
  cases: CaseRun[];
  summary: RunSummary;
}

export interface RunSummary {
  cases: number;
  passed: number;
  passRate: number;
  errors: number;
  p50LatencyMs: number;
  p95LatencyMs: number;
  inputTokens: number;
  outputTokens: number;
  /** Undefined when some answer could not be priced. */
  costUsd?: number;
  /** Spent by `judge` assertions, on top of `costUsd`. */
  judgeCostUsd?: number;
}

interface ChatBody {
  choices?: Array<{ message?: { content?: string | null; tool_calls?: Array<{ function?: { name?: string; arguments?: string } }> } }>;
  usage?: { prompt_tokens?: number; completion_tokens?: number };
  error?: { code?: string; message?: string };
}

function parseArgs(s: string | undefined): unknown {
  if (s === undefined || s === '') return {};
  try {
    return JSON.parse(s);
  } catch {
    return s;
  }
}

async function observe(c: EvalCase, route: string, opts: RunOptions, pin: string | undefined): Promise<Observation> {
  return post(opts, pin, { ...c.options, model: route, messages: c.messages, stream: false });
}

async function post(opts: RunOptions, pin: string | undefined, payload: Record<string, unknown>): Promise<Observation> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (opts.apiKey) headers.authorization = `Bearer ${opts.apiKey}`;
  if (pin) headers[TARGET_HEADER] = pin;
  const body = JSON.stringify(payload);
  const t0 = performance.now();
  let res: Response;
  try {
    res = await fetch(`${opts.baseUrl.replace(/\/+$/, '')}/v1/chat/completions`, { method: 'POST', headers, body });
  } catch (e) {
    return { status: 0, text: '', toolCalls: [], latencyMs: performance.now() - t0, error: `gateway unreachable: ${(e as Error).message}` };
  }
  const text = await res.text();
  const latencyMs = performance.now() - t0;
  let json: ChatBody = {};
  try {
    json = JSON.parse(text) as ChatBody;
  } catch {
    /* a non-JSON body is reported through the status */
  }
  const deployment = res.headers.get('x-modelplane-deployment') ?? undefined;
  const o: Observation = { status: res.status, text: '', toolCalls: [], latencyMs };
  if (deployment) o.deployment = deployment;
  if (!res.ok) {
    o.error = json.error?.code ?? json.error?.message ?? text.slice(0, 120);
    return o;
  }
  const msg = json.choices?.[0]?.message;
  o.text = msg?.content ?? '';
  o.toolCalls = (msg?.tool_calls ?? []).map((t) => ({ name: t.function?.name ?? '', arguments: parseArgs(t.function?.arguments) }));
  if (json.usage?.prompt_tokens !== undefined) o.inputTokens = json.usage.prompt_tokens;
  if (json.usage?.completion_tokens !== undefined) o.outputTokens = json.usage.completion_tokens;
  const cost = priceUsd(deployment ? opts.priceOf?.(deployment) : undefined, o.inputTokens, o.outputTokens);
  if (cost !== undefined) o.costUsd = cost;
  return o;
}

/** The q-quantile (0..1) of a sample, nearest-rank. */
export function quantile(xs: readonly number[], q: number): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!;
}

export function summarize(cases: readonly CaseRun[]): RunSummary {
  const lat = cases.map((c) => c.observation.latencyMs);
  const passed = cases.filter((c) => c.verdict.pass).length;
  const priced = cases.every((c) => c.observation.costUsd !== undefined);
  const s: RunSummary = {
    cases: cases.length,
    passed,
    passRate: cases.length === 0 ? 0 : passed / cases.length,
    errors: cases.filter((c) => c.observation.status < 200 || c.observation.status >= 300).length,
    p50LatencyMs: quantile(lat, 0.5),
    p95LatencyMs: quantile(lat, 0.95),
    inputTokens: cases.reduce((n, c) => n + (c.observation.inputTokens ?? 0), 0),
    outputTokens: cases.reduce((n, c) => n + (c.observation.outputTokens ?? 0), 0),
  };
  if (priced) s.costUsd = cases.reduce((n, c) => n + c.observation.costUsd!, 0);
  const judged = cases.filter((c) => c.judgeCostUsd !== undefined);
  if (judged.length > 0) s.judgeCostUsd = judged.reduce((n, c) => n + c.judgeCostUsd!, 0);
  return s;
}

const JUDGE_SYSTEM =
  'You are an evaluator. Grade the ANSWER to the QUESTION against the RUBRIC. Reply with only a JSON object: ' +
  '{"pass": true or false, "score": a number from 0 to 1, "reason": "one short sentence"}.';

/** Parses a judge's reply; anything but the asked-for JSON is a failed verdict that says why. */
export function parseJudgeReply(text: string): JudgeVerdict {
  const m = /\{[\s\S]*\}/.exec(text);
  try {
    const j = JSON.parse(m ? m[0] : text) as { pass?: unknown; score?: unknown; reason?: unknown };
    const score = typeof j.score === 'number' && Number.isFinite(j.score) ? Math.min(1, Math.max(0, j.score)) : j.pass === true ? 1 : 0;
    if (typeof j.pass !== 'boolean') return { pass: false, score: 0, reason: `the judge's JSON has no boolean "pass": ${text.slice(0, 80)}` };
    return { pass: j.pass, score, reason: typeof j.reason === 'string' ? j.reason : '' };
  } catch {
    return { pass: false, score: 0, reason: `the judge answered no JSON: ${text.slice(0, 80)}` };
  }
}

/** A judge that asks a gateway route (never pinned: the judge route is the judge's own). */
function gatewayJudge(opts: RunOptions, spent: (usd: number) => void): Judge {
  return async (route, rubric, question, answer) => {
    const o = await post(opts, undefined, {
      model: route,
      temperature: 0,
      stream: false,
      messages: [
        { role: 'system', content: JUDGE_SYSTEM },
        { role: 'user', content: `RUBRIC:\n${rubric}\n\nQUESTION:\n${question}\n\nANSWER:\n${answer}` },
      ],
    });
    if (o.costUsd !== undefined) spent(o.costUsd);
    if (o.status < 200 || o.status >= 300) return { pass: false, score: 0, reason: `the judge route failed: ${o.status} ${o.error ?? ''}`.trim() };
    const v = parseJudgeReply(o.text);
    if (o.costUsd !== undefined) v.costUsd = o.costUsd;
    return v;
  };
}

export async function runSuite(suite: Suite, opts: RunOptions): Promise<SuiteRun> {
  const route = opts.route ?? suite.route;
  const embedder = opts.embedder ?? new HashedNgramEmbedder();
  const jobs: Array<{ c: EvalCase; repeat: number }> = [];
  for (let k = 0; k < (opts.repeat ?? 1); k++) for (const c of suite.cases) jobs.push({ c, repeat: k });
  const out: CaseRun[] = new Array(jobs.length);
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const i = next++;
      const { c, repeat } = jobs[i]!;
      const observation = await observe(c, route, opts, opts.target);
      let judgeCost: number | undefined;
      const judge = gatewayJudge(opts, (usd) => (judgeCost = (judgeCost ?? 0) + usd));
      const verdict = await judgeCase(c, observation, { embedder, judge });
      out[i] = { id: c.id, repeat, tags: c.tags, observation, verdict };
      if (judgeCost !== undefined) out[i]!.judgeCostUsd = judgeCost;
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.concurrency ?? 4, jobs.length)) }, worker));
  const run: SuiteRun = { suite: suite.name, route, cases: out, summary: summarize(out) };
  if (opts.target) run.target = opts.target;
  return run;
}
