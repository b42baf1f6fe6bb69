import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { makeTree, runCli } from './testing/tree.js';
import { parseUnifiedDiff } from './git-changes.js';

function git(cwd: string, ...args: string[]) {
  return execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.invalid', '-c', 'init.defaultBranch=main', '-c', 'commit.gpgsign=false', ...args], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

interface Doc {
  findings: Array<{ file: string; line: number; id: string }>;
}
const ids = (r: { stdout: string }) => (JSON.parse(r.stdout) as Doc).findings.map((f) => `${f.file}:${f.line} ${f.id}`);

test('--staged reports only staged lines, read from the index (not the work tree)', (t) => {
  const tree = makeTree({ 'app.ts': `const old = 'gpt-4o-mini';\n`, 'other.py': `M = "gpt-4.1"\n` });
  t.after(() => tree.remove());
  git(tree.dir, 'init', '-q');
  git(tree.dir, 'add', '-A');
  git(tree.dir, 'commit', '-qm', 'first');
  tree.write('app.ts', `const old = 'gpt-4o-mini';\nconst added = 'claude-haiku-4-5';\n`);
  tree.write('new.go', `package x\nconst M = "gemini-2.5-pro"\n`);
  git(tree.dir, 'add', 'app.ts', 'new.go');
  // An unstaged edit after staging: the commit will not contain it, so it is not reported.
  tree.write('app.ts', `const old = 'gpt-4o-mini';\nconst added = 'claude-haiku-4-5';\nconst unstaged = 'deepseek-chat';\n`);
  const r = runCli(tree.dir, ['--staged', '--format', 'json']);
  assert.equal(r.code, 1, r.stderr);
  assert.deepEqual(ids(r), ['app.ts:2 claude-haiku-4-5', 'new.go:2 gemini-2.5-pro']);
  assert.deepEqual(ids(runCli(tree.dir, ['--staged', '--format', 'json', 'new.go'])), ['new.go:2 gemini-2.5-pro'], 'paths narrow the staged files');
  // With a baseline of the whole tree, a staged run does not call the unlooked-at entries fixed.
  assert.equal(runCli(tree.dir, ['--write-baseline']).code, 0);
  assert.doesNotMatch(runCli(tree.dir, ['--staged']).stdout, /fixed/);
  git(tree.dir, 'commit', '-qm', 'second');
  const clean = runCli(tree.dir, ['--staged']);
  assert.equal(clean.code, 0);
  assert.match(clean.stdout, /0 file\(s\) scanned; no model ids found/);
});

test('--diff BASE reports lines changed since the merge base, including uncommitted ones', (t) => {
  const tree = makeTree({ 'app.ts': `const old = 'gpt-4o-mini';\n` });
  t.after(() => tree.remove());
  git(tree.dir, 'init', '-q');
  git(tree.dir, 'add', '-A');
  git(tree.dir, 'commit', '-qm', 'base');
  git(tree.dir, 'checkout', '-qb', 'feature');
  tree.write('app.ts', `const old = 'gpt-4o-mini';\nconst pr = 'gpt-4.1';\n`);
  git(tree.dir, 'commit', '-qam', 'feature work');
  // main moves on after the branch point: its changes are not the pull request's.
  git(tree.dir, 'checkout', '-q', 'main');
  tree.write('main-only.ts', `const m = 'gpt-4.1-nano';\n`);
  git(tree.dir, 'add', '-A');
  git(tree.dir, 'commit', '-qm', 'main moves');
  git(tree.dir, 'checkout', '-q', 'feature');
  tree.write('wip.py', `X = "deepseek-reasoner"\n`);
  const r = runCli(tree.dir, ['--diff', 'main', '--format', 'json']);
  assert.equal(r.code, 1, r.stderr);
  assert.deepEqual(ids(r), ['app.ts:2 gpt-4.1']);
  // Untracked files are not in a diff; once added they are.
  git(tree.dir, 'add', 'wip.py');
  assert.deepEqual(ids(runCli(tree.dir, ['--diff', 'main', '--format', 'json'])), ['app.ts:2 gpt-4.1', 'wip.py:1 deepseek-reasoner']);
  const bad = runCli(tree.dir, ['--diff', 'no-such-branch']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /^modelplane lint: git merge-base no-such-branch HEAD: /);
});

test('--staged outside a git repository is a usage error', (t) => {
  const tree = makeTree({ 'a.ts': '' });
  t.after(() => tree.remove());
  const r = runCli(tree.dir, ['--staged']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^modelplane lint: git diff --cached/);
});

test('unified diff parsing: added ranges, zero-length hunks, deleted files, quoted paths', () => {
  const diff = [
    'diff --git a/a.ts b/a.ts',
    '--- a/a.ts',
    '+++ b/a.ts\t',
    '@@ -1,0 +2,3 @@',
    '@@ -10 +12 @@',
    '@@ -20,2 +21,0 @@',
    'diff --git a/gone.ts b/gone.ts',
    '+++ /dev/null',
    '@@ -1 +0,0 @@',
    '+++ "b/say \\"hi\\".ts"',
    '@@ -0,0 +1 @@',
  ].join('\n');
  const m = parseUnifiedDiff(diff, '/r');
  assert.deepEqual([...m.keys()], ['/r/a.ts', '/r/say "hi".ts']);
  assert.deepEqual([...m.get('/r/a.ts')!], [2, 3, 4, 12]);
});
