// The `modelplane` command: serve, check, demo, simulate, lint, router, cache, eval, shadow, promote, replay. Every mistake in how a command is
// invoked is one line on stderr and exit 2; a bad config is one line per problem and exit 1; no
// path ends in a stack trace.
import { resolve } from 'node:path';
import { ConfigError, loadSnapshotFromFile } from '../config/load.js';
import { parseCommand, portFlag, renderHelp, UsageError, nearestName, type CommandSpec, type FlagValues } from './args.js';
import { CHECK, DEMO, MIGRATE, SERVE, SIMULATE, TOP_HELP } from './commands.js';
import { untilSignal } from './signals.js';
import { packageVersion } from './version.js';

const SUBCOMMANDS = ['serve', 'check', 'migrate', 'demo', 'simulate', 'lint', 'router', 'cache', 'eval', 'shadow', 'promote', 'replay', 'help'];

export async function main(argv: string[]): Promise<number> {
  try {
    return await dispatch(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`${e.message}\n`);
      return 2;
    }
    if (e instanceof ConfigError) {
      process.stderr.write(`${e.message}\n`);
      return 1;
    }
    process.stderr.write(`modelplane: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
}

async function dispatch(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'serve':
      return withSpec(SERVE, rest, serve);
    case 'check':
      return withSpec(CHECK, rest, check);
    case 'migrate':
      return withSpec(MIGRATE, rest, async (values) => (await import('./migrate.js')).runMigrate(requireConfig('migrate', values)));
    case 'demo':
      return withSpec(DEMO, rest, async (values) => {
        const { runDemo } = await import('./demo.js');
        return runDemo({ port: portFlag('demo', values.port), traffic: values['no-traffic'] !== true, exitAfterTraffic: values['exit-after-traffic'] === true });
      });
    case 'simulate':
      // Validated here for the one-line errors; the simulator's own parser then reads the same args.
      return withSpec(SIMULATE, rest, async () => {
        const { runSimulatorCli } = await import('../../testkit/cli.js');
        const r = await runSimulatorCli(rest);
        if (r) {
          await Promise.race([r.closed, untilSignal({ withParent: true })]);
          await r.simulator.close();
        }
        return 0;
      });
    case 'keys':
    case 'teams':
    case 'customers':
    case 'agents':
      return (await import('./tenants.js')).runTenantCommand(command, rest);
    case 'spend':
    case 'budgets':
    case 'audit':
      return (await import('./spend.js')).runSpendCommand(command, rest);
    case 'lint': {
      const { runLint } = await import('./lint.js');
      return runLint(rest);
    }
    // Commands with parsers of their own (each prints its own --help and one-line usage errors).
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
    case '--version':
    case '-v':
    case 'version':
      process.stdout.write(`modelplane ${packageVersion()}\n`);
      return 0;
    case 'help': {
      const spec = [SERVE, CHECK, MIGRATE, DEMO, SIMULATE].find((s) => s.name === rest[0]);
      process.stdout.write(spec ? renderHelp(spec) : TOP_HELP);
      return 0;
    }
    case undefined:
    case '--help':
    case '-h':
      process.stdout.write(TOP_HELP);
      return command === undefined ? 2 : 0;
    default:
      throw new UsageError(`modelplane: unknown command "${command}"; did you mean "${nearestName(command.replace(/^-+/, ''), SUBCOMMANDS) ?? 'serve'}"? (modelplane --help lists them)`);
  }
}

async function withSpec(spec: CommandSpec, args: string[], run: (values: FlagValues) => number | Promise<number>): Promise<number> {
  const parsed = parseCommand(spec, args);
  if (parsed.help) {
    process.stdout.write(renderHelp(spec));
    return 0;
  }
  return run(parsed.values);
}

function requireConfig(command: string, values: FlagValues): string {
  const config = values.config;
  if (typeof config !== 'string' || config === '') throw new UsageError(`modelplane ${command}: --config FILE is required (modelplane ${command} --config ./gateway.yaml)`);
  return config;
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function check(values: FlagValues): number {
  const config = requireConfig('check', values);
  const s = loadSnapshotFromFile(resolve(config));
  const routes = [...s.routes.keys()].join(', ');
  process.stdout.write(`${config}: OK (${plural(s.providers.size, 'provider')}, ${plural(s.deployments.size, 'deployment')}, ${plural(s.routes.size, 'route')}: ${routes})\n`);
  return 0;
}

async function serve(values: FlagValues): Promise<number> {
  const config = requireConfig('serve', values);
  const port = portFlag('serve', values.port);
  const host = typeof values.host === 'string' ? values.host : undefined;
  if (typeof values.workers === 'string') {
    const primary = await servePrimary(config, values.workers);
    if (primary !== undefined) return primary;
  }
  const { startGateway } = await import('../server/app.js');
  const gw = await startGateway({
    configFile: resolve(config),
    watch: true,
    ...(port !== undefined ? { port } : {}),
    ...(host !== undefined ? { host } : {}),
  });
  const { trackInFlight } = await import('../server/shutdown.js');
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
  // A `--workers` worker (or any forked serve) holds an IPC channel that keeps it alive: let go.
  if (process.connected) process.disconnect();
  return 0;
}

/** The node:cluster primary of `serve --workers`; undefined in a worker (which then serves). */
async function servePrimary(config: string, workersFlag: string): Promise<number | undefined> {
  const { default: nodeCluster } = await import('node:cluster');
  if (nodeCluster.isWorker) return undefined;
  const { parseWorkers, runPrimary } = await import('../cluster/workers.js');
  const n = parseWorkers(workersFlag);
  if (n === undefined) throw new UsageError(`modelplane serve: --workers expects a positive number or auto, got "${workersFlag}"`);
  const snapshot = loadSnapshotFromFile(resolve(config));
  if (!snapshot.cluster) {
    throw new UsageError('modelplane serve: --workers needs cluster mode (cluster.redis and storage.postgres in the config): without shared state each worker would enforce limits and budgets alone. See docs/scaling.md');
  }
  process.stderr.write(`modelplane: starting ${plural(n, 'worker')} on one port\n`);
  return runPrimary(n, (line) => process.stderr.write(`${line}\n`), untilSignal());
}
