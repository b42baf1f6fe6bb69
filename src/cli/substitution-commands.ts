// What the substitution subcommands accept (eval run|capture, shadow report, promote, replay):
// the single source for their parsing (src/cli/args.ts: nearest-flag errors, exit 2) and --help.
import type { CommandSpec, FlagSpec } from './args.js';

const GATEWAY: Record<string, FlagSpec> = {
  url: { type: 'string', value: 'URL', description: 'the running gateway (default $MODELPLANE_URL or http://127.0.0.1:4000)' },
  key: { type: 'string', value: 'KEY', description: 'the master/admin key (default $MODELPLANE_KEY)' },
};

export const EVAL_RUN: CommandSpec = {
  name: 'eval run',
  summary: 'Run an eval suite through a running gateway and print a report. Exit 0 when it meets --min-pass (and, with --baseline, --max-regression), 1 when not, 2 for a usage or suite error.',
  usage: 'SUITE.yaml [--route R | --target DEPLOYMENT] [--baseline D | --baseline route:R] [flags]',
  positionals: 'SUITE.yaml',
  flags: {
    route: { type: 'string', value: 'R', description: 'send the cases to this route instead of the suite\'s' },
    target: { type: 'string', value: 'D', description: 'pin a deployment (x-modelplane-target; master key only)' },
    ...GATEWAY,
    config: { type: 'string', value: 'FILE', description: 'the gateway\'s config, to price answers (max-cost, cost columns)' },
    format: { type: 'string', value: 'table|json|junit', description: 'report format (default table; junit: XML for CI test reports)' },
    'min-pass': { type: 'string', value: 'X', description: 'exit 1 when the pass rate is under X (0..1, default 1)' },
    concurrency: { type: 'string', value: 'N', description: 'cases in flight (default 4)' },
    repeat: { type: 'string', value: 'K', description: 'run every case K times (default 1)' },
    baseline: { type: 'string', value: 'D', description: 'also run against deployment D (or route:R) and compare case by case' },
    'max-regression': { type: 'string', value: 'X', description: 'with --baseline: exit 1 when the pass rate drops by more than X (0..1, default 0)' },
    publish: { type: 'boolean', description: 'report the pass rate to the gateway (the promotion\'s eval_pass guard)' },
    embedder: { type: 'string', value: 'ngram|words|route:R', description: 'what `similar` compares with: character n-grams (default), the cache\'s word features, or an embeddings route of the gateway' },
  },
};

export const EVAL_CAPTURE: CommandSpec = {
  name: 'eval capture',
  summary: 'Write an eval suite from captured traffic of a route: the answers that were served become `similar` references. Reads the route\'s body capture (route `capture:`) from the store under --config\'s storage.data_dir, or request-log lines with --log (logging.log_bodies).',
  usage: '--route R (--config FILE | --log FILE ...) [--sample 200] [--since 7d] [--out FILE]',
  flags: {
    route: { type: 'string', value: 'R', description: 'the route whose traffic becomes cases; required' },
    config: { type: 'string', short: 'c', value: 'FILE', description: 'the gateway config: its data_dir holds the capture store' },
    log: { type: 'string', value: 'FILE', multiple: true, description: 'read log_bodies request lines from this log instead (repeatable)' },
    sample: { type: 'string', value: 'N', description: 'cases at most, an even sample over the period (default 200)' },
    since: { type: 'string', value: '7d', description: 'only traffic this recent (30m, 24h, 7d)' },
    threshold: { type: 'string', value: 'X', description: 'similarity an answer needs to the served one (0..1, default 0.8)' },
    out: { type: 'string', short: 'o', value: 'FILE', description: 'write the suite here (default: stdout)' },
  },
  notes: ['Captured prompts are user data (secrets are redacted at capture): review a suite before committing it.'],
};

export const SHADOW_REPORT: CommandSpec = {
  name: 'shadow report',
  summary: 'Paired comparison of a running gateway\'s shadow traffic: agreement, judged win rate with a 95% interval, error rates, latency and cost deltas, the pairs that disagree most.',
  usage: '[--route R] [--since 24h] [--format table|json] [--url URL] [--key KEY]',
  flags: {
    route: { type: 'string', value: 'R', description: 'only this route' },
    since: { type: 'string', value: '24h', description: 'only pairs this recent (from the store; default: everything since the gateway\'s store began)' },
    format: { type: 'string', value: 'table|json', description: 'output format (default table)' },
    ...GATEWAY,
  },
};

export const PROMOTE: CommandSpec = {
  name: 'promote',
  summary: 'Graduated promotions of a running gateway: start one without a config change, show their state and every decision (status), or steer one (pause, resume, abort). status exits 1 when a promotion was rolled back.',
  usage: 'start --route R --candidate D --steps 1,5,25,50,100 --interval 30m [--guard G ...] [--min-samples N] | status|pause|resume|abort [--route R] [--format table|json]',
  positionals: 'start|status|pause|resume|abort',
  flags: {
    route: { type: 'string', value: 'R', description: 'the route (required for start, pause, resume and abort)' },
    candidate: { type: 'string', value: 'D', description: 'start: the deployment to promote' },
    steps: { type: 'string', value: '1,5,25,50,100', description: 'start: traffic shares in percent, increasing, ending at 100' },
    interval: { type: 'string', value: '30m', description: 'start: at least this long per step (30s, 30m, 2h)' },
    guard: { type: 'string', value: 'G', multiple: true, description: "start: a guard, e.g. 'error_rate<=+1%', 'p95_latency<=+20%', 'eval_pass>=0.95', 'shadow_win>=0.45' (repeatable)" },
    'min-samples': { type: 'string', value: 'N', description: 'start: requests each arm needs per step before a guard can pass or fail' },
    format: { type: 'string', value: 'table|json', description: 'output format (default table)' },
    ...GATEWAY,
  },
};

export const REPLAY: CommandSpec = {
  name: 'replay',
  summary: 'What-if cost replay: price recorded traffic under another config. Reads the spend ledger under --config\'s storage.data_dir, or request-log lines with --log.',
  usage: '--policy NEW.yaml (--config CURRENT.yaml | --log FILE ...) [--since 30d] [--route R] [--format table|json] [--live N --route R]',
  flags: {
    policy: { type: 'string', value: 'FILE', description: 'the candidate config whose routing prices the traffic; required' },
    config: { type: 'string', short: 'c', value: 'FILE', description: 'the config the traffic ran under (its data_dir holds the ledger and the captures)' },
    log: { type: 'string', value: 'FILE', multiple: true, description: 'read request lines from this log instead of the ledger (repeatable)' },
    since: { type: 'string', value: '30d', description: 'only traffic this recent (30m, 24h, 7d; default: all)' },
    route: { type: 'string', value: 'R', description: 'only this route' },
    format: { type: 'string', value: 'table|json', description: 'output format (default table)' },
    live: { type: 'string', value: 'N', description: 'also re-send N captured prompts of --route through the running gateway to the policy\'s deployment, scored against the served answers' },
    ...GATEWAY,
  },
};
