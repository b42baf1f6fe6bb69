// The `modelplane` command as a user runs it: help per subcommand, one-line usage errors with
// exit 2 and never a stack trace, a pluralised `check` summary, and a demo that does not outlive
// the process that started it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { connect } from 'node:net';
import { projectRoot } from '../testkit/fixtures.js';
import { editDistance, nearestName } from '../src/cli/args.js';

const BIN = join(projectRoot(), 'bin', 'modelplane.js');
const run = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', cwd: tmpdir() });

test('every subcommand has its own --help, exit 0', () => {
  for (const cmd of ['serve', 'check', 'demo', 'simulate']) {
    const r = run(cmd, '--help');
    assert.equal(r.status, 0, `${cmd}: ${r.stderr}`);
    assert.match(r.stdout, new RegExp(`^usage: modelplane ${cmd}`), cmd);
    assert.match(r.stdout, /-h, --help/);
    assert.equal(r.stderr, '');
  }
  assert.match(run('serve', '-h').stdout, /--config FILE/);
  assert.match(run('help', 'check').stdout, /^usage: modelplane check --config FILE/);
});

test('an unknown flag is one line naming it and the nearest valid flag, exit 2', () => {
  const cases: Array<[string[], string, string]> = [
    [['serve', '--cofig', 'x.yaml'], '--cofig', '--config'],
    [['check', '--conifg=x.yaml'], '--conifg', '--config'],
    [['demo', '--no-trafic'], '--no-trafic', '--no-traffic'],
    [['simulate', '--latncy', '5'], '--latncy', '--latency'],
    [['keys', 'create', '--tema', 'support'], '--tema', '--team'],
    [['spend', '--bye', 'agent'], '--bye', '--by'],
    [['budgets', '--formt', 'json'], '--formt', '--format'],
  ];
  for (const [args, bad, good] of cases) {
    const r = run(...args);
    assert.equal(r.status, 2, args.join(' '));
    const lines = r.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.ok(lines[0]!.includes(`unknown flag ${bad}`) && lines[0]!.includes(`did you mean ${good}?`), r.stderr);
    assert.doesNotMatch(r.stderr, /\bat .*\.js:\d+/, 'no stack trace');
  }
});

test('other usage mistakes: exit 2, one line, no stack trace', () => {
  const cases: Array<[string[], RegExp]> = [
    [['check'], /--config FILE is required/],
    [['serve', '--config'], /--config needs a value/],
    [['serve', '--config', 'x.yaml', '--port', 'eighty'], /--port expects a number/],
    [['check', '--config', 'a.yaml', 'extra'], /unexpected argument "extra"/],
    [['serv'], /unknown command "serv"; did you mean "serve"\?/],
  ];
  for (const [args, re] of cases) {
    const r = run(...args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, re);
    assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
  }
});

test('--version prints the package version', () => {
  const r = run('--version');
  assert.equal(r.status, 0);
  assert.match(r.stdout, /^modelplane \d+\.\d+\.\d+/);
});

test('check pluralises its summary and fails with exit 1 on a missing file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mp-cli-'));
  const file = join(dir, 'g.yaml');
  const cfg = (routes: string) => `providers:\n  p: { format: openai-chat, base_url: http://127.0.0.1:9/v1, auth: none }\ndeployments:\n  a: { provider: p, model: m }\n  b: { provider: p, model: m }\nroutes:\n${routes}`;
  writeFileSync(file, cfg('  one: { targets: [a] }\n'));
  assert.match(run('check', '--config', file).stdout, /OK \(1 provider, 2 deployments, 1 route: one\)/);
  writeFileSync(file, cfg('  one: { targets: [a] }\n  two: { targets: [b] }\n'));
  assert.match(run('check', '--config', file).stdout, /OK \(1 provider, 2 deployments, 2 routes: one, two\)/);
  const missing = run('check', '--config', join(dir, 'nope.yaml'));
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /cannot read/);
});

test('nearest-flag suggestions count a transposition as one edit', () => {
  assert.equal(editDistance('cofnig', 'config'), 1);
  assert.equal(editDistance('', 'abc'), 3);
  assert.equal(nearestName('prot', ['config', 'port', 'host']), 'port');
});

test('the demo stops when the process that started it dies without passing a signal on', async () => {
  // The parent starts the demo and is then killed with SIGKILL: it cannot forward anything, as
  // npm sometimes does not. The demo shares the parent's stdout pipe, so the pipe closes only
  // when the demo itself has exited.
  const parentScript = `
    const { spawn } = require('node:child_process');
    const c = spawn(process.execPath, [${JSON.stringify(BIN)}, 'demo', '--port', '0', '--no-traffic'], { stdio: ['ignore', 'inherit', 'inherit'] });
    process.stderr.write('child ' + c.pid + '\\n');
    setInterval(() => {}, 1 << 30);
  `;
  const parent = spawn(process.execPath, ['-e', parentScript], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const closed = new Promise<void>((resolve) => parent.stdout.on('close', () => resolve()));
  parent.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    parent.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /gateway on (http:\/\/[^\s,]+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    parent.on('exit', () => reject(new Error(`parent exited early: ${err}`)));
  });
  assert.match(err, /child \d+/);
  parent.kill('SIGKILL');
  // The pipe closes when the demo's last descriptor does, that is, when the demo has exited.
  await closed;
  const { port } = new URL(url);
  const refused = await new Promise<string>((resolve) => {
    const s = connect(Number(port), '127.0.0.1');
    s.on('connect', () => {
      s.destroy();
      resolve('connected');
    });
    s.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
  });
  assert.equal(refused, 'ECONNREFUSED', 'the gateway port is free again');
});
