// Finds the files to scan under the given paths: every file a scanner understands, minus what
// .gitignore (nested ones included), the project's ignore list and the gateway's config files rule out.

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ignore, { type Ignore } from 'ignore';
import { syntaxForPath } from './scan/languages.js';

/** Never application code, whatever .gitignore says (or whether there is one). */
const ALWAYS_SKIPPED_DIRS = new Set(['.git', '.hg', '.svn', 'node_modules', '.venv', 'venv', '__pycache__', '.tox', '.mypy_cache', '.pytest_cache']);

export interface WalkOptions {
  root: string;
  gitignore: boolean;
  /** gitignore-syntax patterns relative to root (the project config's `ignore`). */
  ignore: readonly string[];
  /** Absolute paths never scanned (gateway configs, the lint config, the baseline). */
  excluded: ReadonlySet<string>;
}

export class PathError extends Error {}

interface Layer {
  dir: string;
  ig: Ignore;
}

/** Yields absolute paths. A path that does not exist is an error (a typo must not pass as clean). */
export function* walkFiles(paths: readonly string[], opts: WalkOptions): Generator<string> {
  const project = ignore().add([...opts.ignore]);
  const root = resolve(opts.root);
  const projectIgnored = (abs: string, dir: boolean) => {
    const rel = toPosix(relative(root, abs));
    if (rel === '' || rel.startsWith('..')) return false;
    return project.ignores(dir ? `${rel}/` : rel);
  };
  for (const p of paths) {
    const abs = resolve(root, p);
    if (!existsSync(abs)) throw new PathError(`path does not exist: ${p}`);
    const st = statSync(abs);
    if (st.isFile()) {
      if (!opts.excluded.has(abs) && !projectIgnored(abs, false) && syntaxForPath(abs)) yield abs;
      continue;
    }
    yield* walkDir(abs, opts.gitignore ? ancestorLayers(abs) : [], opts, projectIgnored);
  }
}

/**
 * `--staged` / `--diff`: the changed files under the given paths, without walking the tree (a
 * pre-commit hook must stay fast on a large repository). The same ignore rules apply.
 */
export function* changedFiles(changes: { lines: ReadonlyMap<string, unknown> }, paths: readonly string[], opts: WalkOptions): Generator<string> {
  const root = resolve(opts.root);
  const under = paths.map((p) => resolve(root, p));
  const project = ignore().add([...opts.ignore]);
  for (const abs of [...changes.lines.keys()].sort()) {
    if (!under.some((u) => abs === u || abs.startsWith(u.endsWith(sep) ? u : u + sep))) continue;
    const rel = toPosix(relative(root, abs));
    if (opts.excluded.has(abs) || !syntaxForPath(abs)) continue;
    if (rel && !rel.startsWith('..') && project.ignores(rel)) continue;
    if (rel.split('/').some((part) => ALWAYS_SKIPPED_DIRS.has(part))) continue;
    yield abs;
  }
}

function* walkDir(dir: string, layers: Layer[], opts: WalkOptions, projectIgnored: (abs: string, dir: boolean) => boolean): Generator<string> {
  if (opts.gitignore) {
    const own = readIgnoreFile(join(dir, '.gitignore'));
    if (own) layers = [...layers, { dir, ig: own }];
  }
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const abs = join(dir, e.name);
    const isDir = e.isDirectory();
    if (!isDir && !e.isFile()) continue;
    if (isDir && ALWAYS_SKIPPED_DIRS.has(e.name)) continue;
    if (gitIgnored(layers, abs, isDir) || projectIgnored(abs, isDir)) continue;
    if (isDir) yield* walkDir(abs, layers, opts, projectIgnored);
    else if (!opts.excluded.has(abs) && syntaxForPath(e.name)) yield abs;
  }
}

function gitIgnored(layers: readonly Layer[], abs: string, isDir: boolean): boolean {
  // Later (deeper) files win, as in git: a deeper `!pattern` re-includes.
  let ignored = false;
  for (const l of layers) {
    const rel = toPosix(relative(l.dir, abs));
    const r = l.ig.test(isDir ? `${rel}/` : rel);
    if (r.ignored) ignored = true;
    else if (r.unignored) ignored = false;
  }
  return ignored;
}

/** .gitignore files above the scanned dir, up to the repository root (the nearest `.git`), root first. */
function ancestorLayers(dir: string): Layer[] {
  const above: string[] = [];
  let d = dir;
  while (!existsSync(join(d, '.git'))) {
    const parent = dirname(d);
    if (parent === d) return []; // not in a repository: only the scanned tree's own .gitignore files count
    d = parent;
    above.unshift(d);
  }
  const layers: Layer[] = [];
  const exclude = readIgnoreFile(join(d, '.git', 'info', 'exclude'));
  if (exclude) layers.push({ dir: d, ig: exclude });
  for (const a of above) {
    const ig = readIgnoreFile(join(a, '.gitignore'));
    if (ig) layers.push({ dir: a, ig });
  }
  return layers;
}

function readIgnoreFile(path: string): Ignore | undefined {
  let text;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  return ignore().add(text);
}

export function toPosix(p: string): string {
  return sep === '/' ? p : p.split(sep).join('/');
}

