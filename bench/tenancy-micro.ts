// CPU per request of tenancy's hooks alone (authenticate, admission stage, after-hook with its
// ledger row, and the ledger's flush into SQLite), in process, without HTTP or an upstream: the
// part of bench/tenancy-ab.ts that is tenancy's own, measured with far less noise on a shared
// machine (no sockets, no other processes in the loop). Prints µs per request, median of rounds.
//
//   node dist/bench/tenancy-micro.js [--n 20000] [--rounds 7]

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSnapshotFromText } from '../src/config/load.js';
import { newCall, type Answer, type Exchange } from '../src/gateway/call.js';
import { createTenancy } from '../src/governance/runtime.js';
import { Cancellation } from '../src/gateway/cancel.js';
import type { CanonicalRequest } from '../src/spec/canonical.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { childArgs } from './child.js';

const MASTER = 'sk-bench';
const KEY = `mp-${'b'.repeat(32)}`;
const log = { info: () => {}, warn: () => {}, error: () => {} };

function snapshotText(dir: string): string {
  return [
    `auth: { master_key: ${MASTER} }`,
    `storage: { data_dir: ${dir} }`,
    'keys:',
    `  bench-key: { key: ${KEY}, agent: bench-agent, budget: { usd: 1000000, period: month }, limits: { rpm: 100000000, tpm: 100000000000 } }`,
    'providers:',
    '  mock: { format: openai-chat, base_url: http://127.0.0.1:9/v1, auth: none }',
    'deployments:',
    '  a: { provider: mock, model: bench-model, price: { input: 1, output: 2 } }',
    'routes:',
    '  bench: { targets: [a] }',
    '',
  ].join('\n');
}

const request: CanonicalRequest = { model: 'bench', stream: false, messages: [{ role: 'user', content: [{ type: 'text', text: 'Say something short about gateways, in one sentence please.' }] }] };
const answer: Answer = { kind: 'json', status: 200, body: {} };
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

async function main(): Promise<void> {
  const args = childArgs(process.argv.slice(2));
  const n = Number(args.get('n') ?? 20000);
  const rounds = Number(args.get('rounds') ?? 7);
  const dir = mkdtempSync(join(tmpdir(), 'mp-tenancy-micro-'));
  const snapshot = loadSnapshotFromText(snapshotText(dir), { env: {} });
  const t = createTenancy({ snapshot, log, ledgerFlushMs: 60_000 });
  await t.governor.start();
  const ext = t.extension;
  const route = snapshot.routes.get('bench')!;
  const deployment = route.targets[0]!;
  const next = () => Promise.resolve(answer);
  const variants = [
    { name: 'master', key: MASTER, headers: { authorization: `Bearer ${MASTER}` } as Record<string, string> },
    { name: 'key', key: KEY, headers: { authorization: `Bearer ${KEY}`, 'x-modelplane-workflow': 'bench', 'x-modelplane-customer': 'bench-customer' } as Record<string, string> },
  ];
  const results = new Map<string, number[]>(variants.map((v) => [v.name, []]));
  let seq = 0;
  const one = async (v: (typeof variants)[number]) => {
    const ex = { req: { headers: v.headers } as unknown as IncomingMessage, res: {} as ServerResponse, requestId: `req_${seq++}`, idHeaders: [], startedAt: Date.now(), snapshot, cancel: new Cancellation(), clock: Date.now } as Exchange;
    const call = newCall(ex, 'chat', 'openai-chat');
    const caller = ext.authenticate!(v.key, call);
    if (caller) call.caller = caller;
    call.request = request;
    call.route = route;
    call.needs = { tools: false, vision: false, jsonSchema: false, embeddings: false, stream: false, estimatedInputTokens: 20, maxOutputTokens: undefined };
    await ext.stage!(call, next);
    call.trace.attempts = 1;
    call.outcome.usage = { inputTokens: 31, outputTokens: 20 };
    call.outcome.attempt = { deployment } as never;
    ext.after!(call);
  };
  try {
    for (const v of variants) for (let i = 0; i < 2000; i++) await one(v);
    t.governor.ledger?.flush();
    for (let r = 0; r < rounds; r++) {
      for (const v of r % 2 === 0 ? variants : [...variants].reverse()) {
        const c0 = process.cpuUsage();
        for (let i = 0; i < n; i++) {
          await one(v);
          // The write-behind flush, at the rate the 100 ms timer would see at ~5k req/s.
          if (i % 500 === 499) t.governor.ledger?.flush();
        }
        t.governor.ledger?.flush();
        const c = process.cpuUsage(c0);
        results.get(v.name)!.push((c.user + c.system) / n);
      }
    }
  } finally {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  }
  for (const v of variants) {
    const xs = results.get(v.name)!;
    process.stdout.write(`${v.name.padEnd(7)} ${median(xs).toFixed(2).padStart(7)} µs/request (rounds: ${xs.map((x) => x.toFixed(2)).join(' ')})\n`);
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${String(e)}\n`);
  process.exit(1);
});
