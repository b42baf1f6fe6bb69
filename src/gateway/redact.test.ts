// Upstream error texts are redacted, bounded and flattened before they reach a caller or a log:
// against simulated upstreams that echo the key we sent them, dump our request headers, or
// answer with an HTML page and a Python traceback.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { once } from 'node:events';
import { anthropicMessages, egressFormats, openaiChat } from '../formats/index.js';
import { loadSnapshotFromText } from '../config/load.js';
import { GatewayError } from '../spec/errors.js';
import { callUpstreamBuffered, closeUpstreamAgents } from './upstream.js';
import { AttemptAbort } from './cancel.js';
import { excerpt, MAX_EXCERPT, Redactor, redactorFor, sanitizeUpstreamError, snapshotSecrets, summariseBody, upstreamDebugText } from './redact.js';

// Built at run time: the lint forbids nothing here, but a key-shaped literal invites copy-paste.
const KEY = ['sk', 'proj', 'Zx81yQ2v0dLmRt7WcN4b'].join('-');
const AWS_ID = 'AKIA' + 'IOSFODNN7EXAMPLE';
const AWS_SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const MASTER = 'gateway-master-key-123';

const CONFIG = `
auth: { master_key: ${MASTER} }
providers:
  up: { format: openai-chat, base_url: http://127.0.0.1:1/v1, api_key: ${KEY}, headers: { x-custom-token: hdr-secret-value-9 } }
  aws: { format: bedrock-converse, base_url: http://127.0.0.1:1, region: us-east-1, auth: sigv4, aws: { access_key_id: ${AWS_ID}, secret_access_key: ${AWS_SECRET} } }
  local: { format: openai-chat, base_url: http://127.0.0.1:1/v1, auth: none }
deployments:
  d: { provider: up, model: m, api_keys: [deployment-only-key-77] }
  b: { provider: aws, model: m }
  l: { provider: local, model: m }
routes:
  r: { targets: [d] }
`;

const snapshot = () => loadSnapshotFromText(CONFIG, { env: {} });

const HTML_500 = `<!DOCTYPE html>
<html><head><title>500 Internal Server Error</title></head><body>
<h1>Internal Server Error</h1><pre>Traceback (most recent call last):
  File "/srv/app/inference-7.internal.corp/handler.py", line 88, in handle
    raise RuntimeError("db at 10.2.3.4:5432 refused")
RuntimeError: db at 10.2.3.4:5432 refused
Authorization: Bearer ${KEY}</pre></body></html>`;

test('every credential of the snapshot is known to its redactor', () => {
  const secrets = snapshotSecrets(snapshot());
  for (const s of [KEY, AWS_ID, AWS_SECRET, MASTER, 'deployment-only-key-77', 'hdr-secret-value-9']) assert.ok(secrets.includes(s), s);
  const r = redactorFor(snapshot());
  const text = `key ${KEY} id ${AWS_ID} secret ${AWS_SECRET} master ${MASTER} dep deployment-only-key-77 hdr hdr-secret-value-9`;
  const out = r.redact(text);
  for (const s of [KEY, AWS_ID, AWS_SECRET, MASTER, 'deployment-only-key-77', 'hdr-secret-value-9']) assert.ok(!out.includes(s), `${s} leaked: ${out}`);
});

test('shapes are redacted even when the gateway does not hold the value', () => {
  const r = new Redactor([]);
  const unknownKey = ['sk', 'ant', 'api03', 'AbCdEfGhIjKlMnOp'].join('-');
  const cases = [
    `Incorrect API key provided: Bearer ${unknownKey}`,
    `x-api-key: ${unknownKey}`,
    `"authorization":"Bearer abcdefghijklmnop"`,
    `aws key ASIA${'Q'.repeat(16)}`,
    `api_key=abcd1234efgh`,
    `key=${'AIza' + 'S'.repeat(35)}`,
  ];
  for (const c of cases) {
    const out = r.redact(c);
    assert.ok(out.includes('[redacted]'), `${c} -> ${out}`);
    assert.ok(!out.includes(unknownKey) && !out.includes('abcdefghijklmnop') && !out.includes('Q'.repeat(16)) && !out.includes('abcd1234efgh'), `${c} -> ${out}`);
  }
  for (const prose of ['an ordinary message about tokens and keys', 'Basic authentication failed', 'Bearer tokens must be sent in the header']) assert.equal(r.redact(prose), prose);
});

test('short configured values are not treated as secrets (they would eat ordinary words)', () => {
  const r = new Redactor(['k', 'none', 'key']);
  assert.equal(r.redact('the key is none of your business'), 'the key is none of your business');
});

test('excerpts are one line, bounded, and cut only after redaction', () => {
  const r = new Redactor([KEY]);
  const long = `line one\nline two\r\n\t${'x'.repeat(1000)} ${KEY}`;
  const e = excerpt(long, r);
  assert.ok(!/[\n\r\t]/.test(e));
  assert.ok(e.length <= MAX_EXCERPT);
  assert.ok(!e.includes(KEY.slice(0, 12)));
  // A key straddling the cut: redacted whole first, so no head of it survives.
  const straddle = 'y'.repeat(MAX_EXCERPT - 10) + KEY;
  assert.ok(!excerpt(straddle, r).includes('sk-proj'));
});

test('HTML pages and tracebacks are summarised, never quoted', () => {
  const r = new Redactor([KEY]);
  assert.equal(summariseBody(HTML_500, 500, r), 'upstream returned an HTML error page, HTTP 500');
  assert.equal(summariseBody('Traceback (most recent call last):\n  File "x.py", line 1\nKeyError', 500, r), 'upstream returned a stack trace, HTTP 500');
  assert.equal(summariseBody('', 502, r), 'upstream returned HTTP 502 with an empty body');
  assert.equal(summariseBody('Bad gateway', 502, r), 'upstream returned HTTP 502: Bad gateway');
});

async function hostileUpstream(status: number, contentType: string, body: (req: { authorization: string; headers: string }) => string) {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(status, { 'content-type': contentType });
      res.end(body({ authorization: String(req.headers.authorization), headers: JSON.stringify(req.headers) }));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/** One real call, the format's parseError, then the sanitiser: what a caller would be shown. */
async function shown(url: string, fmt: 'openai-chat' | 'anthropic-messages'): Promise<{ err: GatewayError; rendered: string; debug: string | undefined }> {
  const up = await callUpstreamBuffered(
    { method: 'POST', url, headers: { authorization: `Bearer ${KEY}`, 'x-api-key': KEY, 'content-type': 'application/json' }, body: '{}', warnings: [] },
    { connectMs: 2_000, firstByteMs: 10_000, totalMs: 10_000 },
    new AttemptAbort(),
    'test',
  );
  const raw = egressFormats[fmt]!.parseError(up.body.toString('utf8'), up);
  const r = redactorFor(snapshot());
  const err = sanitizeUpstreamError(raw, r);
  const ingress = fmt === 'openai-chat' ? openaiChat : anthropicMessages;
  return { err, rendered: JSON.stringify(ingress.encodeError(err).body), debug: upstreamDebugText(raw, r) };
}

test('an upstream that echoes our key in its JSON error: the caller sees the message without it', async (t) => {
  const up = await hostileUpstream(401, 'application/json', (req) => JSON.stringify({ error: { message: `Incorrect API key provided: ${req.authorization}. Headers were ${req.headers}`, type: 'invalid_request_error', code: 'invalid_api_key' } }));
  t.after(() => up.close());
  for (const fmt of ['openai-chat', 'anthropic-messages'] as const) {
    const { err, rendered, debug } = await shown(`${up.url}/v1/chat/completions`, fmt);
    assert.ok(!rendered.includes(KEY) && !rendered.includes('Zx81yQ2v'), `${fmt}: ${rendered}`);
    assert.ok(!JSON.stringify(err.upstream).includes(KEY), 'the kept upstream body is redacted too');
    assert.match(err.message, /^Incorrect API key provided: Bearer \[redacted\]/);
    assert.ok(err.message.length <= MAX_EXCERPT && !err.message.includes('\n'));
    assert.ok(debug !== undefined && !debug.includes(KEY));
    if (fmt === 'openai-chat') assert.equal(err.code, 'upstream_auth', 'the classification is the format\'s, unchanged');
  }
});

test('an HTML 500 with internal hostnames and a traceback: summarised; the debug text is redacted', async (t) => {
  const up = await hostileUpstream(500, 'text/html', () => HTML_500);
  t.after(() => up.close());
  for (const fmt of ['openai-chat', 'anthropic-messages'] as const) {
    const { err, rendered, debug } = await shown(`${up.url}/v1/chat/completions`, fmt);
    assert.equal(err.message, 'upstream returned an HTML error page, HTTP 500');
    for (const leak of ['internal.corp', '10.2.3.4', 'Traceback', KEY, '<html']) assert.ok(!rendered.includes(leak), `${fmt} leaked ${leak}: ${rendered}`);
    assert.ok(debug !== undefined && debug.includes('Traceback') && !debug.includes(KEY), 'the debug log keeps the page, redacted');
    assert.equal(err.retryable, true);
  }
});

test('an error of our own (no upstream text) keeps its message', () => {
  const e = new GatewayError('upstream_timeout', 'deployment d: first-byte timeout after 10 ms');
  const out = sanitizeUpstreamError(e, new Redactor([KEY]));
  assert.equal(out.message, e.message);
  assert.equal(out.code, 'upstream_timeout');
});

test('cleanup', async () => {
  await closeUpstreamAgents();
});

test('every egress format\'s parseError of an HTML page or an echoed key comes out summarised and redacted', () => {
  const r = redactorFor(snapshot());
  for (const [name, fmt] of Object.entries(egressFormats)) {
    const html = sanitizeUpstreamError(fmt!.parseError(HTML_500, { status: 500, headers: { 'content-type': 'text/html' } }), r);
    assert.equal(html.message, 'upstream returned an HTML error page, HTTP 500', name);
    const plain = sanitizeUpstreamError(fmt!.parseError(`Unauthorized: Bearer ${KEY}`, { status: 401, headers: {} }), r);
    assert.ok(!plain.message.includes(KEY) && !JSON.stringify(plain.upstream).includes(KEY), `${name}: ${plain.message}`);
  }
});
