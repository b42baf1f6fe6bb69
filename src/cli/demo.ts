// `modelplane demo`: the whole gateway offline. Starts the simulated providers, writes a config
// that points at them (a real file: edit it and watch the hot reload), starts the gateway, sends
// sample traffic through it, and keeps serving.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { destination } from 'pino';
import { startGateway } from '../server/app.js';
import { createLogger } from '../telemetry/log.js';
import { untilSignal } from './signals.js';

export const DEMO_MASTER_KEY = 'sk-modelplane-demo';
export const DEMO_ADMIN_KEY = 'sk-modelplane-demo-admin';

/** The demo config. Model names are the simulator's own: any id works against it. */
export function demoConfig(simUrl: string, port: number): string {
  return `# modelplane demo config (generated). Edit and save: the gateway reloads it.
server: { port: ${port} }
auth: { master_key: \${MODELPLANE_MASTER_KEY:-${DEMO_MASTER_KEY}}, admin_key: \${MODELPLANE_ADMIN_KEY:-${DEMO_ADMIN_KEY}} }
logging: { level: info }
providers:
  sim-openai:    { format: openai-chat, base_url: ${simUrl}/openai/v1, api_key: sim-key }
  sim-deepseek:  { preset: deepseek, base_url: ${simUrl}/deepseek/v1, api_key: sim-key }
  sim-mistral:   { preset: mistral, base_url: ${simUrl}/mistral/v1, api_key: sim-key }
  sim-anthropic: { preset: anthropic, base_url: ${simUrl}/anthropic/v1, api_key: sim-key }
  sim-gemini:    { preset: gemini, base_url: ${simUrl}/gemini/v1beta, api_key: sim-key }
  sim-flaky:     { format: openai-chat, base_url: ${simUrl}/flaky/v1, api_key: sim-key }
deployments:
  frontier-claude: { provider: sim-anthropic, model: sim-frontier-1, tier: frontier }
  frontier-gemini: { provider: sim-gemini, model: sim-frontier-2, tier: frontier }
  mid-openai:      { provider: sim-openai, model: sim-mid-1, tier: mid, price: { input: 0.4, output: 1.6 } }
  mid-deepseek:    { provider: sim-deepseek, model: sim-mid-2, tier: mid, price: { input: 0.27, output: 1.1 } }
  small-flaky:     { provider: sim-flaky, model: sim-small-1, tier: small }
  small-mistral:   { provider: sim-mistral, model: sim-small-2, tier: small, price: { input: 0.1, output: 0.3 } }
  embed-openai:    { provider: sim-openai, model: sim-embed-1, capabilities: { embeddings: true } }
routes:
  support-triage: { targets: [small-flaky, small-mistral] }   # the first one fails; the caller never sees it
  summarize:      { tier: mid }
  deep-research:  { tier: frontier, strategy: least-latency }
  embed:          { targets: [embed-openai], kind: embeddings }
teams:                                                        # virtual keys: docs/tenants.md
  support: { budget: 500/month, limits: { rpm: 600 } }
`;
}

interface Sample {
  what: string;
  path: string;
  body: unknown;
  headers?: Record<string, string>;
}

const SAMPLES: Sample[] = [
  { what: 'OpenAI chat, fallback from a failing provider', path: '/v1/chat/completions', body: { model: 'support-triage', messages: [{ role: 'user', content: 'My invoice is wrong, who do I talk to?' }] } },
  { what: 'OpenAI chat, streamed, tier route', path: '/v1/chat/completions', body: { model: 'summarize', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'Summarise the plot of Hamlet.' }] } },
  { what: 'OpenAI chat with a tool, Anthropic upstream', path: '/v1/chat/completions', body: { model: 'deep-research', messages: [{ role: 'user', content: 'What is the weather in Oslo?' }], tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } }] } },
  { what: 'Anthropic Messages client, any route', path: '/v1/messages', body: { model: 'summarize', max_tokens: 256, messages: [{ role: 'user', content: 'Hello from a Claude-native client.' }] } },
  { what: 'Embeddings', path: '/v1/embeddings', body: { model: 'embed', input: ['route names, not model names'] } },
];

/** Two virtual keys made through the admin API, a little attributed traffic, and who spent it. */
async function tenantsTour(url: string, adminKey: string): Promise<number> {
  const out = process.stdout;
  const admin = async (method: string, path: string, body?: unknown) => {
    const r = await fetch(url + path, { method, headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) });
    return (await r.json()) as Record<string, unknown>;
  };
  out.write(`\nVirtual keys (modelplane keys create --config <file> does the same from a shell):\n`);
  let failures = 0;
  for (const agent of ['triage-bot', 'summarizer']) {
    const k = await admin('POST', '/admin/keys', { name: agent, team: 'support', agent, budget: '5/day', limits: { rpm: 60 } });
    out.write(`  ${String(k.id)}  ${String(k.prefix)}…  team=support agent=${agent} budget=$5/day rpm=60\n`);
    for (const workflow of ['refunds', 'billing']) {
      const r = await fetch(`${url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${String(k.key)}`, 'x-modelplane-workflow': workflow },
        body: JSON.stringify({ model: agent === 'summarizer' ? 'summarize' : 'support-triage', max_tokens: 100, messages: [{ role: 'user', content: `A ${workflow} question` }] }),
      });
      await r.text();
      if (r.status !== 200) failures++;
    }
  }
  const spend = await admin('GET', '/admin/spend?group_by=agent&since=24h');
  const { table } = await import('./output.js');
  const rows = (spend.rows as Array<Record<string, unknown>>).map((r) => ({ ...r, agent: r.agent ?? '(none: master key)' }));
  out.write(`\nWho spent it (modelplane spend --by agent --since 24h):\n${table(rows, ['agent', 'requests', 'errors', 'input_tokens', 'output_tokens', 'cost_usd'])}`);
  return failures;
}

export interface DemoOptions {
  /** Gateway port; default 4000 (a free one when that is busy); 0 for any. */
  port?: number | undefined;
  /** Send the sample requests (default true). */
  traffic?: boolean;
  exitAfterTraffic?: boolean;
}

export async function runDemo(options: DemoOptions = {}): Promise<number> {
  const { startSimulator } = await import('../../testkit/simulator.js');
  const sim = await startSimulator({ port: 0 });
  // The "flaky" provider answers 529 overloaded on every call: the route falls back.
  sim.setFault('/flaky', { status: 503 });
  const port = options.port ?? 4000;
  const dir = mkdtempSync(join(tmpdir(), 'modelplane-demo-'));
  const file = join(dir, 'modelplane.yaml');
  // Request log lines go to a file so the demo's own output stays readable.
  const logFile = join(dir, 'requests.log');
  let gw;
  for (const p of port === 0 ? [0] : [port, 0]) {
    writeFileSync(file, demoConfig(sim.url, p));
    try {
      gw = await startGateway({ configFile: file, watch: true, port: p, logger: createLogger('info', destination({ dest: logFile, sync: false, mkdir: true })) });
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE') {
        // The simulator would otherwise keep the process alive after the error is printed.
        await sim.close();
        throw e;
      }
      process.stderr.write(`port ${p} is busy; using a free port instead\n`);
    }
  }
  if (!gw) {
    await sim.close();
    return 1;
  }
  const key = process.env.MODELPLANE_MASTER_KEY ?? DEMO_MASTER_KEY;
  const out = process.stdout;
  out.write(`\nmodelplane demo: gateway on ${gw.url}, simulated providers on ${sim.url}\nconfig: ${file} (edit it; it hot-reloads)\nrequest log: ${logFile} (one JSON line per request: tail -f it)\n\n`);
  let failures = 0;
  if (options.traffic !== false) {
    for (const s of SAMPLES) {
      const t0 = Date.now();
      const res = await fetch(gw.url + s.path, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}`, ...(s.headers ?? {}) },
        body: JSON.stringify(s.body),
      });
      const text = await res.text();
      if (res.status !== 200) failures++;
      const dep = res.headers.get('x-modelplane-deployment') ?? '-';
      const fb = res.headers.get('x-modelplane-fallback-reason');
      out.write(`  ${res.status}  ${String(Date.now() - t0).padStart(4)} ms  ${s.what}\n        route=${res.headers.get('x-modelplane-route')} deployment=${dep} attempts=${res.headers.get('x-modelplane-attempts')}${fb ? ` fell back after: ${fb}` : ''}  (${text.length} bytes)\n`);
    }
  }
  if (options.traffic !== false) failures += await tenantsTour(gw.url, process.env.MODELPLANE_ADMIN_KEY ?? DEMO_ADMIN_KEY);
  out.write(`\nTry it:\n  curl ${gw.url}/v1/chat/completions -H 'authorization: Bearer ${key}' -H 'content-type: application/json' \\\n    -d '{"model":"support-triage","messages":[{"role":"user","content":"hi"}]}'\n`);
  out.write(`  OpenAI SDK: new OpenAI({ baseURL: '${gw.url}/v1', apiKey: '${key}' })\n  Anthropic SDK: new Anthropic({ baseURL: '${gw.url}', apiKey: '${key}' })\n  Dashboard: ${gw.url}/dashboard (sign in with the admin key ${process.env.MODELPLANE_ADMIN_KEY ?? DEMO_ADMIN_KEY})\n\nCtrl-C to stop.\n`);
  // The demo also stops when whoever started it goes (npm does not always pass SIGTERM on).
  if (!options.exitAfterTraffic) await untilSignal({ withParent: true });
  await gw.close();
  await sim.close();
  return failures === 0 ? 0 : 1;
}
