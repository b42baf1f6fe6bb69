// "When traces are not configured, no SDK is loaded": a child process runs a gateway under a
// module resolve hook that records every module it resolves, serves a request, and exits. Without
// `telemetry.otlp` the OpenTelemetry SDK and exporter are never resolved; with it (the control,
// so this test can fail) they are.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { projectRoot } from '../testkit/fixtures.js';

const HOOKS = `
import { appendFileSync } from 'node:fs';
let out;
export function initialize(data) { out = data.out; }
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  appendFileSync(out, r.url + '\\n');
  return r;
}
`;

const CHILD = (injectUrl: string, otlp: boolean) => `
import { register } from 'node:module';
register(${JSON.stringify('data:text/javascript,' + encodeURIComponent(HOOKS))}, { data: { out: process.env.RESOLVED_OUT } });
const { injectable } = await import(${JSON.stringify(injectUrl)});
const g = injectable({ configText: \`
auth: { master_key: k }
${otlp ? 'telemetry: { otlp: { endpoint: http://127.0.0.1:9/v1/traces } }' : ''}
providers: { p: { format: openai-chat, base_url: http://127.0.0.1:9/v1, auth: none } }
deployments: { d: { provider: p, model: m } }
routes: { r: { targets: [d], retry: { max_attempts: 1 } } }
\` });
const res = await g.inject({ method: 'POST', url: '/v1/chat/completions', headers: { authorization: 'Bearer k' }, payload: { model: 'r', messages: [{ role: 'user', content: 'hi' }] } });
if (res.statusCode !== 502) throw new Error('unexpected status ' + res.statusCode);
await g.close();
`;

function resolvedModules(otlp: boolean): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'mp-lazy-'));
  const out = join(dir, 'resolved.txt');
  writeFileSync(out, '');
  const script = join(dir, 'child.mjs');
  writeFileSync(script, CHILD(pathToFileURL(join(projectRoot(), 'dist', 'testkit', 'inject.js')).href, otlp));
  const r = spawnSync(process.execPath, [script], { env: { ...process.env, RESOLVED_OUT: out }, encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  return readFileSync(out, 'utf8').split('\n').filter(Boolean);
}

const isSdk = (u: string) => /@opentelemetry\/(sdk-trace-base|exporter-trace-otlp-http|resources)\//.test(u) || u.endsWith('/tracing-sdk.js');

test('without telemetry.otlp the OpenTelemetry SDK is never loaded; with it, it is', () => {
  const off = resolvedModules(false);
  assert.ok(off.some((u) => u.endsWith('/tracing-extension.js')), 'the hook saw the gateway load');
  assert.deepEqual(off.filter(isSdk), []);
  const on = resolvedModules(true);
  assert.ok(on.some((u) => u.includes('@opentelemetry/sdk-trace-base/')), 'the control: configured, the SDK loads');
  assert.ok(on.some((u) => u.endsWith('/tracing-sdk.js')));
});
