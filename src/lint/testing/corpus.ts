// Scores the linter against the hand-written corpus in test/lint-corpus: every planted id is listed
// in its EXPECTED file (path:line:col severity text); anything else the linter reports is a false
// positive. Used by the corpus test and by `npm run lint:corpus` (figures for docs/lint.md).

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lint } from '../engine.js';

export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('package.json not found above ' + fileURLToPath(import.meta.url));
    dir = up;
  }
  return dir;
}

export const corpusDir = () => join(repoRoot(), 'test', 'lint-corpus');

export interface CorpusScore {
  expected: number;
  found: number;
  truePositives: number;
  missed: string[];
  falsePositives: string[];
  precision: number;
  recall: number;
  files: number;
}

export function scoreCorpus(dir = corpusDir()): CorpusScore {
  const expected = new Set(
    readFileSync(join(dir, 'EXPECTED'), 'utf8')
      .split('\n')
      .filter((l) => l && !l.startsWith('#'))
      .map((l) => l.split(' ').slice(0, 2).join(' ')),
  );
  const result = lint({ cwd: dir, paths: ['.'], gatewayConfigs: [], gitignore: true, useBaseline: false, writeBaseline: false, fix: false });
  const found = new Map(result.findings.map((f) => [`${f.file}:${f.line}:${f.column} ${f.severity}`, f.id]));
  const missed = [...expected].filter((e) => !found.has(e));
  const falsePositives = [...found].filter(([k]) => !expected.has(k)).map(([k, id]) => `${k} ${id}`);
  const tp = [...found.keys()].filter((k) => expected.has(k)).length;
  return {
    expected: expected.size,
    found: found.size,
    truePositives: tp,
    missed,
    falsePositives,
    precision: found.size === 0 ? 1 : tp / found.size,
    recall: expected.size === 0 ? 1 : tp / expected.size,
    files: result.filesScanned,
  };
}
