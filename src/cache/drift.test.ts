import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AlertSender, sign } from '../governance/alerts.js';
import { DriftWatcher, type DriftAlert } from './drift.js';
import { CacheTrends } from './trends.js';

test('a drift flag is one alert (edge triggered), delivered signed through the budget alerts webhook', async () => {
  const received: Array<{ body: string; signature: string | undefined }> = [];
  let arrived: () => void = () => undefined;
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += String(c)));
    req.on('end', () => {
      received.push({ body, signature: req.headers['x-modelplane-signature'] as string | undefined });
      res.end('ok');
      arrived();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  const warned: string[] = [];
  const sender = new AlertSender({ webhook: { url, secret: 's3', timeoutMs: 2_000, retries: 0 } }, { warn: (_o, m) => warned.push(m), error: (_o, m) => warned.push(`error: ${m}`) });
  let now = 5 * 86_400_000;
  const trends = new CacheTrends({ clock: () => now, band: 0.15, minLookups: 50 });
  const watcher = new DriftWatcher(trends, (a, m) => sender.softSignal(a, m, { route: a.route }), () => now);
  try {
    for (let h = 0; h < 10; h++) {
      for (let i = 0; i < 100; i++) trends.record('faq', i < 70, undefined);
      now += 3_600_000;
    }
    assert.deepEqual(watcher.check(), [], 'steady: nothing to say');
    for (let i = 0; i < 100; i++) trends.record('faq', i < 10, undefined);
    const delivered = new Promise<void>((r) => (arrived = r));
    const [alert] = watcher.check();
    assert.equal(alert?.flag, 'drop');
    await delivered;
    await sender.idle();
    assert.equal(received.length, 1);
    const body = JSON.parse(received[0]!.body) as DriftAlert;
    assert.deepEqual([body.type, body.route, body.flag, body.last_hour.hit_rate, body.baseline.hit_rate], ['cache.hit_rate_drift', 'faq', 'drop', 0.1, 0.7]);
    assert.equal(received[0]!.signature, sign('s3', received[0]!.body));
    assert.match(warned[0]!, /route faq dropped from 70% to 10%/);
    assert.deepEqual(watcher.check(), [], 'still flagged: not alerted twice');
    // The hour passes; the flag clears, and a later drop alerts again.
    now += 3_600_000;
    for (let i = 0; i < 100; i++) trends.record('faq', i < 70, undefined);
    assert.deepEqual(watcher.check(), []);
    now += 3_600_000;
    for (let i = 0; i < 200; i++) trends.record('faq', false, undefined);
    assert.equal(watcher.check()[0]?.flag, 'drop');
  } finally {
    await sender.idle();
    await new Promise<void>((r) => server.close(() => r()));
  }
});
