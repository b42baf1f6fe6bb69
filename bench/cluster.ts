// `npm run bench -- --cluster`: what cluster mode costs on this machine. One load generator (wrk,
// one thread) against: embedded mode (one process), and cluster mode with 1, 2 and 4 processes on
// one port (`serve --workers N`), all against the simulator, with a virtual key that has a rate
// limit, a concurrency limit and a budget (so admission has work to do in Redis). Settings are
// interleaved round by round; the table shows medians, throughput as a ratio to embedded mode from
// the same rounds, Redis commands per request (INFO commandstats, before and after each run) and
// the latency percentiles wrk reports. On a shared 2-core machine these are noisy: read the spread.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort, startPostgres, startRedis } from '../testkit/cluster-servers.js';
import { projectRoot } from '../testkit/fixtures.js';

const BIN = join(projectRoot(), 'bin', 'modelplane.js');
const KEY = `mp-bench${'x'.repeat(32)}`;

interface Setting {
  name: string;
  cluster: boolean;
  workers?: number;
}

const SETTINGS: Setting[] = [
  { name: 'embedded', cluster: false },
  { name: 'cluster x1', cluster: true, workers: 1 },
  { name: 'cluster x2', cluster: true, workers: 2 },
  { name: 'cluster x4', cluster: true, workers: 4 },
];

interface Run {
  rps: number;
  p50: number;
  p99: number;
  redisPerRequest: number;
  /** EVALSHA/EVAL calls per request: the scripted round trips (the commands inside a script count in redisPerRequest). */
  scriptsPerRequest: number;
  errors: number;
}

function say(m: string): void {
  process.stderr.write(`[bench --cluster] ${m}\n`);
}

function config(sim: string, cluster: { redis: string; postgres: string } | undefined): string {
  return `
auth: { master_key: sk-bench-master, admin_key: ak-bench-admin }
logging: { level: error }
providers: { sim: { format: openai-chat, base_url: "${sim}/openai/v1", api_key: k } }
deployments: { a: { provider: sim, model: m-a, price: { input: 1, output: 2 } } }
routes: { chat: { targets: [a] } }
keys:
  bench: { key: ${KEY}, limits: { rpm: 100000000, concurrency: 10000 }, budget: { usd: 1000000, period: day } }
${cluster ? `storage: { data_dir: \${MP_DATA_DIR}, postgres: { url: "${cluster.postgres}", pool: 4 } }\ncluster: { redis: { url: "${cluster.redis}", key_prefix: "mpb:" } }\n` : 'storage: { data_dir: ${MP_DATA_DIR} }\n'}`;
}

function waitListening(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = '';
    child.once('exit', (code) => reject(new Error(`gateway exited (${code}): ${seen}`)));
    child.stderr!.on('data', (d: Buffer) => {
      seen += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(seen);
      if (m) resolve(m[1]!);
    });
  });
}

/** Calls per Redis command so far (INFO itself left out: the bench sends it). */
async function redisCalls(redis: Redis): Promise<Map<string, number>> {
  const info = await redis.info('commandstats');
  const out = new Map<string, number>();
  for (const m of info.matchAll(/^cmdstat_([\w|]+):calls=(\d+)/gm)) if (m[1] !== 'info') out.set(m[1]!, Number(m[2]));
  return out;
}

function delta(before: Map<string, number>, after: Map<string, number>): Map<string, number> {
  const d = new Map<string, number>();
  for (const [k, v] of after) if (v - (before.get(k) ?? 0) > 0) d.set(k, v - (before.get(k) ?? 0));
  return d;
}

function wrk(url: string, seconds: number, lua: string): { rps: number; p50: number; p99: number; errors: number; requests: number } {
  const r = spawnSync('wrk', ['-t1', '-c32', `-d${seconds}s`, '--latency', '-s', lua, `${url}/v1/chat/completions`], { encoding: 'utf8' });
  const out = r.stdout;
  const ms = (label: string) => {
    const m = new RegExp(`^\\s+${label}%\\s+([\\d.]+)(us|ms|s)`, 'm').exec(out);
    if (!m) return NaN;
    const v = Number(m[1]);
    return m[2] === 'us' ? v / 1000 : m[2] === 's' ? v * 1000 : v;
  };
  const requests = Number(/(\d+) requests in/.exec(out)?.[1] ?? 0);
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0);
  return { rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? 0), p50: ms('50'), p99: ms('99'), errors: non2xx, requests };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s[Math.floor((s.length - 1) / 2)]!;
}

export async function runClusterBench(argv: string[]): Promise<number> {
  const flag = (name: string) => (argv.includes(name) ? Number(argv[argv.indexOf(name) + 1]) : NaN);
  const rounds = flag('--rounds') || 3;
  const seconds = flag('--seconds') || 8;
  if (spawnSync('wrk', ['--version']).error) {
    say('wrk is not installed (apt-get install wrk): the cluster bench needs it');
    return 1;
  }
  const dir = mkdtempSync(join(tmpdir(), 'mp-bench-cluster-'));
  const [redis, postgres] = await Promise.all([startRedis(), startPostgres()]);
  const simPort = await freePort();
  const sim = spawn(process.execPath, [BIN, 'simulate', '--port', String(simPort), '--quiet'], { stdio: 'ignore' });
  const simUrl = `http://127.0.0.1:${simPort}`;
  const probe = new Redis(redis.url);
  const children = new Set<ChildProcess>();
  try {
    for (;;) {
      const ok = await fetch(`${simUrl}/__sim/health`).then((r) => r.ok, () => false);
      if (ok) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const files = {
      embedded: join(dir, 'embedded.yaml'),
      cluster: join(dir, 'cluster.yaml'),
    };
    writeFileSync(files.embedded, config(simUrl, undefined));
    writeFileSync(files.cluster, config(simUrl, { redis: redis.url, postgres: postgres.url }));
    const mig = spawnSync(process.execPath, [BIN, 'migrate', '--config', files.cluster], { encoding: 'utf8', env: { ...process.env, MP_DATA_DIR: join(dir, 'm') } });
    if (mig.status !== 0) throw new Error(mig.stderr);
    const lua = join(dir, 'post.lua');
    writeFileSync(lua, `wrk.method = "POST"\nwrk.headers["authorization"] = "Bearer ${KEY}"\nwrk.headers["content-type"] = "application/json"\nwrk.body = '{"model":"chat","messages":[{"role":"user","content":"hello"}],"max_tokens":8}'\n`);

    const results = new Map<string, Run[]>(SETTINGS.map((s) => [s.name, []]));
    for (let round = 0; round < rounds; round++) {
      for (const s of SETTINGS) {
        const args = [BIN, 'serve', '--config', s.cluster ? files.cluster : files.embedded, '--port', '0', ...(s.workers && s.cluster ? ['--workers', String(s.workers)] : [])];
        const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, MP_DATA_DIR: join(dir, `${s.name.replace(/\W/g, '')}-${round}`) } });
        children.add(child);
        const url = await waitListening(child);
        // Warm-up (JIT, connections, every worker listening), then the measured run.
        wrk(url, 2, lua);
        const before = await redisCalls(probe);
        const r = wrk(url, seconds, lua);
        const after = await redisCalls(probe);
        const d = delta(before, after);
        const calls = [...d.values()].reduce((a, b) => a + b, 0);
        const run: Run = { rps: r.rps, p50: r.p50, p99: r.p99, errors: r.errors, redisPerRequest: s.cluster && r.requests > 0 ? calls / r.requests : 0, scriptsPerRequest: s.cluster && r.requests > 0 ? ((d.get('evalsha') ?? 0) + (d.get('eval') ?? 0)) / r.requests : 0 };
        if (s.cluster && r.requests > 0) {
          const top = [...d.entries()].sort((a, b) => b[1] - a[1]).slice(0, 6).map(([k, v]) => `${k} ${(v / r.requests).toFixed(2)}`);
          say(`  Redis commands per request by command: ${top.join(', ')}`);
        }
        results.get(s.name)!.push(run);
        say(`round ${round + 1}/${rounds} ${s.name}: ${run.rps.toFixed(0)} req/s, p50 ${run.p50.toFixed(2)} ms, p99 ${run.p99.toFixed(2)} ms, ${run.redisPerRequest.toFixed(2)} Redis commands/request, ${run.errors} non-2xx`);
        const exited = new Promise((res) => child.once('exit', res));
        child.kill('SIGTERM');
        await exited;
        children.delete(child);
      }
    }
    const base = results.get('embedded')!;
    const lines = ['| setting | req/s (median) | × embedded (per round, median) | × embedded per process | p50 ms | p99 ms | Redis commands / request (incl. inside scripts) | scripts (EVALSHA) / request | non-2xx |', '|---|---|---|---|---|---|---|---|---|'];
    for (const s of SETTINGS) {
      const runs = results.get(s.name)!;
      const ratios = runs.map((r, i) => r.rps / base[i]!.rps);
      const procs = s.cluster ? s.workers ?? 1 : 1;
      lines.push(
        `| ${s.name} | ${median(runs.map((r) => r.rps)).toFixed(0)} | ${median(ratios).toFixed(2)} (${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}) | ${(median(ratios) / procs).toFixed(2)} | ${median(runs.map((r) => r.p50)).toFixed(2)} | ${median(runs.map((r) => r.p99)).toFixed(2)} | ${median(runs.map((r) => r.redisPerRequest)).toFixed(2)} | ${median(runs.map((r) => r.scriptsPerRequest)).toFixed(2)} | ${runs.reduce((a, r) => a + r.errors, 0)} |`,
      );
    }
    process.stdout.write(`\n${lines.join('\n')}\n\n${rounds} rounds of ${seconds} s, wrk -t1 -c32, one machine (gateways, Redis, Postgres, simulator and wrk share its cores).\n`);
    return 0;
  } finally {
    for (const c of children) c.kill('SIGKILL');
    sim.kill('SIGKILL');
    probe.disconnect();
    await Promise.all([redis.close(), postgres.close()]);
    rmSync(dir, { recursive: true, force: true });
  }
}
