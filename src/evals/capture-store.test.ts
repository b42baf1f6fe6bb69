import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadSnapshotFromText } from '../config/load.js';
import { captureRedactor } from './capture-redact.js';
import { SqliteCaptureStore, type CaptureRecord } from './capture-store.js';

const rec = (at: number, text: string, route = 'r'): CaptureRecord => ({ at, requestId: `q${at}`, route, messages: [{ role: 'user', content: text }], answer: 'a'.repeat(10), redacted: false });

test('the capture store applies retention and the byte cap per route, oldest first, at each flush', async () => {
  let now = 100_000;
  const s = new SqliteCaptureStore(':memory:', undefined, () => now);
  const lim = { retentionMs: 50_000, maxBytes: 10_000 };
  s.put(rec(10_000, 'old'), lim); // older than the retention at the next flush
  s.put(rec(60_000, 'x'.repeat(100)), lim);
  s.put(rec(61_000, 'other', 'elsewhere'), { retentionMs: 1, maxBytes: 1 }); // its own limits
  s.flush();
  assert.deepEqual(s.list({ route: 'r' }).map((r) => r.requestId), ['q60000']);
  assert.equal(s.count('elsewhere'), 0, 'a route over its own cap keeps nothing older');
  // Each record here is ~2 kB: the cap of 10 kB keeps the newest four or five.
  now = 200_000;
  for (let i = 0; i < 10; i++) s.put(rec(190_000 + i, 'y'.repeat(2000)), lim);
  s.flush();
  const kept = s.list({ route: 'r' });
  const bytes = kept.reduce((a, r) => a + JSON.stringify(r.messages).length + r.answer.length, 0);
  assert.ok(bytes <= 10_000 && kept.length >= 4, `${kept.length} kept, ${bytes} bytes`);
  assert.equal(kept.at(-1)!.requestId, 'q190009', 'the newest survive');
  assert.ok(!kept.some((r) => r.requestId === 'q60000'));
  // An even sample over the period, and a time filter.
  assert.equal(s.list({ route: 'r', sample: 2 }).length, 2);
  assert.deepEqual(s.list({ route: 'r', since: 190_008 }).map((r) => r.requestId), ['q190008', 'q190009']);
  await s.close();
  s.put(rec(1, 'after close'), lim); // ignored, no throw
});

test('captured text is redacted: the gateway\'s own secrets and the usual credential shapes', () => {
  const snap = loadSnapshotFromText(
    `providers: { p: { format: openai-chat, base_url: http://127.0.0.1:9/v1, api_key: configured-provider-secret-123 } }
deployments: { d: { provider: p, model: m } }
routes: { r: { targets: [d] } }
`,
    { env: {} },
  );
  const redact = captureRedactor(snap);
  const cases: Array<[string, RegExp]> = [
    ['use configured-provider-secret-123 please', /use \[redacted\] please/],
    [`my key mp-${'A'.repeat(32)} broke`, /my key \[redacted\] broke/],
    ['token ghp_' + 'a1'.repeat(18), /token \[redacted\]/],
    ['xoxb-1234567890-abcdefghij', /^\[redacted\]$/],
    ['jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N', /^jwt \[redacted\]$/],
    ['-----BEGIN RSA PRIVATE KEY-----\nMIIEabc\n-----END RSA PRIVATE KEY-----', /^\[redacted\]$/],
    ['AKIAABCDEFGHIJKLMNOP and sk-ant-api03-xyzxyzxyz', /^\[redacted\] and \[redacted\]$/],
    ['password: hunter22', /password: \[redacted\]/],
  ];
  for (const [text, want] of cases) {
    const r = redact(text);
    assert.match(r.text, want, text);
    assert.equal(r.changed, true);
  }
  assert.deepEqual(redact('What is the capital of Peru?'), { text: 'What is the capital of Peru?', changed: false });
});
