// `modelplane lint`: the command-line face of src/lint. Parses flags, runs the linter, prints the
// report in the chosen format and turns the outcome into an exit code: 0 clean, 1 findings,
// 2 a usage or configuration error (one line on stderr saying what is wrong).

import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { BaselineError } from '../lint/baseline.js';
import { lint, type LintResult } from '../lint/engine.js';
import { diffChanges, GitError, stagedChanges } from '../lint/git-changes.js';
import { GatewayConfigError } from '../lint/gateway-routes.js';
import { LintConfigError, loadProjectConfig } from '../lint/project-config.js';
import { BUILTIN_RULES, META_RULES } from '../lint/rules.js';
import { formatGithub } from '../lint/report/github.js';
import { formatJson } from '../lint/report/json.js';
import { formatSarif } from '../lint/report/sarif.js';
import { formatText, summary } from '../lint/report/text.js';
import { PathError } from '../lint/walk.js';

export const LINT_HELP = `usage: modelplane lint [options] [PATH ...]

Finds provider model ids hard-coded in application code (string literals, comments, templates,
settings files, notebooks, Markdown code blocks). Application code names routes; the gateway
config maps routes to models. PATH defaults to the current directory; .gitignore is respected.

options:
  -f, --format FORMAT     text (default), json, sarif (SARIF 2.1.0) or github (workflow annotations)
  -o, --output FILE       write the report to FILE instead of stdout
  -c, --config FILE       a gateway config: skipped, and used to suggest the route serving each model
                          (repeatable; files named modelplane*.yaml / gateway*.yaml are skipped anyway)
      --lint-config FILE  rules and exceptions (default: .modelplane-lint.yaml in the working directory)
      --staged            only lines staged for commit (pre-commit hooks)
      --diff BASE         only lines changed since the merge base with BASE (pull requests)
      --baseline FILE     baseline file (default: .modelplane-lint-baseline.json, used when it exists)
      --no-baseline       report every finding, ignoring the baseline
      --write-baseline    record today's findings; later runs fail only on new ones (only ever shrinks)
      --fix               rewrite a literal to the route serving it, when exactly one route does
      --fail-on LEVEL     error (default) or warning: the lowest severity that makes the exit code 1
      --no-gitignore      scan files .gitignore excludes too
      --list-rules        print the rule ids (built-in and from the lint config) and exit
  -h, --help              this help

exit codes: 0 no findings, 1 findings, 2 usage or configuration error
suppress one finding: modelplane-lint-ignore: <reason>   (on the line, or alone on the line above)
`;

const OPTIONS = {
  format: { type: 'string', short: 'f' },
  output: { type: 'string', short: 'o' },
  config: { type: 'string', short: 'c', multiple: true },
  'lint-config': { type: 'string' },
  staged: { type: 'boolean' },
  diff: { type: 'string' },
  baseline: { type: 'string' },
  'no-baseline': { type: 'boolean' },
  'write-baseline': { type: 'boolean' },
  fix: { type: 'boolean' },
  'fail-on': { type: 'string' },
  'no-gitignore': { type: 'boolean' },
  'list-rules': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const FORMATS = ['text', 'json', 'sarif', 'github'] as const;
type Format = (typeof FORMATS)[number];

export interface LintIo {
  cwd: string;
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  isTty: boolean;
  env: NodeJS.ProcessEnv;
}

const processIo = (): LintIo => ({
  cwd: process.cwd(),
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
  isTty: process.stdout.isTTY === true,
  env: process.env,
});

class UsageError extends Error {}

export function runLint(args: string[], io: LintIo = processIo()): number {
  try {
    return run(args, io);
  } catch (e) {
    if (e instanceof UsageError || e instanceof PathError || e instanceof LintConfigError || e instanceof GatewayConfigError || e instanceof GitError || e instanceof BaselineError) {
      io.stderr(`modelplane lint: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}

function parse(args: string[]) {
  try {
    return parseArgs({ args, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    const message = e instanceof Error ? e.message : String(e);
    const name = /'([^']+)'/.exec(message)?.[1] ?? '';
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      const near = nearestFlag(name);
      throw new UsageError(`unknown option ${name} (${near ? `did you mean ${near}?` : 'see modelplane lint --help'})`);
    }
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') throw new UsageError(`option ${/--[a-z-]+/.exec(name)?.[0] ?? name} needs a value`);
    throw new UsageError(message.split('\n')[0]!);
  }
}

/** The long flag closest to a mistyped one, if it is close enough to be the likely intent. */
function nearestFlag(typed: string): string | undefined {
  const bare = typed.replace(/^-+/, '').split('=')[0]!;
  if (bare.length < 3) return undefined;
  let best: { flag: string; d: number } | undefined;
  for (const flag of Object.keys(OPTIONS)) {
    const d = editDistance(bare, flag);
    if (!best || d < best.d) best = { flag, d };
  }
  return best && best.d <= Math.max(1, Math.floor(best.flag.length / 3)) ? `--${best.flag}` : undefined;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}

function run(args: string[], io: LintIo): number {
  const { values: v, positionals } = parse(args);
  if (v.help) {
    io.stdout(LINT_HELP);
    return 0;
  }
  if (v['list-rules']) {
    const project = loadProjectConfig(io.cwd, v['lint-config'] ? resolve(io.cwd, v['lint-config']) : undefined);
    const disabled = new Set(project.disabled);
    const rows = [...META_RULES, ...BUILTIN_RULES, ...project.extraRules].map((r) => `${r.id.padEnd(28)} ${r.severity.padEnd(8)} ${disabled.has(r.id) ? '(disabled) ' : ''}${r.description}`);
    io.stdout(rows.join('\n') + '\n');
    return 0;
  }
  const format = (v.format ?? 'text') as Format;
  if (!FORMATS.includes(format)) throw new UsageError(`unknown format "${v.format}" (expected ${FORMATS.join(', ')})`);
  const failOn = v['fail-on'] ?? 'error';
  if (failOn !== 'error' && failOn !== 'warning') throw new UsageError(`--fail-on expects error or warning, not "${failOn}"`);
  if (v.staged && v.diff !== undefined) throw new UsageError('give --staged or --diff BASE, not both');
  if (v['write-baseline'] && (v.staged || v.diff !== undefined)) throw new UsageError('--write-baseline records the whole tree; it cannot be combined with --staged or --diff');
  if (v.fix && (v.staged || v.diff !== undefined)) throw new UsageError('--fix rewrites files in the work tree; it cannot be combined with --staged or --diff');

  const changes = v.staged ? stagedChanges(io.cwd) : v.diff !== undefined ? diffChanges(io.cwd, v.diff) : undefined;
  const result = lint({
    cwd: io.cwd,
    paths: positionals,
    gatewayConfigs: v.config ?? [],
    ...(v['lint-config'] ? { lintConfig: v['lint-config'] } : {}),
    gitignore: !v['no-gitignore'],
    ...(changes ? { changes } : {}),
    ...(v.baseline ? { baseline: v.baseline } : {}),
    useBaseline: !v['no-baseline'],
    writeBaseline: v['write-baseline'] === true,
    fix: v.fix === true,
    // A JSON report from the last run lists the ids it found: it is not application code.
    ...(v.output ? { exclude: [v.output] } : {}),
  });
  const report = render(result, format, io.isTty && !v.output && !io.env.NO_COLOR);
  if (v.output) {
    writeFileSync(resolve(io.cwd, v.output), report);
    io.stdout(summary(result) + '\n');
  } else io.stdout(report);
  return exitCode(result, failOn);
}

function render(result: LintResult, format: Format, colour: boolean): string {
  switch (format) {
    case 'json':
      return formatJson(result);
    case 'sarif':
      return formatSarif(result);
    case 'github':
      return formatGithub(result);
    case 'text':
      return formatText(result, { colour });
  }
}

function exitCode(result: LintResult, failOn: 'error' | 'warning'): number {
  return result.findings.some((f) => failOn === 'warning' || f.severity === 'error') ? 1 : 0;
}
