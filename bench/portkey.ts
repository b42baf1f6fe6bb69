// Optional peer: @portkey-ai/gateway as published on npm, installed with npm into a temp dir
// OUTSIDE the repository (it never enters package.json). Skipped, with the reason, when the
// install or the start fails.

import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitForPort } from './procs.js';
import { MOCK_MODEL, type StartContext, type Target } from './targets.js';

export const PORTKEY_VERSION = '1.15.2';

// @hono/node-server and hono pinned to the versions in Portkey's own lockfile: @hono/node-server
// newer than 1.14.2 breaks Portkey's streaming (Portkey-AI/gateway#1389).
const PEER_PACKAGE = {
  name: 'modelplane-bench-peer-portkey',
  private: true,
  dependencies: { '@portkey-ai/gateway': PORTKEY_VERSION },
  overrides: { '@hono/node-server': '1.13.5', hono: '4.9.7' },
};

// Portkey's CLI has no --host and listens on every interface; this preload binds any listener
// that names no host (or a wildcard) to 127.0.0.1 instead, and refuses anything non-loopback.
const LOOPBACK_PRELOAD = `'use strict';
const net = require('node:net');
const listen = net.Server.prototype.listen;
const WILDCARD = new Set([undefined, null, '', '0.0.0.0', '::']);
const LOOP = /^(127\\.\\d+\\.\\d+\\.\\d+|::1|localhost)$/;
net.Server.prototype.listen = function (...args) {
  const a = args[0];
  if (typeof a === 'number' || (typeof a === 'string' && /^\\d+$/.test(a))) {
    if (typeof args[1] === 'string' && !WILDCARD.has(args[1])) {
      if (!LOOP.test(args[1])) throw new Error('bench: refusing to listen on ' + args[1]);
    } else if (typeof args[1] === 'string' || args[1] == null) args[1] = '127.0.0.1';
    else args.splice(1, 0, '127.0.0.1');
  } else if (a && typeof a === 'object' && a.path === undefined && a.port !== undefined) {
    if (WILDCARD.has(a.host)) args[0] = { ...a, host: '127.0.0.1' };
    else if (!LOOP.test(a.host)) throw new Error('bench: refusing to listen on ' + a.host);
  }
  return listen.apply(this, args);
};
`;

export const PORTKEY_DIR = join(tmpdir(), 'modelplane-bench-peers', `portkey-${PORTKEY_VERSION}`);

function npmInstall(dir: string, logFile: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('npm', ['install', '--no-audit', '--no-fund', '--omit=dev', '--loglevel=error'], { cwd: dir, timeout: 240_000, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      writeFileSync(logFile, `${stdout}\n${stderr}`);
      if (err) reject(new Error(`npm install failed (${err.message.split('\n')[0]}); see ${logFile}`));
      else resolve();
    });
  });
}

/** Installs Portkey into PORTKEY_DIR unless it is already there; returns the server script. */
export async function ensurePortkey(logFile: string, say: (m: string) => void): Promise<string> {
  const script = join(PORTKEY_DIR, 'node_modules', '@portkey-ai', 'gateway', 'build', 'start-server.js');
  if (existsSync(script)) return script;
  mkdirSync(PORTKEY_DIR, { recursive: true });
  writeFileSync(join(PORTKEY_DIR, 'package.json'), JSON.stringify(PEER_PACKAGE, null, 2));
  say(`installing @portkey-ai/gateway@${PORTKEY_VERSION} with npm into ${PORTKEY_DIR} (outside the repo; up to 4 min)`);
  await npmInstall(PORTKEY_DIR, logFile);
  if (!existsSync(script)) throw new Error(`installed, but ${script} is missing`);
  return script;
}

export async function startPortkey(ctx: StartContext, say: (m: string) => void): Promise<Target> {
  const script = await ensurePortkey(join(ctx.outDir, 'logs', 'npm-portkey.log'), say);
  const preload = join(PORTKEY_DIR, 'loopback-only.cjs');
  writeFileSync(preload, LOOPBACK_PRELOAD);
  const port = await freePort();
  const proc = ctx.procs.start('portkey', process.execPath, ['--require', preload, script, `--port=${port}`, '--headless'], {
    logFile: join(ctx.outDir, 'logs', 'portkey.log'),
    cpu: ctx.gatewayCpu,
    cwd: PORTKEY_DIR,
    env: { ...process.env, NODE_ENV: 'production' },
  });
  await waitForPort(port, proc, 30_000);
  return {
    name: 'portkey',
    url: `http://127.0.0.1:${port}/v1/chat/completions`,
    headers: {
      'x-portkey-provider': 'openai',
      'x-portkey-custom-host': `http://127.0.0.1:${ctx.mockPort}/v1`,
      authorization: 'Bearer sk-bench-unused',
    },
    model: MOCK_MODEL,
    proc,
  };
}
