// The `modelplane` command: serve, check, demo, simulate, lint, router, cache, eval, shadow, promote, replay.
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { ConfigError, loadSnapshotFromFile } from '../config/load.js';
import { startGateway } from '../server/app.js';
import { trackInFlight } from '../server/shutdown.js';

const HELP = `modelplane: an AI gateway. Application code names routes; modelplane picks the model.

usage:
  modelplane serve --config FILE [--port N] [--host H]   run the gateway (hot-reloads FILE on change)
  modelplane check --config FILE                         validate a config file without starting
  modelplane demo [--port N] [--no-traffic]              gateway + simulated providers + sample traffic, offline
  modelplane simulate [--port N]                         only the simulated providers (no keys needed)
  modelplane lint [PATH ...]                             find provider model ids hard-coded in application code
  modelplane router train|calibrate|eval ...             make and measure the router of \`strategy: auto\` routes
  modelplane cache stats|purge [--url U] [--route R] ...  the response cache's KPI, and purging it (docs/cache.md)
  modelplane eval run SUITE [--route R | --target D]     run an eval suite through a running gateway (CI gate)
  modelplane shadow report [--route R]                   paired comparison of shadow traffic
  modelplane promote status [--route R]                  graduated promotions and their decisions
  modelplane replay --policy FILE --log FILE [--since 7d] price logged traffic under another config
`;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'serve':
      return serve(rest);
    case 'check':
      return check(rest);
    case 'demo': {
      const { runDemo } = await import('./demo.js');
      return runDemo(rest);
    }
    case 'simulate': {
      const { runSimulatorCli } = await import('../../testkit/cli.js');
      const r = await runSimulatorCli(rest);
      if (r) await r.closed;
      return 0;
    }
    case 'router': {
      const { runRouter } = await import('./router.js');
      return runRouter(rest);
    }
    case 'cache': {
      const { runCache } = await import('./cache.js');
      return runCache(rest);
    }
    case 'eval': {
      const { runEvalCli } = await import('./eval.js');
      return runEvalCli(rest);
    }
    case 'shadow':
    case 'promote':
    case 'replay': {
      const { runSubstitutionCli } = await import('./substitution.js');
      return runSubstitutionCli(command, rest);
    }
    case 'lint': {
      const { runLint } = await import('./lint.js');
      return runLint(rest);
    }
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(HELP);
      return command === undefined ? 1 : 0;
    default:
      process.stderr.write(`modelplane: unknown command "${command}"\n\n${HELP}`);
      return 2;
  }
}

function configArgs(args: string[]) {
  return parseArgs({
    args,
    options: { config: { type: 'string', short: 'c' }, port: { type: 'string', short: 'p' }, host: { type: 'string' } },
    strict: true,
  }).values;
}

function check(args: string[]): number {
  const { config } = configArgs(args);
  if (!config) {
    process.stderr.write('modelplane check: --config FILE is required\n');
    return 2;
  }
  try {
    const s = loadSnapshotFromFile(resolve(config));
    process.stdout.write(`${config}: OK (${s.providers.size} providers, ${s.deployments.size} deployments, ${s.routes.size} routes: ${[...s.routes.keys()].join(', ')})\n`);
    return 0;
  } catch (e) {
    process.stderr.write(`${e instanceof ConfigError ? e.message : String(e)}\n`);
    return 1;
  }
}

async function serve(args: string[]): Promise<number> {
  const { config, port, host } = configArgs(args);
  if (!config) {
    process.stderr.write('modelplane serve: --config FILE is required\n');
    return 2;
  }
  let gw;
  try {
    gw = await startGateway({
      configFile: resolve(config),
      watch: true,
      ...(port !== undefined ? { port: Number(port) } : {}),
      ...(host !== undefined ? { host } : {}),
    });
  } catch (e) {
    process.stderr.write(`${e instanceof ConfigError ? e.message : String(e)}\n`);
    return 1;
  }
  const tracker = trackInFlight(gw.server);
  gw.log.info({ url: gw.url, routes: [...gw.holder.current.routes.keys()] }, 'modelplane listening');
  process.stderr.write(`modelplane listening on ${gw.url} (OpenAI: ${gw.url}/v1, Anthropic: ${gw.url})\n`);
  await untilSignal();
  const grace = gw.holder.current.server.shutdownGraceMs;
  const inFlight = tracker.inFlight();
  // drain() closes the listening socket before it returns its promise: the line below is true.
  const draining = tracker.drain(grace);
  process.stderr.write(`modelplane shutting down: no new connections; ${inFlight} request(s) in flight get up to ${grace} ms\n`);
  const drained = await draining;
  gw.log.info({ in_flight: drained.inFlightAtStart, finished: drained.finished, cut: drained.cut, grace_ms: grace }, 'drained');
  await gw.close();
  process.stderr.write(`modelplane stopped (${drained.finished} finished, ${drained.cut} cut)\n`);
  return 0;
}

export function untilSignal(): Promise<void> {
  return new Promise((r) => {
    const done = () => r();
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
}
