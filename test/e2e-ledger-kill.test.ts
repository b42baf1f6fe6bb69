// The ledger's crash guarantee: a gateway killed with SIGKILL under load loses at most the
// records of its last write-behind window, and never records a request no client sent. Clients
// name their requests (x-request-id), so the ledger can be compared with what they received.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import Database from 'better-sqlite3';
import { startSimulator } from '../testkit/simulator.js';
import { projectRoot } from '../testkit/fixtures.js';

const BIN = join(projectRoot(), 'bin', 'modelplane.js');

test('SIGKILL under load: the ledger holds every answered request but the last window, and nothing else', { timeout: 120_000 }, async () => {
  const sim = await startSimulator({ port: 0 });
  const dir = mkdtempSync(join(tmpdir(), 'mp-kill-'));
  const file = join(dir, 'gw.yaml');
  writeFileSync(file, `
auth: { master_key: sk-kill }
logging: { level: warn }
providers: { sim: { format: openai-chat, base_url: ${sim.url}/openai/v1, api_key: k } }
deployments: { a: { provider: sim, model: m-a, price: { input: 1, output: 2 } } }
routes: { chat: { targets: [a] } }
`);
  const child = spawn(process.execPath, [BIN, 'serve', '--config', file, '--port', '0'], { stdio: ['ignore', 'ignore', 'pipe'] });
  const agent = new Agent({ connections: 16 });
  try {
    let err = '';
    const url = await new Promise<string>((resolve, reject) => {
      child.on('exit', (code) => reject(new Error(`gateway exited (${code}): ${err}`)));
      child.stderr.on('data', (d: Buffer) => {
        err += d.toString();
        const m = /listening on (http:\/\/[^\s]+)/.exec(err);
        if (m) resolve(m[1]!);
      });
    });
    const answered: Array<{ id: string; at: number }> = [];
    let sent = 0;
    let stop = false;
    const worker = async (w: number) => {
      while (!stop) {
        const id = `kill-${w}-${sent++}`;
        try {
          const r = await request(`${url}/v1/chat/completions`, {
            method: 'POST',
            dispatcher: agent,
            headers: { authorization: 'Bearer sk-kill', 'content-type': 'application/json', 'x-request-id': id },
            body: JSON.stringify({ model: 'chat', messages: [{ role: 'user', content: 'hello' }], max_tokens: 5 }),
          });
          await r.body.text();
          if (r.statusCode === 200) answered.push({ id, at: Date.now() });
        } catch {
          // the gateway died under this request
        }
      }
    };
    const workers = Array.from({ length: 8 }, (_, w) => worker(w));
    // Kill once a good number of requests has been answered (a count, not a time).
    while (answered.length < 600) await new Promise((r) => setImmediate(r));
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    stop = true;
    await Promise.all(workers);

    const db = new Database(join(dir, '.modelplane', 'ledger.sqlite'), { readonly: true });
    const ids = new Set((db.prepare('SELECT request_id FROM ledger').all() as Array<{ request_id: string }>).map((r) => r.request_id));
    db.close();
    const answeredIds = new Set(answered.map((a) => a.id));
    const phantom = [...ids].filter((id) => !answeredIds.has(id) && !id.startsWith('kill-'));
    assert.deepEqual(phantom, [], 'no record of a request nobody sent');
    const lost = answered.filter((a) => !ids.has(a.id));
    const kept = answered.filter((a) => ids.has(a.id));
    assert.ok(kept.length > 0, 'earlier batches reached the disk');
    // The loss is the tail: every lost answer came after most of the kept ones.
    const lastKept = Math.max(...kept.map((a) => a.at));
    const firstLost = lost.length > 0 ? Math.min(...lost.map((a) => a.at)) : lastKept;
    const keptAfterFirstLost = kept.filter((a) => a.at > firstLost).length;
    assert.ok(keptAfterFirstLost <= lost.length + 50, `loss is not confined to the tail: ${keptAfterFirstLost} kept after the first lost`);
    const lastAnswered = Math.max(...answered.map((a) => a.at));
    const spanMs = lastAnswered - Math.min(...answered.map((a) => a.at));
    // The figure for docs/operations.md: how much traffic the kill took with it.
    console.log(JSON.stringify({ answered: answered.length, recorded: kept.length, lost: lost.length, lostWindowMs: lost.length > 0 ? lastAnswered - firstLost : 0, ratePerS: Math.round(answered.length / (spanMs / 1000)) }));
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    await agent.close();
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
