// What each `modelplane` subcommand accepts: the single source for parsing and for --help.
import type { CommandSpec } from './args.js';

export const SERVE: CommandSpec = {
  name: 'serve',
  summary: 'Run the gateway. The config file is watched: save an edit and it reloads (a broken edit is rejected; the old config keeps serving).',
  usage: '--config FILE [--port N] [--host H] [--workers N|auto]',
  flags: {
    config: { type: 'string', short: 'c', value: 'FILE', description: 'the gateway config (YAML); required' },
    port: { type: 'string', short: 'p', value: 'N', description: 'listen on this port (overrides server.port)' },
    host: { type: 'string', value: 'H', description: 'listen on this address (overrides server.host)' },
    workers: { type: 'string', value: 'N|auto', description: 'run N gateway processes on one port (auto: one per core); needs cluster mode (docs/scaling.md)' },
  },
};

export const MIGRATE: CommandSpec = {
  name: 'migrate',
  summary: 'Apply the Postgres schema that cluster mode needs (storage.postgres). Additive and safe to run again or from several places at once; `serve` refuses an older schema.',
  usage: '--config FILE',
  flags: {
    config: { type: 'string', short: 'c', value: 'FILE', description: 'the gateway config (YAML, in cluster mode); required' },
  },
};

export const CHECK: CommandSpec = {
  name: 'check',
  summary: 'Validate a config file without starting anything: exit 0 and a summary, or exit 1 and one line per problem.',
  usage: '--config FILE',
  flags: {
    config: { type: 'string', short: 'c', value: 'FILE', description: 'the gateway config (YAML); required' },
  },
};

export const DEMO: CommandSpec = {
  name: 'demo',
  summary: 'The whole gateway offline: simulated providers, a generated config, the gateway, and sample traffic through it. Stops on Ctrl-C, SIGTERM, or when the process that started it exits.',
  usage: '[--port N] [--no-traffic] [--exit-after-traffic]',
  flags: {
    port: { type: 'string', short: 'p', value: 'N', description: 'gateway port (default 4000; a free port if it is busy; 0 for any)' },
    'no-traffic': { type: 'boolean', description: 'start everything but send no sample requests' },
    'exit-after-traffic': { type: 'boolean', description: 'stop after the sample requests (exit 1 if any failed)' },
  },
};

export const SIMULATE: CommandSpec = {
  name: 'simulate',
  summary: 'Only the simulated providers, speaking each provider\'s real wire format (no keys, no network). Stops on Ctrl-C, SIGTERM, or when the process that started it exits.',
  usage: '[--port N] [--host H] [--latency MS] [--seed N] [--reply-words N] [--quiet]',
  flags: {
    port: { type: 'string', value: 'N', description: 'port (default 4010)' },
    host: { type: 'string', value: 'H', description: 'loopback address to listen on (default 127.0.0.1)' },
    latency: { type: 'string', value: 'MS', description: 'delay before each answer' },
    seed: { type: 'string', value: 'N', description: 'seed for the generated answers' },
    'reply-words': { type: 'string', value: 'N', description: 'length of generated answers' },
    quiet: { type: 'boolean', description: 'do not log each request' },
  },
  notes: ['Faults: header x-sim-fault (status=529 | latency=200 | reset | cut=3 | hang) or POST /__sim/fault.'],
};

export const COMMANDS: ReadonlyArray<CommandSpec> = [SERVE, CHECK, MIGRATE, DEMO, SIMULATE];

export const TOP_HELP = `modelplane: an AI gateway. Application code names routes; modelplane picks the model.

usage:
  modelplane serve --config FILE [--port N] [--host H]   run the gateway (hot-reloads FILE on change)
  modelplane check --config FILE                         validate a config file without starting
  modelplane migrate --config FILE                       apply the Postgres schema of cluster mode (docs/scaling.md)
  modelplane demo [--port N] [--no-traffic]              gateway + simulated providers + sample traffic, offline
  modelplane simulate [--port N]                         only the simulated providers (no keys needed)
  modelplane lint [PATH ...]                             find provider model ids hard-coded in application code
  modelplane router train|calibrate|eval|savings ...     make and measure the router of \`strategy: auto\` routes, and what it saved
  modelplane cache stats|purge [--url U] [--route R] ...  the response cache's KPI, and purging it (docs/caching.md)
  modelplane keys|teams|customers|agents ...             virtual keys and the tenant hierarchy (docs/tenants.md)
  modelplane spend|budgets|audit ...                     who spent what, budget state, the admin audit trail
  modelplane eval run SUITE [--route R | --target D]     run an eval suite through a running gateway (CI gate)
  modelplane eval capture --route R --config FILE        write a suite from a route's captured traffic
  modelplane shadow report [--route R] [--since 24h]     paired comparison of shadow traffic
  modelplane promote start|status [--route R] ...        graduated promotions and their decisions
  modelplane replay --policy FILE --config FILE          price the ledger's traffic under another config
  modelplane --version                                   print the version

modelplane COMMAND --help shows a command's flags.
`;
