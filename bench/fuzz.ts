// `npm run fuzz [count] [seed]`: seeded, bounded, loopback-only fuzzing of every ingress (issue
// 15 §4) against a real gateway over the simulated providers. Prints the counts and the first
// findings; exits 1 when any bad input got a 5xx, an error without a well-formed body, or no
// answer. test/fuzz.test.ts runs a short seeded round of the same thing inside `npm test`.

import { Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { startSimulator } from '../testkit/simulator.js';
import { startGateway } from '../src/server/app.js';
import { createLogger } from '../src/telemetry/log.js';
import { fuzzCases } from '../testkit/fuzz-cases.js';
import { runFuzz, type FuzzReport } from '../testkit/fuzz-run.js';

export const FUZZ_KEY = 'sk-fuzz-master';

export function fuzzConfig(sim: string): string {
  return `
auth: { master_key: ${FUZZ_KEY} }
server: { body_limit: 1mb }
providers:
  sim-openai: { format: openai-chat, base_url: ${sim}/openai/v1, api_key: sk-fuzz-openai }
  sim-claude: { format: anthropic-messages, base_url: ${sim}/anthropic/v1, api_key: sk-fuzz-claude }
deployments:
  oai:    { provider: sim-openai, model: up-model-1, capabilities: { vision: true } }
  claude: { provider: sim-claude, model: up-model-2, capabilities: { vision: true } }
  embed:  { provider: sim-openai, model: up-embed, capabilities: { embeddings: true } }
routes:
  chat:   { targets: [oai, claude] }
  claude: { targets: [claude, oai] }
  embed:  { targets: [embed] }
`;
}

/** A gateway over the simulator, the cases, the report; everything closed afterwards. */
export async function fuzzOnce(count: number, seed: number, concurrency = 4): Promise<FuzzReport> {
  const sim = await startSimulator({ port: 0, seed });
  const quiet = createLogger('silent', new Writable({ write: (_c, _e, cb) => cb() }));
  const gw = await startGateway({ configText: fuzzConfig(sim.url), port: 0, logger: quiet, env: {} });
  try {
    return await runFuzz(gw.url, fuzzCases(seed, count, FUZZ_KEY), concurrency);
  } finally {
    await gw.close();
    await sim.close();
  }
}

export function summary(r: FuzzReport): string {
  const lines = [
    `bodies tried: ${r.tried}`,
    `by status: ${JSON.stringify(r.byStatus)}`,
    `5xx: ${r.serverErrors.length}`,
    `errors without a well-formed body: ${r.malformedErrors.length}`,
    `no answer: ${r.noAnswer.length}`,
  ];
  for (const f of [...r.serverErrors, ...r.malformedErrors, ...r.noAnswer].slice(0, 15)) lines.push(`  ${f.status} ${f.path} [${f.case}] ${f.body}`);
  return lines.join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const count = Number(process.argv[2] ?? 12_000);
  const seed = Number(process.argv[3] ?? 1);
  const r = await fuzzOnce(count, seed);
  process.stdout.write(summary(r) + '\n');
  process.exit(r.serverErrors.length + r.malformedErrors.length + r.noAnswer.length === 0 ? 0 : 1);
}
