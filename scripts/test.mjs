// Runs every compiled test file under dist/ with node's built-in test runner.
// Usage: node scripts/test.mjs [--cluster] [substring-filter ...]
// The cluster suite (dist/test/cluster/, real Redis and Postgres) runs only with --cluster
// (`npm run test:cluster`), one file at a time: each file starts its own engines and gateways.
import { readdirSync, statSync } from 'node:fs';
import { join, sep } from 'node:path';
import { spawnSync } from 'node:child_process';

const roots = ['dist/src', 'dist/test', 'dist/testkit', 'dist/bench'];
const files = [];
const cluster = process.argv.includes('--cluster');
const clusterDir = join('dist', 'test', 'cluster');
const walk = (dir) => {
  let entries;
  try { entries = readdirSync(dir); } catch { return; }
  for (const name of entries) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (name.endsWith('.test.js') && p.startsWith(clusterDir + sep) === cluster) files.push(p);
  }
};
roots.forEach(walk);
const filters = process.argv.slice(2).filter((a) => a !== '--cluster');
const selected = filters.length ? files.filter((f) => filters.some((s) => f.includes(s))) : files;
if (selected.length === 0) {
  console.error('no test files found (did tsc run?)');
  process.exit(1);
}
const r = spawnSync(process.execPath, ['--test', `--test-concurrency=${cluster ? 1 : 2}`, ...selected.sort()], { stdio: 'inherit' });
process.exit(r.status ?? 1);
