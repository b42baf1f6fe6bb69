#!/usr/bin/env node
// Entry point of the `modelplane` command. The TypeScript sources are compiled to dist/ by `npm ci`
// (the `prepare` script) or `npm run build`.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/src/cli/index.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write('modelplane: dist/ is missing; run `npm run build` first\n');
  process.exit(1);
}
const { main } = await import(entry.href);
const code = await main(process.argv.slice(2));
if (typeof code === 'number' && code !== 0) {
  process.exitCode = code;
  // A worker of `serve --workers` that failed to start still holds Redis and Postgres handles:
  // it exits, so the primary starts a replacement instead of keeping a worker that serves nothing.
  if (process.env.MODELPLANE_WORKER_SLOT !== undefined) process.exit(code);
}
