// `modelplane simulate`: runs the simulated providers until interrupted and prints their base URLs.
// Another process drives faults over HTTP: POST /__sim/fault {"scope":"/anthropic","fault":{"status":529}}.

import { hasFixtures, fixturesDir } from './fixtures.js';
import { startSimulator } from './simulator.js';
import type { Simulator } from './types.js';

export interface SimulatorCliResult {
  simulator: Simulator;
  /** Resolves when the simulator has closed (after SIGINT/SIGTERM or `simulator.close()`). */
  closed: Promise<void>;
}

function usage(): string {
  return [
    'usage: modelplane simulate [--port 4010] [--host 127.0.0.1] [--latency MS] [--seed N] [--reply-words N] [--quiet]',
    '',
    'Simulated providers speaking the real wire formats. A prompt starting with',
    '`fixture:<path under fixtures/upstream>` replays that capture; anything else gets a generated answer.',
  ].join('\n');
}

function numberFlag(name: string, value: string | undefined): number {
  const n = Number(value);
  if (value === undefined || !Number.isFinite(n) || n < 0) throw new Error(`simulate: ${name} needs a non-negative number`);
  return n;
}

export function baseUrls(url: string): Record<string, string> {
  return {
    openai: `${url}/openai/v1`,
    deepseek: `${url}/deepseek/v1`,
    qwen: `${url}/qwen/v1`,
    mistral: `${url}/mistral/v1`,
    ollama: `${url}/ollama/v1`,
    groq: `${url}/groq/v1`,
    vllm: `${url}/vllm/v1`,
    generic: `${url}/generic/v1`,
    anthropic: `${url}/anthropic`,
    gemini: `${url}/gemini/v1beta`,
    vertex: `${url}/vertex/v1/projects/sim-project/locations/us-central1/publishers/google/models`,
    bedrock: `${url}/bedrock`,
  };
}

/** Resolves once listening; undefined after `--help`. Bad options throw with the usage text. */
export async function runSimulatorCli(
  argv: string[],
  print: (line: string) => void = console.log,
): Promise<SimulatorCliResult | undefined> {
  let port = 4010;
  let host = '127.0.0.1';
  let latencyMs: number | undefined;
  let seed: number | undefined;
  let replyWords: number | undefined;
  let quiet = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const [flag, inline] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = () => inline ?? argv[++i];
    switch (flag) {
      case '--port':
        port = numberFlag('--port', value());
        break;
      case '--host':
        host = value() ?? host;
        break;
      case '--latency':
        latencyMs = numberFlag('--latency', value());
        break;
      case '--seed':
        seed = numberFlag('--seed', value());
        break;
      case '--reply-words':
        replyWords = numberFlag('--reply-words', value());
        break;
      case '--quiet':
        quiet = true;
        break;
      case '--help':
      case '-h':
        print(usage());
        return undefined;
      default:
        throw new Error(`simulate: unknown option ${a}\n${usage()}`);
    }
  }
  const simulator = await startSimulator({
    port,
    host,
    ...(latencyMs !== undefined ? { latencyMs } : {}),
    ...(seed !== undefined ? { seed } : {}),
    ...(replyWords !== undefined ? { replyWords } : {}),
    ...(quiet ? {} : { logger: print }),
  });
  print(`modelplane simulator listening on ${simulator.url}`);
  for (const [name, base] of Object.entries(baseUrls(simulator.url))) print(`  ${name.padEnd(9)} ${base}`);
  print(
    hasFixtures()
      ? `  captures: ${fixturesDir()} (prompt "fixture:<path>" replays one)`
      : '  captures: not found; every answer is generated',
  );
  print(`  faults:   header x-sim-fault: status=529 | latency=200 | reset | cut=3 | hang; POST ${simulator.url}/__sim/fault`);

  const closed = new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      void simulator.close().then(resolve);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    const close = simulator.close;
    simulator.close = async () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      await close();
      resolve();
    };
  });
  return { simulator, closed };
}
