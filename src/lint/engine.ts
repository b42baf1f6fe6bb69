// The linter as a library: paths and options in, findings out. The CLI (src/cli/lint.ts) parses
// flags and prints; everything it reports is decided here.

import { existsSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { applyBaseline, DEFAULT_BASELINE_FILE, readBaseline, writeBaseline } from './baseline.js';
import { createDetector } from './detector.js';
import { applyFixes, type FixPlan } from './fix.js';
import type { Changes } from './git-changes.js';
import { loadRouteIndex, mergeRouteIndexes, suggestionFor, type RouteIndex } from './gateway-routes.js';
import { LintConfigError, loadProjectConfig, PROJECT_CONFIG_FILE } from './project-config.js';
import { scanText } from './scan-file.js';
import type { Finding } from './types.js';
import { changedFiles, toPosix, walkFiles } from './walk.js';

export interface LintOptions {
  cwd: string;
  paths: readonly string[];
  /** Gateway config files (`--config`): never scanned, and the source of route suggestions. */
  gatewayConfigs: readonly string[];
  /** `.modelplane-lint.yaml` elsewhere than the working directory. */
  lintConfig?: string;
  gitignore: boolean;
  /** Only these files and lines (`--staged`, `--diff BASE`). */
  changes?: Changes;
  /** Baseline file; undefined uses the project config's or the default name when it exists. */
  baseline?: string;
  useBaseline: boolean;
  writeBaseline: boolean;
  fix: boolean;
  /** Files never scanned besides configs and the baseline (the CLI's own `--output` report). */
  exclude?: readonly string[];
}

export interface LintResult {
  /** Findings that fail the run (not in the baseline). */
  findings: Finding[];
  baselined: number;
  /** Baseline entries no longer found (run --write-baseline to shrink it). */
  staleBaseline: number;
  filesScanned: number;
  skippedConfigs: string[];
  fixed: number;
  baselineWritten?: string;
}

const MAX_BYTES = 4 * 1024 * 1024;

export function lint(opts: LintOptions): LintResult {
  const cwd = resolve(opts.cwd);
  const project = loadProjectConfig(cwd, opts.lintConfig && resolve(cwd, opts.lintConfig));
  const detector = createDetector({ disabled: project.disabled, extraRules: project.extraRules, allowed: project.allowed });
  const configFiles = [...opts.gatewayConfigs, ...project.gatewayConfigs].map((f) => resolve(cwd, f));
  const indexes = configFiles.map((f) => loadRouteIndex(f));
  if (indexes.length === 0) {
    const found = conventionalConfig(cwd);
    if (found) indexes.push(found);
  }
  const routes = mergeRouteIndexes(indexes.map((ix) => ({ ...ix, source: toPosix(relative(cwd, ix.source)) })));
  const baselinePath = resolve(cwd, opts.baseline ?? project.baseline ?? DEFAULT_BASELINE_FILE);
  const excluded = new Set([
    ...configFiles,
    resolve(cwd, PROJECT_CONFIG_FILE),
    baselinePath,
    ...(project.source ? [resolve(project.source)] : []),
    ...(opts.exclude ?? []).map((f) => resolve(cwd, f)),
  ]);

  if (opts.fix && !routes) throw new LintConfigError('--fix needs a gateway config to know the route names (--config FILE, or config: in .modelplane-lint.yaml)');

  const suggest = (id: string, provider: string | undefined) => suggestionFor(routes, id, provider);
  const all: Finding[] = [];
  const skippedConfigs: string[] = [];
  const fixes = new Map<string, FixPlan[]>();
  let filesScanned = 0;
  const walkOpts = { root: cwd, gitignore: opts.gitignore, ignore: project.ignore, excluded };
  const paths = opts.paths.length ? opts.paths : ['.'];
  const files = opts.changes ? changedFiles(opts.changes, paths, walkOpts) : walkFiles(paths, walkOpts);
  for (const abs of files) {
    const changed = opts.changes?.lines.get(abs);
    if (opts.changes && !changed) continue;
    const text = readText(abs, opts.changes);
    if (text === undefined) continue;
    const rel = toPosix(relative(cwd, abs)) || abs;
    const r = scanText(rel, text, detector, suggest);
    if (r.skipped === 'gateway-config') skippedConfigs.push(rel);
    if (r.skipped) continue;
    filesScanned++;
    for (const f of r.findings) {
      if (changed && !changed.has(f.line)) continue;
      const s = f.severity === 'error' && f.wholeLiteral && routes ? suggest(f.id, undefined) : undefined;
      if (opts.fix && s?.route && !opts.changes) {
        fixes.set(abs, [...(fixes.get(abs) ?? []), { finding: f, route: s.route }]);
        continue;
      }
      all.push(f);
    }
  }
  let fixed = 0;
  for (const [abs, plans] of fixes) fixed += applyFixes(abs, plans);

  const existing = opts.useBaseline || opts.writeBaseline ? readBaseline(baselinePath) : undefined;
  if (opts.writeBaseline) {
    const left = writeBaseline(baselinePath, all, existing);
    return { findings: left, baselined: all.length - left.length, staleBaseline: 0, filesScanned, skippedConfigs, fixed, baselineWritten: toPosix(relative(cwd, baselinePath)) };
  }
  const split = applyBaseline(all, opts.useBaseline ? existing : undefined);
  // Over a diff most recorded findings are simply not looked at: none of them counts as fixed.
  const staleBaseline = opts.changes ? 0 : split.stale;
  return { findings: split.fresh, baselined: split.baselined.length, staleBaseline, filesScanned, skippedConfigs, fixed };
}

/** Without --config, a gateway config by its conventional name in the working directory (if it reads as one). */
function conventionalConfig(cwd: string): RouteIndex | undefined {
  for (const name of ['modelplane.yaml', 'modelplane.yml', 'gateway.yaml', 'gateway.yml']) {
    const file = join(cwd, name);
    if (!existsSync(file)) continue;
    try {
      return loadRouteIndex(file);
    } catch {
      return undefined; // not a gateway config after all: suggestions without routes
    }
  }
  return undefined;
}

function readText(abs: string, changes: Changes | undefined): string | undefined {
  let text: string;
  try {
    text = changes ? changes.read(abs) : readFileSync(abs, 'utf8');
  } catch {
    return undefined;
  }
  if (text.length > MAX_BYTES) return undefined;
  // Binary files that happen to carry a source extension.
  if (text.slice(0, 8000).includes('\u0000')) return undefined;
  return text;
}
