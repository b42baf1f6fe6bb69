// Issue 15 §6: what a SIGKILL loses. With `durability: strict` no acknowledged record is lost;
// with write-behind, everything acknowledged inside the window is (the test uses a long window
// so that the loss is certain: it is the guarantee, not an accident, that the docs describe).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';

const CHILD = fileURLToPath(new URL('./store-durability-child.js', import.meta.url));

/** Runs the child until it has acknowledged `n` records, SIGKILLs it; returns acked and stored ids. */
async function killAfter(durability: string, windowMs: number, n: number): Promise<{ acked: string[]; lost: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'mp-durability-'));
  try {
    const db = join(dir, 'responses.sqlite');
    const child = spawn(process.execPath, [CHILD, db, durability, String(windowMs)], { stdio: ['ignore', 'pipe', 'inherit'] });
    const acked: string[] = [];
    let buf = '';
    const exited = new Promise<void>((r) => child.on('exit', () => r()));
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (d: Buffer) => {
        buf += d.toString();
        let nl;
        while ((nl = buf.indexOf('\n')) !== -1) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          if (line.startsWith('ack ') && acked.length < n) {
            acked.push(line.slice(4));
            if (acked.length === n) {
              child.kill('SIGKILL');
              resolve();
            }
          }
        }
      });
    });
    await exited;
    const read = new Database(db, { readonly: true });
    const stored = new Set((read.prepare('SELECT id FROM responses').all() as Array<{ id: string }>).map((r) => r.id));
    read.close();
    return { acked, lost: acked.filter((id) => !stored.has(id)) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('durability: strict loses no acknowledged record to a SIGKILL', async () => {
  const r = await killAfter('strict', 60_000, 300);
  assert.equal(r.acked.length, 300);
  assert.deepEqual(r.lost, []);
});

test('write-behind loses what was acknowledged inside its window (here: all of it)', async () => {
  const r = await killAfter('write-behind', 60_000, 100);
  assert.equal(r.lost.length, 100);
});
