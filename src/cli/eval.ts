// `modelplane eval run SUITE [--route R | --target DEPLOYMENT]`: runs an eval suite through a
// running gateway and prints a report; the exit code is the CI gate (0 met, 1 not met, 2 usage).
// `modelplane eval capture`: a suite from captured traffic. Flags are parsed by args.ts from the
// specs in substitution-commands.ts (nearest-flag errors, per-command --help).
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { captureFromLogs, casesFromCaptures, suiteYamlFrom, type Captured } from '../evals/capture.js';
import { compareExitCode, compareRuns, formatComparison, formatJson, formatJunit, formatTable, exitCode } from '../evals/report.js';
import { runSuite, type RunOptions } from '../evals/runner.js';
import { loadSuite } from '../evals/suite.js';
import { chooseEmbedder } from '../evals/embedder-choice.js';
import { parseCommand, renderHelp, UsageError, type CommandSpec, type FlagValues } from './args.js';
import { parseSince } from './since.js';
import { EVAL_CAPTURE, EVAL_RUN } from './substitution-commands.js';
import { loadConfigWithoutSecrets, openCaptureStore } from './substitution-stores.js';

export const EVAL_HELP = `usage: modelplane eval run SUITE.yaml [--route R | --target DEPLOYMENT] [flags]
       modelplane eval capture --route R (--config FILE | --log FILE ...) [--sample 200] [--since 7d] [--out FILE]
modelplane eval run --help and modelplane eval capture --help list every flag.
`;

export interface CliIo {
  out: (s: string) => void;
  err: (s: string) => void;
  env: NodeJS.ProcessEnv;
}

const stdio: CliIo = { out: (s) => void process.stdout.write(s), err: (s) => void process.stderr.write(s), env: process.env };

export function gatewayArgs(env: NodeJS.ProcessEnv, url: string | undefined, key: string | undefined): { baseUrl: string; apiKey?: string } {
  const apiKey = key ?? env.MODELPLANE_KEY;
  return { baseUrl: url ?? env.MODELPLANE_URL ?? 'http://127.0.0.1:4000', ...(apiKey ? { apiKey } : {}) };
}

/** Parses with a spec; help and usage errors are written here. A number is the exit code to return at once. */
export function parseOrExit(spec: CommandSpec, args: string[], io: CliIo): { values: FlagValues; positionals: string[]; lists: Record<string, string[]> } | number {
  try {
    const p = parseCommand(spec, args);
    if (p.help) {
      io.out(renderHelp(spec));
      return 0;
    }
    return p;
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`${e.message}\n`);
      return 2;
    }
    throw e;
  }
}

export const str = (v: string | boolean | undefined): string | undefined => (typeof v === 'string' ? v : undefined);

/** A number flag in [min, max], or the default; a UsageError names the flag otherwise. */
export function numberFlag(command: string, name: string, v: string | boolean | undefined, dflt: number, min: number, max: number, integer = false): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (typeof v !== 'string' || v.trim() === '' || !Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
    throw new UsageError(`modelplane ${command}: --${name} expects ${integer ? 'an integer' : 'a number'} from ${min} to ${max === Infinity ? 'up' : max}, got "${String(v)}"`);
  }
  return n;
}

export async function runEvalCli(args: string[], io: CliIo = stdio): Promise<number> {
  const [sub, ...rest] = args;
  try {
    if (sub === 'run') return await run(rest, io);
    if (sub === 'capture') return await capture(rest, io);
  } catch (e) {
    io.err(`${e instanceof UsageError ? e.message : `modelplane eval ${sub}: ${(e as Error).message}`}\n`);
    return 2;
  }
  if (sub === '--help' || sub === '-h' || sub === 'help') {
    io.out(EVAL_HELP);
    return 0;
  }
  io.err(sub === undefined ? EVAL_HELP : `modelplane eval: unknown subcommand "${sub}" (run or capture)\n${EVAL_HELP}`);
  return 2;
}

async function run(args: string[], io: CliIo): Promise<number> {
  const p = parseOrExit(EVAL_RUN, args, io);
  if (typeof p === 'number') return p;
  const v = p.values;
  const [file, extra] = p.positionals;
  if (!file) throw new UsageError('modelplane eval run: the suite file is missing (modelplane eval run evals/support.yaml)');
  if (extra !== undefined) throw new UsageError(`modelplane eval run: unexpected argument "${extra}" (one suite per run)`);
  const format = str(v.format) ?? 'table';
  if (format !== 'table' && format !== 'json' && format !== 'junit') throw new UsageError(`modelplane eval run: --format is table, json or junit, got "${format}"`);
  const minPass = numberFlag('eval run', 'min-pass', v['min-pass'], 1, 0, 1);
  const maxRegression = numberFlag('eval run', 'max-regression', v['max-regression'], 0, 0, 1);
  const opts: RunOptions = { ...gatewayArgs(io.env, str(v.url), str(v.key)) };
  const route = str(v.route);
  const target = str(v.target);
  if (route) opts.route = route;
  if (target) opts.target = target;
  if (v.concurrency !== undefined) opts.concurrency = numberFlag('eval run', 'concurrency', v.concurrency, 4, 1, 1000, true);
  if (v.repeat !== undefined) opts.repeat = numberFlag('eval run', 'repeat', v.repeat, 1, 1, 1000, true);
  try {
    opts.embedder = chooseEmbedder(str(v.embedder), opts);
  } catch (e) {
    throw new UsageError(`modelplane eval run: ${(e as Error).message}`);
  }
  const config = str(v.config);
  try {
    const suite = loadSuite(resolve(file));
    if (config) {
      const snap = loadConfigWithoutSecrets(config, io.env);
      opts.priceOf = (d) => snap.deployments.get(d)?.price;
    }
    const baseline = str(v.baseline);
    if (baseline !== undefined) {
      const baseOpts: RunOptions = { ...opts };
      delete baseOpts.target;
      if (baseline.startsWith('route:')) baseOpts.route = baseline.slice('route:'.length);
      else baseOpts.target = baseline;
      const [base, candidate] = [await runSuite(suite, baseOpts), await runSuite(suite, opts)];
      const cmp = compareRuns(base, candidate);
      io.out(format === 'json' ? JSON.stringify(cmp, null, 2) + '\n' : format === 'junit' ? formatJunit(candidate) : formatComparison(cmp));
      if (v.publish === true) await publish(opts, candidate.route, target, candidate.summary.passRate, candidate.summary.cases);
      return compareExitCode(cmp, { minPass, maxRegression });
    }
    const result = await runSuite(suite, opts);
    io.out(format === 'json' ? formatJson(result) : format === 'junit' ? formatJunit(result) : formatTable(result));
    if (v.publish === true) await publish(opts, result.route, target, result.summary.passRate, result.summary.cases);
    return exitCode(result, { minPass });
  } catch (e) {
    io.err(`modelplane eval run: ${(e as Error).message}\n`);
    return 2;
  }
}

async function publish(opts: RunOptions, route: string, target: string | undefined, passRate: number, cases: number): Promise<void> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (opts.apiKey) headers.authorization = `Bearer ${opts.apiKey}`;
  const res = await fetch(`${opts.baseUrl.replace(/\/+$/, '')}/admin/promotions/eval`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ route, ...(target ? { deployment: target } : {}), pass_rate: passRate, cases }),
  });
  if (!res.ok) throw new Error(`publishing the pass rate failed: ${res.status} ${await res.text()}`);
}

/** Captured cases of a route: from the capture store under `config`'s data_dir, or from log files. */
export async function capturedCases(io: CliIo, command: string, q: { route: string; config?: string; logs: readonly string[]; sample: number; since?: number }): Promise<Captured[]> {
  if (q.logs.length > 0) return captureFromLogs(q.logs.map((f) => resolve(f)), { route: q.route, sample: q.sample, ...(q.since !== undefined ? { since: q.since } : {}) });
  if (q.config === undefined) throw new UsageError(`modelplane ${command}: --config FILE (the gateway's; its data_dir holds the captures) or --log FILE is required`);
  const store = openCaptureStore(command, q.config, loadConfigWithoutSecrets(q.config, io.env));
  try {
    // Deduplicate before sampling, so a prompt sent a hundred times does not crowd out the rest.
    const all = casesFromCaptures(store.list({ route: q.route, ...(q.since !== undefined ? { since: q.since } : {}) }));
    if (all.length <= q.sample) return all;
    const step = all.length / q.sample;
    return Array.from({ length: q.sample }, (_, i) => all[Math.floor(i * step)]!);
  } finally {
    await store.close();
  }
}

export function sinceFlag(command: string, v: string | boolean | undefined, now = Date.now()): number | undefined {
  if (typeof v !== 'string') return undefined;
  try {
    return now - parseSince(v);
  } catch (e) {
    throw new UsageError(`modelplane ${command}: ${(e as Error).message}`);
  }
}

async function capture(args: string[], io: CliIo): Promise<number> {
  const p = parseOrExit(EVAL_CAPTURE, args, io);
  if (typeof p === 'number') return p;
  const v = p.values;
  const route = str(v.route);
  if (!route) throw new UsageError('modelplane eval capture: --route R is required (the route whose traffic becomes cases)');
  const sample = numberFlag('eval capture', 'sample', v.sample, 200, 1, 1_000_000, true);
  const threshold = numberFlag('eval capture', 'threshold', v.threshold, 0.8, 0, 1);
  const since = sinceFlag('eval capture', v.since);
  const config = str(v.config);
  const cases = await capturedCases(io, 'eval capture', { route, logs: p.lists.log ?? [], sample, ...(config !== undefined ? { config } : {}), ...(since !== undefined ? { since } : {}) });
  if (cases.length === 0) {
    io.err(`modelplane eval capture: no captured request of route ${route} with a prompt and an answer (does the route have \`capture:\`, or the log logging.log_bodies?)\n`);
    return 1;
  }
  const yaml = suiteYamlFrom(route, cases, threshold);
  const out = str(v.out);
  if (out) {
    writeFileSync(resolve(out), yaml);
    io.err(`wrote ${cases.length} cases to ${out}\n`);
  } else io.out(yaml);
  return 0;
}
