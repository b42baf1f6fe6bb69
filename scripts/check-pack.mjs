// Packs the package as `npm pack` would publish it, installs the tarball into a throwaway global
// prefix, and runs the installed `modelplane` from a directory outside the checkout: --version,
// check, serve (until /readyz answers), simulate, and the demo's sample traffic. Proves that the
// tarball holds everything that runs (dist/, the catalog, bin/) and nothing that does not.
//
// Usage: node scripts/check-pack.mjs   (after `npm run build`; `.ci/run` runs it after the tests)
//
// Speed: dependencies come from npm's cache (`--prefer-offline`; `npm ci` has just filled it), and
// install scripts are skipped so better-sqlite3 is not compiled a second time: its native addon
// is copied from the checkout's own build when the versions match, and rebuilt otherwise.
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const work = mkdtempSync(join(tmpdir(), 'modelplane-pack-'));
const step = (what) => process.stdout.write(`== pack check: ${what}\n`);
const fail = (why) => {
  process.stderr.write(`pack check FAILED: ${why}\n(work dir kept: ${work})\n`);
  process.exit(1);
};

function sh(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', ...opts });
  if (r.status !== 0) fail(`${cmd} ${args.join(' ')} exited ${r.status}\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

// 1. Pack (scripts skipped: dist/ is already built, and `prepare` must not rebuild mid-check).
step('npm pack');
const packed = JSON.parse(sh('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], { cwd: root }))[0];
const files = packed.files.map((f) => f.path);
const unwanted = files.filter((f) => /\.test\.js$|\.map$|\.suite\.js$|^(test|bench|src\/(?!catalog\/providers\.yaml|catalog\/model-families\.yaml|routing\/auto\/(default|embedder)-router\.json))|^dist\/(test|bench)\//.test(f));
if (unwanted.length) fail(`the tarball ships files that do not run: ${unwanted.slice(0, 5).join(', ')}`);
for (const needed of ['bin/modelplane.js', 'dist/src/cli/index.js', 'dist/testkit/simulator.js', 'src/catalog/providers.yaml', 'src/catalog/model-families.yaml', 'src/routing/auto/default-router.json', 'dashboard/index.html', 'package.json']) {
  if (!files.includes(needed)) fail(`the tarball lacks ${needed}`);
}
process.stdout.write(`   ${packed.filename}: ${files.length} files, ${Math.round(packed.size / 1024)} KiB packed\n`);

// 2. Install globally into a throwaway prefix.
step('npm install -g (temporary prefix)');
const prefix = join(work, 'prefix');
sh('npm', ['install', '-g', '--prefix', prefix, '--prefer-offline', '--ignore-scripts', '--no-audit', '--no-fund', join(work, packed.filename)], { cwd: work });
const installed = join(prefix, 'lib', 'node_modules', 'modelplane');
const sqliteDir = join(installed, 'node_modules', 'better-sqlite3');
const addon = join('build', 'Release', 'better_sqlite3.node');
const version = (dir) => JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).version;
const ownSqlite = join(root, 'node_modules', 'better-sqlite3');
if (existsSync(join(ownSqlite, addon)) && version(ownSqlite) === version(sqliteDir)) {
  mkdirSync(join(sqliteDir, 'build', 'Release'), { recursive: true });
  copyFileSync(join(ownSqlite, addon), join(sqliteDir, addon));
} else {
  step('building better-sqlite3 (versions differ from the checkout)');
  sh('npm', ['rebuild', 'better-sqlite3'], { cwd: installed });
}
const bin = join(prefix, 'bin', 'modelplane');
const run = (...args) => sh(bin, args, { cwd: work });

// 3. Run it from a directory that is not the checkout.
step('modelplane --version');
const v = run('--version').trim();
if (v !== `modelplane ${packed.version}`) fail(`--version printed "${v}"`);

step('modelplane check --config ./gateway.yaml');
writeFileSync(join(work, 'gateway.yaml'), [
  'server: { port: 0 }',
  'auth: { master_key: sk-pack-check }',
  'providers:',
  '  local: { format: openai-chat, base_url: http://127.0.0.1:9/v1, auth: none }',
  '  oai: { preset: openai, api_key: sk-unused }',
  'deployments:',
  '  a: { provider: local, model: local-model }',
  '  b: { provider: oai, model: some-model }',
  'routes:',
  '  first: { targets: [a, b] }',
  '',
].join('\n'));
const checked = run('check', '--config', './gateway.yaml');
if (!/OK \(2 providers, 2 deployments, 1 route: first\)/.test(checked)) fail(`check printed: ${checked}`);

/** Starts a long-running subcommand, waits for `ready` in its output, runs `then`, stops it. */
async function runUntil(args, ready, then) {
  const child = spawn(bin, args, { cwd: work, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const match = await new Promise((resolve, reject) => {
    const onData = (d) => {
      out += d.toString();
      const m = ready.exec(out);
      if (m) resolve(m);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then(({ code }) => reject(new Error(`${args.join(' ')} exited ${code} before it was ready:\n${out}`)));
  }).catch((e) => fail(e.message));
  try {
    await then(match, () => out);
  } finally {
    child.kill('SIGTERM');
  }
  const { code } = await exited;
  if (code !== 0) fail(`${args.join(' ')} exited ${code} after SIGTERM:\n${out}`);
}

step('modelplane serve --config ./gateway.yaml');
await runUntil(['serve', '--config', './gateway.yaml'], /listening on (http:\/\/\S+)/, async (m) => {
  const res = await fetch(`${m[1]}/readyz`);
  if (res.status !== 200) fail(`/readyz answered ${res.status}`);
});

step('modelplane simulate');
await runUntil(['simulate', '--port', '0', '--quiet'], /openai\s+(http:\/\/\S+)/, async (m) => {
  const res = await fetch(`${m[1]}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer k' }, body: JSON.stringify({ model: 'sim', messages: [{ role: 'user', content: 'hi' }] }) });
  if (res.status !== 200) fail(`the simulator answered ${res.status}`);
});

step('modelplane demo --exit-after-traffic');
const demo = spawnSync(bin, ['demo', '--port', '0', '--exit-after-traffic'], { cwd: work, encoding: 'utf8' });
if (demo.status !== 0) fail(`demo exited ${demo.status}:\n${demo.stdout}\n${demo.stderr}`);

rmSync(work, { recursive: true, force: true });
step('OK');
