// `--staged` and `--diff BASE`: which files and lines changed, from git, so a pre-commit hook or a
// pull request check reports only what the change introduces.

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

export class GitError extends Error {}

export interface Changes {
  /** Absolute path -> 1-based line numbers added or modified. */
  lines: Map<string, Set<number>>;
  /** Reads a changed file as the change has it (the index for --staged, the work tree otherwise). */
  read: (abs: string) => string;
}

function git(cwd: string, args: string[]): string {
  try {
    return execFileSync('git', ['-c', 'core.quotePath=false', ...args], { cwd, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const stderr = (e as { stderr?: unknown }).stderr;
    const why = typeof stderr === 'string' && stderr.trim() ? stderr.trim().split('\n')[0] : e instanceof Error ? e.message : String(e);
    throw new GitError(`git ${args.join(' ')}: ${why}`);
  }
}

/** Lines staged for commit (the index against HEAD, or against nothing before the first commit). */
export function stagedChanges(cwd: string): Changes {
  const diff = git(cwd, ['diff', '--cached', '--relative', '-U0', '--no-color', '--no-ext-diff', '--diff-filter=ACMR', '--no-renames']);
  const top = git(cwd, ['rev-parse', '--show-prefix']).trim();
  return {
    lines: parseUnifiedDiff(diff, cwd),
    // `git show :path` wants the path from the repository root.
    read: (abs) => git(cwd, ['show', `:${top}${relativeTo(cwd, abs)}`]),
  };
}

/** Lines changed in the work tree since the merge base of BASE and HEAD (what a pull request adds). */
export function diffChanges(cwd: string, base: string): Changes {
  const mergeBase = git(cwd, ['merge-base', base, 'HEAD']).trim();
  const diff = git(cwd, ['diff', mergeBase, '--relative', '-U0', '--no-color', '--no-ext-diff', '--diff-filter=ACMR', '--no-renames']);
  return { lines: parseUnifiedDiff(diff, cwd), read: (abs) => readFileSync(abs, 'utf8') };
}

function relativeTo(cwd: string, abs: string): string {
  const root = resolve(cwd);
  return abs.startsWith(root + '/') ? abs.slice(root.length + 1) : abs;
}

const HUNK = /^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@/;

export function parseUnifiedDiff(diff: string, cwd: string): Map<string, Set<number>> {
  const out = new Map<string, Set<number>>();
  let current: Set<number> | undefined;
  for (const line of diff.split('\n')) {
    if (line.startsWith('+++ ')) {
      let p = line.slice(4).replace(/\t$/, '');
      if (p === '/dev/null') {
        current = undefined;
        continue;
      }
      if (p.startsWith('"') && p.endsWith('"')) p = JSON.parse(p) as string;
      p = p.replace(/^b\//, '');
      current = new Set();
      out.set(resolve(cwd, p), current);
      continue;
    }
    const h = HUNK.exec(line);
    if (h && current) {
      const start = Number(h[1]);
      const count = h[2] === undefined ? 1 : Number(h[2]);
      for (let i = 0; i < count; i++) current.add(start + i);
    }
  }
  return out;
}
