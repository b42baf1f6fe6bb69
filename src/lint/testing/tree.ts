// Test helpers: a throwaway directory tree, and the lint CLI run in-process against it.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { runLint } from '../../cli/lint.js';

export interface Tree {
  dir: string;
  write(path: string, text: string): string;
  remove(): void;
}

export function makeTree(files: Record<string, string> = {}): Tree {
  const dir = mkdtempSync(join(tmpdir(), 'modelplane-lint-'));
  const tree: Tree = {
    dir,
    write(path, text) {
      const abs = join(dir, path);
      mkdirSync(dirname(abs), { recursive: true });
      writeFileSync(abs, text);
      return abs;
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
  for (const [p, t] of Object.entries(files)) tree.write(p, t);
  return tree;
}

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export function runCli(cwd: string, args: string[], opts: { isTty?: boolean } = {}): CliRun {
  let stdout = '';
  let stderr = '';
  const code = runLint(args, { cwd, stdout: (s) => (stdout += s), stderr: (s) => (stderr += s), isTty: opts.isTty ?? false, env: {} });
  return { code, stdout, stderr };
}
