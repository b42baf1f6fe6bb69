// The things measured, all against the same mock upstream: `direct` (no proxy), `bare` (the
// minimal Node proxy), `modelplane` (the gateway with auth, routing, translation and info logs on)
// and optionally `portkey`. Each started process is pinned to the gateway core.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, waitForPort, type ProcessSet, type Started } from './procs.js';
import type { Scenario } from './summary.js';
import type { FeatureVariant } from './features.js';

export interface Target {
  name: string;
  /** Full chat-completions URL on 127.0.0.1. */
  url: string;
  headers: Record<string, string>;
  /** What goes in the request's `model`: the route name for modelplane, the model for the others. */
  model: string;
  proc?: Started;
}

export const MASTER_KEY = 'sk-bench';
export const MOCK_MODEL = 'bench-model';
const ROUTE = 'bench';

/** The repository root, from dist/bench/ (compiled) or bench/ (sources). */
export const REPO_ROOT = fileURLToPath(new URL(import.meta.url.includes('/dist/bench/') ? '../../' : '../', import.meta.url));

export function requestBody(model: string, scenario: Scenario): string {
  const body: Record<string, unknown> = {
    model,
    messages: [
      { role: 'system', content: 'You are a helpful assistant. Answer briefly.' },
      { role: 'user', content: 'In one sentence: what does an API gateway in front of language models do?' },
    ],
    temperature: 0.2,
    max_tokens: 64,
  };
  if (scenario === 'stream') {
    body.stream = true;
    body.stream_options = { include_usage: true };
  }
  return JSON.stringify(body);
}

export function modelplaneConfig(gatewayPort: number, mockPort: number, feature?: FeatureVariant): string {
  return [
    '# written by bench/targets.ts: one mock provider, one deployment, one route' + (feature ? `; feature: ${feature.describe}` : ''),
    `server: { host: 127.0.0.1, port: ${gatewayPort} }`,
    `auth: { master_key: ${MASTER_KEY} }`,
    'logging: { level: info }',
    ...(feature?.top ?? []),
    'providers:',
    `  mock: { format: openai-chat, base_url: http://127.0.0.1:${mockPort}/v1, auth: none }`,
    'deployments:',
    `  a: { provider: mock, model: ${MOCK_MODEL} }`,
    ...(feature?.deployments ?? []),
    'routes:',
    `  ${ROUTE}: { targets: [a] }`,
    ...(feature?.routes ?? []),
    '',
  ].join('\n');
}

export interface StartContext {
  procs: ProcessSet;
  outDir: string;
  mockPort: number;
  gatewayCpu: number;
}

export function directTarget(mockPort: number): Target {
  return { name: 'direct', url: `http://127.0.0.1:${mockPort}/v1/chat/completions`, headers: {}, model: MOCK_MODEL };
}

export async function startBare(ctx: StartContext): Promise<Target> {
  const script = fileURLToPath(new URL('./bare-proxy.js', import.meta.url));
  const proc = ctx.procs.start('bare', process.execPath, [script, '--port', '0', '--upstream', `http://127.0.0.1:${ctx.mockPort}`], {
    logFile: join(ctx.outDir, 'logs', 'bare.log'),
    pipeStdout: true,
    cpu: ctx.gatewayCpu,
  });
  const m = await ctx.procs.waitForLine(proc, /listening (\d+)/, 10_000);
  return { name: 'bare', url: `http://127.0.0.1:${m[1]}/v1/chat/completions`, headers: {}, model: MOCK_MODEL, proc };
}

export interface ModelplaneStart {
  name?: string;
  /** A feature variant (bench/features.ts): its config lines, route and headers. */
  feature?: FeatureVariant;
  /** Extra node flags, e.g. --cpu-prof. */
  nodeFlags?: string[];
  logToFile: boolean;
}

export async function startModelplane(ctx: StartContext, o: ModelplaneStart): Promise<Target> {
  const name = o.name ?? 'modelplane';
  const port = await freePort();
  const config = join(ctx.outDir, `${name}.yaml`);
  writeFileSync(config, modelplaneConfig(port, ctx.mockPort, o.feature));
  const bin = join(REPO_ROOT, 'bin', 'modelplane.js');
  const proc = ctx.procs.start(name, process.execPath, [...(o.nodeFlags ?? []), bin, 'serve', '--config', config, '--port', String(port), '--host', '127.0.0.1'], {
    logFile: join(ctx.outDir, 'logs', `${name}.stderr.log`),
    // pino writes one JSON line per request to stdout: a real file by default, as in production.
    stdoutFile: o.logToFile ? join(ctx.outDir, 'logs', `${name}.requests.log`) : '/dev/null',
    cpu: ctx.gatewayCpu,
    env: { ...process.env, NODE_ENV: 'production' },
  });
  await waitForPort(port, proc, 20_000);
  return { name, url: `http://127.0.0.1:${port}/v1/chat/completions`, headers: { authorization: `Bearer ${MASTER_KEY}`, ...(o.feature?.headers ?? {}) }, model: o.feature?.route ?? ROUTE, proc };
}

export interface SmokeResult {
  ok: boolean;
  detail: string;
}

/** One non-streaming and one streaming request; the target is measured only if both look right. */
export async function smokeCheck(t: Target, scenarios: readonly Scenario[]): Promise<SmokeResult> {
  const headers = { 'content-type': 'application/json', ...t.headers };
  const problems: string[] = [];
  const notes: string[] = [];
  try {
    const r = await fetch(t.url, { method: 'POST', headers, body: requestBody(t.model, 'nonstream'), signal: AbortSignal.timeout(10_000) });
    const text = await r.text();
    const usage = r.ok ? (JSON.parse(text) as { usage?: { total_tokens?: number } }).usage : undefined;
    if (r.status !== 200 || typeof usage?.total_tokens !== 'number') problems.push(`non-stream: HTTP ${r.status}, usage ${usage ? 'present' : 'missing'}: ${text.slice(0, 200)}`);
    else notes.push(`non-stream 200 (${text.length} B, usage ok)`);
    if (scenarios.includes('stream')) {
      const s = await fetch(t.url, { method: 'POST', headers, body: requestBody(t.model, 'stream'), signal: AbortSignal.timeout(10_000) });
      const sse = await s.text();
      const events = sse.split('\n\n').filter((e) => e.startsWith('data: '));
      const hasUsage = events.some((e) => e.includes('"total_tokens"'));
      if (s.status !== 200 || !sse.trimEnd().endsWith('data: [DONE]')) problems.push(`stream: HTTP ${s.status}, ${events.length} events, no [DONE] at the end: ${sse.slice(0, 200)}`);
      else notes.push(`stream 200 (${events.length} events${hasUsage ? ', usage chunk' : ', NO usage chunk'}, [DONE])`);
    }
  } catch (e) {
    problems.push(`request failed: ${(e as Error).message}`);
  }
  return problems.length ? { ok: false, detail: problems.join('; ') } : { ok: true, detail: notes.join('; ') };
}
