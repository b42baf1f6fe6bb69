import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AlertSender, sign } from './alerts.js';
import { BudgetBook, type Reservation } from './budgets.js';

test('the soft alert is POSTed, signed, retried with backoff after failures, and never awaited by the caller', async () => {
  const bodies: Array<{ sig: string | undefined; body: string }> = [];
  let calls = 0;
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      calls++;
      bodies.push({ sig: req.headers['x-modelplane-signature'] as string | undefined, body });
      res.writeHead(calls <= 2 ? 503 : 204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  const logged: string[] = [];
  const log = { warn: (_o: object, m: string) => logged.push(`warn ${m}`), error: (_o: object, m: string) => logged.push(`error ${m}`) };
  const sleeps: number[] = [];
  const sender = new AlertSender({ webhook: { url, secret: 's3cret', timeoutMs: 5_000, retries: 3 } }, log, { backoffMs: 10, sleep: (ms) => (sleeps.push(ms), Promise.resolve()) });
  try {
    const book = new BudgetBook(() => Date.parse('2026-05-10T12:00:00Z'));
    book.onSoftAlert = (a) => sender.budgetSoftLimit(a.budget);
    const b = book.ensure('team:support', { usd: 10, period: 'month', soft: 0.8, enforce: true, onUnknownCost: 'reserve', cutoff: false });
    book.settle(book.reserve([b], 9) as Reservation, 9);
    assert.equal(calls, 0, 'settle returned before any delivery happened');
    await sender.idle();
    assert.equal(calls, 3);
    assert.deepEqual(sleeps, [10, 20], 'exponential backoff between attempts');
    const last = bodies[2]!;
    assert.equal(last.sig, sign('s3cret', last.body));
    const parsed = JSON.parse(last.body) as Record<string, unknown>;
    assert.equal(parsed.budget, 'team:support');
    assert.equal(parsed.scope, 'team');
    assert.equal(parsed.name, 'support');
    assert.equal(parsed.spent_usd, 9);
    assert.equal(parsed.limit_usd, 10);
    assert.equal(parsed.period_end, '2026-06-01T00:00:00.000Z');
    assert.equal(logged.filter((l) => l.startsWith('warn')).length, 1);
    assert.equal(logged.filter((l) => l.startsWith('error')).length, 2, 'each failed attempt is logged');
  } finally {
    server.close();
  }
});

test('an unreachable webhook gives up after its retries and says so', async () => {
  const logged: string[] = [];
  const log = { warn: () => {}, error: (_o: object, m: string) => logged.push(m) };
  const sender = new AlertSender({ webhook: { url: 'http://127.0.0.1:1/nothing', timeoutMs: 2_000, retries: 1 } }, log, { sleep: () => Promise.resolve() });
  const book = new BudgetBook(() => 0);
  const b = book.ensure('global', { usd: 1, period: 'total', soft: 0.5, enforce: true, onUnknownCost: 'reserve', cutoff: false });
  sender.budgetSoftLimit(b);
  await sender.idle();
  assert.equal(logged.length, 3);
  assert.match(logged[2]!, /giving up/);
});
