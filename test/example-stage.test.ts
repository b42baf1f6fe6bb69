// The worked example of docs/architecture.md ("How to add a stage"): a stage that echoes a
// request header back on the response, in one file with its test, touching nothing else.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Extension } from '../src/gateway/extension.js';
import { injectable } from '../testkit/inject.js';

/** Echoes `x-echo` as `x-modelplane-echo` on every answer of a chat or embeddings call. */
export function echoHeader(): Extension {
  return {
    name: 'echo-header',
    stage: (call, next) => {
      const v = call.ex.req.headers['x-echo'];
      // call.headers are written with the status line, on answers and refusals alike.
      if (typeof v === 'string') call.headers.push('x-modelplane-echo', v.slice(0, 64));
      return next();
    },
  };
}

test('the echo stage adds its header to answers and errors, and nothing else changes', async () => {
  const g = injectable({
    configText: `
providers: { p: { format: openai-chat, base_url: http://127.0.0.1:9/v1, auth: none } }
deployments: { d: { provider: p, model: m } }
routes: { r: { targets: [d], retry: { max_attempts: 1 } } }
`,
    extensions: [echoHeader()],
  });
  try {
    // Nothing listens on port 9: the attempt fails, and the error still carries the header.
    const res = await g.inject({ method: 'POST', url: '/v1/chat/completions', headers: { 'x-echo': 'hello' }, payload: { model: 'r', messages: [{ role: 'user', content: 'hi' }] } });
    assert.equal(res.statusCode, 502);
    assert.equal(res.headers['x-modelplane-echo'], 'hello');
    assert.equal(res.json().error.code, 'upstream_connection');
    const none = await g.inject({ method: 'POST', url: '/v1/chat/completions', payload: { model: 'r', messages: [{ role: 'user', content: 'hi' }] } });
    assert.equal(none.headers['x-modelplane-echo'], undefined);
  } finally {
    await g.close();
  }
});
