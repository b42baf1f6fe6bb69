// `modelplane eval run SUITE [--route R | --target DEPLOYMENT]`: runs an eval suite through a
// running gateway and prints a report; the exit code is the CI gate (0 met, 1 not met, 2 usage).
import { parseArgs } from 'node:util';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { captureFromLogs, suiteYamlFrom } from '../evals/capture.js';
import { parseSince } from './since.js';
import { loadSnapshotFromFile } from '../config/load.js';
import { compareExitCode, compareRuns, formatComparison, formatJson, formatJunit, formatTable, exitCode } from '../evals/report.js';
import { runSuite, type RunOptions } from '../evals/runner.js';
import { loadSuite } from '../evals/suite.js';

export const EVAL_HELP = `usage: modelplane eval run SUITE.yaml [--route R | --target DEPLOYMENT] [options]
       modelplane eval capture --route R --log FILE [--log FILE ...] [--sample 200] [--since 7d] [--out FILE]
         (a suite from logged requests: needs logging.log_bodies; the served answers become references)
  --url URL            the gateway (default $MODELPLANE_URL or http://127.0.0.1:4000)
  --key KEY            the master key (default $MODELPLANE_KEY)
  --config FILE        the gateway's config, to price answers (max-cost, cost columns)
  --format table|json|junit  (default table; junit: XML for CI test reports)
  --min-pass X         exit 1 when the pass rate is under X (0..1, default 1)
  --concurrency N      cases in flight (default 4)
  --repeat K           run every case K times (default 1)
  --baseline D         also run against deployment D (or route:R for a route as served) and
                       compare case by case; exit 1 when the pass rate drops by more than
  --max-regression X   this share (0..1, default 0)
  --publish            report the pass rate to the gateway (the promotion's eval_pass guard)
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

export async function runEvalCli(args: string[], io: CliIo = stdio): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: {
        route: { type: 'string' },
        target: { type: 'string' },
        url: { type: 'string' },
        key: { type: 'string' },
        config: { type: 'string' },
        format: { type: 'string' },
        'min-pass': { type: 'string' },
        concurrency: { type: 'string' },
        repeat: { type: 'string' },
        publish: { type: 'boolean' },
        baseline: { type: 'string' },
        'max-regression': { type: 'string' },
        log: { type: 'string', multiple: true },
        sample: { type: 'string' },
        since: { type: 'string' },
        out: { type: 'string' },
      },
    });
  } catch (e) {
    io.err(`modelplane eval: ${(e as Error).message}\n${EVAL_HELP}`);
    return 2;
  }
  const [sub, file] = parsed.positionals;
  const v = parsed.values;
  if (sub === 'capture') return capture(v, io);
  if (sub !== 'run' || !file) {
    io.err(EVAL_HELP);
    return 2;
  }
  const format = v.format ?? 'table';
  const minPass = v['min-pass'] === undefined ? 1 : Number(v['min-pass']);
  const maxRegression = v['max-regression'] === undefined ? 0 : Number(v['max-regression']);
  if ((format !== 'table' && format !== 'json' && format !== 'junit') || !(minPass >= 0 && minPass <= 1) || !(maxRegression >= 0 && maxRegression <= 1)) {
    io.err(`modelplane eval: --format is table, json or junit, --min-pass and --max-regression numbers in 0..1\n`);
    return 2;
  }
  try {
    const suite = loadSuite(resolve(file));
    const opts: RunOptions = { ...gatewayArgs(io.env, v.url, v.key) };
    if (v.route) opts.route = v.route;
    if (v.target) opts.target = v.target;
    if (v.concurrency) opts.concurrency = Math.max(1, Number(v.concurrency) || 1);
    if (v.repeat) opts.repeat = Math.max(1, Number(v.repeat) || 1);
    if (v.config) {
      const snap = loadSnapshotFromFile(resolve(v.config), { env: io.env });
      opts.priceOf = (d) => snap.deployments.get(d)?.price;
    }
    if (v.baseline !== undefined) {
      const baseOpts: RunOptions = { ...opts };
      delete baseOpts.target;
      if (v.baseline.startsWith('route:')) baseOpts.route = v.baseline.slice('route:'.length);
      else baseOpts.target = v.baseline;
      const [baseline, candidate] = [await runSuite(suite, baseOpts), await runSuite(suite, opts)];
      const cmp = compareRuns(baseline, candidate);
      io.out(format === 'json' ? JSON.stringify(cmp, null, 2) + '\n' : format === 'junit' ? formatJunit(candidate) : formatComparison(cmp));
      if (v.publish) await publish(opts, candidate.route, v.target, candidate.summary.passRate, candidate.summary.cases);
      return compareExitCode(cmp, { minPass, maxRegression });
    }
    const run = await runSuite(suite, opts);
    io.out(format === 'json' ? formatJson(run) : format === 'junit' ? formatJunit(run) : formatTable(run));
    if (v.publish) await publish(opts, run.route, v.target, run.summary.passRate, run.summary.cases);
    return exitCode(run, { minPass });
  } catch (e) {
    io.err(`modelplane eval: ${(e as Error).message}\n`);
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

async function capture(v: { route?: string | undefined; log?: string[] | undefined; sample?: string | undefined; since?: string | undefined; out?: string | undefined }, io: CliIo): Promise<number> {
  if (!v.route || !v.log?.length) {
    io.err(`modelplane eval capture: --route R and --log FILE are required\n${EVAL_HELP}`);
    return 2;
  }
  const sample = v.sample === undefined ? 200 : Number(v.sample);
  if (!Number.isInteger(sample) || sample < 1) {
    io.err('modelplane eval capture: --sample is a positive integer\n');
    return 2;
  }
  try {
    const since = v.since === undefined ? undefined : Date.now() - parseSince(v.since);
    const cases = await captureFromLogs(v.log.map((f) => resolve(f)), { route: v.route, sample, ...(since !== undefined ? { since } : {}) });
    if (cases.length === 0) {
      io.err(`modelplane eval capture: no logged request of route ${v.route} with a prompt and an answer (is logging.log_bodies on?)\n`);
      return 1;
    }
    const yaml = suiteYamlFrom(v.route, cases);
    if (v.out) {
      writeFileSync(resolve(v.out), yaml);
      io.err(`wrote ${cases.length} cases to ${v.out}\n`);
    } else io.out(yaml);
    return 0;
  } catch (e) {
    io.err(`modelplane eval capture: ${(e as Error).message}\n`);
    return 2;
  }
}
