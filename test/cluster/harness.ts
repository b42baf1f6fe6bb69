// The cluster suite's harness: real Redis and Postgres (testkit/cluster-servers.ts), the schema
// applied with `modelplane migrate`, the simulator as every upstream, and N gateway instances as
// child processes of `bin/modelplane.js serve`, each with its own data directory (its ledger
// spool) and the same config file (so the same config hash). Instances can be SIGKILLed and
// restarted on their data directory; the engines can be stopped and started again.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { Agent, request } from 'undici';
import { startPostgres, startRedis, type ManagedServer } from '../../testkit/cluster-servers.js';
import { projectRoot } from '../../testkit/fixtures.js';
import { startSimulator } from '../../testkit/simulator.js';
import { HANG_GUARD_MS } from '../../testkit/wait.js';

export const BIN = join(projectRoot(), 'bin', 'modelplane.js');
export const MASTER_KEY = 'sk-cluster-master';
export const ADMIN_KEY = 'ak-cluster-admin';

type Simulator = Awaited<ReturnType<typeof startSimulator>>;

export interface ClusterUrls {
  sim: string;
  redis: string;
  postgres: string;
}

/** The config every instance reads: one chat route on the simulator, cluster mode on, plus `extra`. */
export function clusterConfig(urls: ClusterUrls, extra = ''): string {
  return `
auth: { master_key: ${MASTER_KEY}, admin_key: ${ADMIN_KEY} }
logging: { level: warn }
providers: { sim: { format: openai-chat, base_url: ${urls.sim}/openai/v1, api_key: k } }
deployments: { a: { provider: sim, model: m-a, price: { input: 1, output: 2 } } }
routes: { chat: { targets: [a] } }
storage:
  data_dir: \${MP_DATA_DIR}
  postgres: { url: "${urls.postgres}", pool: 4 }
cluster:
  redis: { url: "${urls.redis}", key_prefix: "mpt:" }
${extra}`;
}

export class GatewayProcess {
  url = '';
  private child: ChildProcess | undefined;
  /** Everything the process wrote to stderr (CLI lines) and stdout (its JSON log), across restarts. */
  stderr = '';
  stdout = '';

  constructor(
    readonly name: string,
    readonly configFile: string,
    readonly dataDir: string,
    private readonly args: string[] = [],
  ) {}

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Starts `serve` and resolves with its URL once it prints that it listens. */
  start(): Promise<string> {
    const child = spawn(process.execPath, [BIN, 'serve', '--config', this.configFile, '--port', '0', ...this.args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, MP_DATA_DIR: this.dataDir },
    });
    this.child = child;
    child.stdout!.on('data', (d: Buffer) => {
      this.stdout += d.toString();
    });
    let seen = '';
    return new Promise<string>((resolve, reject) => {
      const guard = setTimeout(() => reject(new Error(`${this.name} did not listen within ${HANG_GUARD_MS} ms:\n${seen}`)), HANG_GUARD_MS);
      guard.unref();
      child.once('exit', (code, sig) => {
        clearTimeout(guard);
        reject(new Error(`${this.name} exited (${sig ?? code}) before listening:\n${seen}`));
      });
      child.stderr!.on('data', (d: Buffer) => {
        const text = d.toString();
        seen += text;
        this.stderr += text;
        const m = /listening on (http:\/\/\S+)/.exec(seen);
        if (m && this.url !== m[1]) {
          clearTimeout(guard);
          this.url = m[1]!;
          resolve(this.url);
        }
      });
    });
  }

  /** SIGKILL (a crash) or SIGTERM (a clean, draining stop); resolves when the process is gone. */
  async stop(signal: 'SIGKILL' | 'SIGTERM' = 'SIGTERM'): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill(signal);
    await exited;
  }
}

export interface Cluster {
  sim: Simulator;
  redis: ManagedServer;
  postgres: ManagedServer;
  /** For assertions on what reached Postgres. */
  pool: pg.Pool;
  instances: GatewayProcess[];
  configFile: string;
  agent: Agent;
  close(): Promise<void>;
}

export interface ClusterOptions {
  instances?: number;
  /** YAML appended to the base config (keys, teams, limits, cache, ...). */
  extra?: string;
  /** Or the whole config, from the engines' URLs. */
  config?: (urls: ClusterUrls) => string;
  /** Skip `modelplane migrate` (to test that serve refuses an old schema). */
  migrate?: boolean;
  /** Extra `serve` flags. */
  serveArgs?: string[];
}

export async function startCluster(opts: ClusterOptions = {}): Promise<Cluster> {
  const [sim, redis, postgres] = await Promise.all([startSimulator({ port: 0 }), startRedis(), startPostgres()]);
  const dir = mkdtempSync(join(tmpdir(), 'mp-cluster-'));
  const urls = { sim: sim.url, redis: redis.url, postgres: postgres.url };
  const configFile = join(dir, 'gateway.yaml');
  writeFileSync(configFile, opts.config ? opts.config(urls) : clusterConfig(urls, opts.extra));
  const pool = new pg.Pool({ connectionString: postgres.url, max: 2 });
  pool.on('error', () => {});
  const agent = new Agent({ connections: 64 });
  const instances: GatewayProcess[] = [];
  const close = async () => {
    await Promise.all(instances.map((i) => i.stop('SIGKILL')));
    await agent.close();
    await pool.end().catch(() => {});
    await sim.close();
    await Promise.all([redis.close(), postgres.close()]);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    if (opts.migrate !== false) {
      const r = spawnSync(process.execPath, [BIN, 'migrate', '--config', configFile], { encoding: 'utf8', env: { ...process.env, MP_DATA_DIR: join(dir, 'migrate') } });
      if (r.status !== 0) throw new Error(`modelplane migrate failed (${r.status}): ${r.stderr}${r.stdout}`);
    }
    for (let i = 0; i < (opts.instances ?? 3); i++) {
      const data = join(dir, `instance-${i}`);
      mkdirSync(data, { recursive: true });
      instances.push(new GatewayProcess(String.fromCharCode(65 + i), configFile, data, opts.serveArgs));
    }
    await Promise.all(instances.map((i) => i.start()));
  } catch (e) {
    await close();
    throw e;
  }
  return { sim, redis, postgres, pool, instances, configFile, agent, close };
}

export interface ChatResult {
  status: number;
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

/** One chat completion through `base`, named by `requestId` (the ledger's request_id). */
export async function chat(cluster: Pick<Cluster, 'agent'>, base: string, requestId: string, opts: { key?: string; content?: string; maxTokens?: number } = {}): Promise<ChatResult> {
  const r = await request(`${base}/v1/chat/completions`, {
    method: 'POST',
    dispatcher: cluster.agent,
    headers: { authorization: `Bearer ${opts.key ?? MASTER_KEY}`, 'content-type': 'application/json', 'x-request-id': requestId },
    body: JSON.stringify({ model: 'chat', messages: [{ role: 'user', content: opts.content ?? `hello ${requestId}` }], max_tokens: opts.maxTokens ?? 8 }),
  });
  return { status: r.statusCode, body: await r.body.text(), headers: r.headers };
}

export async function adminGet(cluster: Pick<Cluster, 'agent'>, base: string, path: string): Promise<{ status: number; json: unknown }> {
  const r = await request(`${base}${path}`, { dispatcher: cluster.agent, headers: { authorization: `Bearer ${ADMIN_KEY}` } });
  const text = await r.body.text();
  return { status: r.statusCode, json: text ? (JSON.parse(text) as unknown) : undefined };
}

export interface Completed {
  id: string;
  inputTokens: number;
  outputTokens: number;
}

/**
 * Closed-loop load: `workers` loops, each sending to the instances in turn, until `stop()`.
 * Completed answers (200 with a usage) and failures are recorded by request id.
 */
export function runLoad(cluster: Pick<Cluster, 'agent'>, targets: () => string[], opts: { workers?: number; prefix?: string } = {}) {
  const completed: Completed[] = [];
  const failed: Array<{ id: string; error: string }> = [];
  let stopped = false;
  let n = 0;
  const loop = async (w: number) => {
    while (!stopped) {
      const list = targets();
      const id = `${opts.prefix ?? 'load'}-${w}-${n++}`;
      const base = list[n % list.length]!;
      try {
        const r = await chat(cluster, base, id);
        if (r.status === 200) {
          const usage = (JSON.parse(r.body) as { usage: { prompt_tokens: number; completion_tokens: number } }).usage;
          completed.push({ id, inputTokens: usage.prompt_tokens, outputTokens: usage.completion_tokens });
        } else failed.push({ id, error: `HTTP ${r.status}: ${r.body.slice(0, 200)}` });
      } catch (e) {
        failed.push({ id, error: (e as Error).message });
      }
    }
  };
  const running = Array.from({ length: opts.workers ?? 8 }, (_, w) => loop(w));
  return {
    completed,
    failed,
    /** Resolves once `count` answers have completed (a count, not a time). */
    async until(count: number): Promise<void> {
      while (completed.length < count) {
        if (stopped) throw new Error('load stopped before the count was reached');
        await new Promise((r) => setTimeout(r, 5));
      }
    },
    async stop(): Promise<void> {
      stopped = true;
      await Promise.all(running);
    },
  };
}

/** Waits (without a fixed sleep: it re-checks as rows arrive) until `check` holds for the ledger rows. */
export async function waitForLedger(pool: pg.Pool, check: (rows: Array<{ request_id: string; input_tokens: number; output_tokens: number; settlement: string }>) => boolean, what: string): Promise<Array<{ request_id: string; input_tokens: number; output_tokens: number; settlement: string }>> {
  const deadline = Date.now() + HANG_GUARD_MS;
  for (;;) {
    const r = await pool.query<{ request_id: string; input_tokens: number; output_tokens: number; settlement: string }>('SELECT request_id, input_tokens, output_tokens, settlement FROM mp_ledger');
    if (check(r.rows)) return r.rows;
    if (Date.now() > deadline) throw new Error(`waited ${HANG_GUARD_MS} ms for ${what}; the ledger has ${r.rows.length} rows`);
    await new Promise((res) => setTimeout(res, 50));
  }
}
