// Real Redis and Postgres for the cluster suite (test/cluster/): each started from the installed
// binaries on a free loopback port with a temporary data directory, stoppable and restartable on
// the same port (the fault tests stop one for a while and bring it back), and removed when the
// process exits. No mocks: the promises of cluster mode are claims about these engines.
//
// Readiness is the server's own "ready" log line, not a sleep. Postgres refuses to run as root,
// so when the suite runs as root its initdb and postgres run as `nobody`, owning the data dir.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { HANG_GUARD_MS } from './wait.js';

export interface ManagedServer {
  /** Connection URL (redis://... or postgres://...). */
  readonly url: string;
  readonly port: number;
  /** Whether the process is running now. */
  readonly running: boolean;
  /** Stops the server (`kill: true`: SIGKILL, as a crash; otherwise its clean fast shutdown). */
  stop(options?: { kill?: boolean }): Promise<void>;
  /** Starts it again on the same port and data directory. */
  start(): Promise<void>;
  /** Stops it and removes its data directory. */
  close(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** A binary from the PATH, else from Debian's versioned Postgres directory. */
export function findBinary(name: string): string | undefined {
  const path = (process.env.PATH ?? '').split(':').filter(Boolean);
  for (const dir of path) if (existsSync(join(dir, name))) return join(dir, name);
  const pgRoot = '/usr/lib/postgresql';
  if (existsSync(pgRoot)) {
    const versions = readdirSync(pgRoot).sort((a, b) => Number(b) - Number(a));
    for (const v of versions) if (existsSync(join(pgRoot, v, 'bin', name))) return join(pgRoot, v, 'bin', name);
  }
  return undefined;
}

/** Why the cluster suite cannot run here, or undefined when both engines are installed. */
export function missingClusterEngines(): string | undefined {
  const missing = ['redis-server', 'postgres', 'initdb'].filter((b) => findBinary(b) === undefined);
  return missing.length ? `not installed: ${missing.join(', ')} (apt-get install redis-server postgresql)` : undefined;
}

const live = new Set<{ kill: () => void; dir: string }>();
let exitHookInstalled = false;
function trackForExit(entry: { kill: () => void; dir: string }): void {
  live.add(entry);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Synchronous on purpose: 'exit' runs no more event-loop turns.
  process.on('exit', () => {
    for (const e of live) {
      e.kill();
      rmSync(e.dir, { recursive: true, force: true });
    }
  });
}

interface Spec {
  name: string;
  command: () => { bin: string; args: string[] };
  ready: RegExp;
  /** Signal for the clean stop (Postgres: SIGINT is its "fast shutdown"). */
  stopSignal: NodeJS.Signals;
  asUser?: { uid: number; gid: number };
}

function managed(spec: Spec, url: string, port: number, dir: string): ManagedServer {
  let child: ChildProcess | undefined;
  const entry = { kill: () => child?.kill('SIGKILL'), dir };
  trackForExit(entry);

  const start = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const { bin, args } = spec.command();
      const proc = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], ...(spec.asUser ?? {}), env: { ...process.env, LC_ALL: 'C' } });
      child = proc;
      let output = '';
      let settled = false;
      const guard = setTimeout(() => finish(new Error(`${spec.name} did not become ready in ${HANG_GUARD_MS} ms:\n${output.slice(-2000)}`)), HANG_GUARD_MS);
      guard.unref();
      const finish = (err?: Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(guard);
        if (err) reject(err);
        else resolve();
      };
      const onData = (b: Buffer) => {
        output += b.toString();
        if (output.length > 20_000) output = output.slice(-10_000);
        if (spec.ready.test(output)) finish();
      };
      proc.stdout!.on('data', onData);
      proc.stderr!.on('data', onData);
      proc.once('error', (e) => finish(e));
      proc.once('exit', (code, signal) => {
        if (child === proc) child = undefined;
        finish(new Error(`${spec.name} exited (${signal ?? code}) before it was ready:\n${output.slice(-2000)}`));
      });
    });

  const stop = async (options: { kill?: boolean } = {}): Promise<void> => {
    const proc = child;
    if (!proc || proc.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    proc.kill(options.kill ? 'SIGKILL' : spec.stopSignal);
    await exited;
    if (child === proc) child = undefined;
  };

  return {
    url,
    port,
    get running() {
      return child !== undefined && child.exitCode === null;
    },
    stop,
    start,
    async close() {
      await stop();
      live.delete(entry);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface RedisOptions {
  /** Keep data across stop/start (append-only file). Default false: a restart is a cold Redis. */
  persist?: boolean;
}

export async function startRedis(options: RedisOptions = {}): Promise<ManagedServer> {
  const bin = findBinary('redis-server');
  if (!bin) throw new Error('redis-server is not installed (apt-get install redis-server)');
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'mp-redis-'));
  const server = managed(
    {
      name: 'redis-server',
      command: () => ({
        bin,
        args: ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', options.persist ? 'yes' : 'no', '--protected-mode', 'no', '--loglevel', 'notice'],
      }),
      ready: /Ready to accept connections/,
      stopSignal: 'SIGTERM',
    },
    `redis://127.0.0.1:${port}`,
    port,
    dir,
  );
  await server.start();
  return server;
}

export interface PostgresOptions {
  /** Database created at start (default `modelplane`). */
  database?: string;
}

const NOBODY = { uid: 65534, gid: 65534 };

export async function startPostgres(options: PostgresOptions = {}): Promise<ManagedServer> {
  const postgres = findBinary('postgres');
  const initdb = findBinary('initdb');
  if (!postgres || !initdb) throw new Error('postgres is not installed (apt-get install postgresql)');
  const asRoot = process.getuid?.() === 0;
  const user = asRoot ? NOBODY : undefined;
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'mp-pg-'));
  const data = join(dir, 'data');
  if (user) chownSync(dir, user.uid, user.gid);
  // Trust auth on loopback only: a throwaway cluster on a free port that lives as long as the test.
  const init = spawnSync(initdb, ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync', '--no-instructions'], {
    encoding: 'utf8',
    env: { ...process.env, LC_ALL: 'C' },
    ...(user ?? {}),
  });
  if (init.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`initdb failed (${init.status}): ${init.stderr || init.stdout}`);
  }
  const database = options.database ?? 'modelplane';
  const server = managed(
    {
      name: 'postgres',
      command: () => ({
        bin: postgres,
        // fsync off: the data directory is thrown away; what the suite proves is the gateway's
        // spool and idempotency, not Postgres's own crash safety.
        args: ['-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=200'],
      }),
      ready: /database system is ready to accept connections/,
      stopSignal: 'SIGINT',
      ...(user ? { asUser: user } : {}),
    },
    `postgres://postgres@127.0.0.1:${port}/${database}`,
    port,
    dir,
  );
  await server.start();
  await createDatabase(port, database);
  return server;
}

async function createDatabase(port: number, database: string): Promise<void> {
  if (!/^[a-z_][a-z0-9_]*$/.test(database)) throw new Error(`database name "${database}": expected lower-case letters, digits, _`);
  const client = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${database}`);
  } finally {
    await client.end();
  }
}
