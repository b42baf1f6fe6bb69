// The mock and the bare proxy are measuring instruments: check they speak the protocol the
// gateway expects (usage, one event per write, [DONE]) and that the proxy passes it unchanged.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { startMockUpstream } from './mock-upstream.js';
import { createBareProxy } from './bare-proxy.js';

const body = (extra: object) => JSON.stringify({ model: 'model-a', messages: [{ role: 'user', content: 'hi' }], ...extra });

test('mock answers JSON with usage and SSE with usage chunk and [DONE]; the bare proxy passes both through', async (t) => {
  const mock = await startMockUpstream(0);
  const mockPort = (mock.address() as AddressInfo).port;
  const proxy = createBareProxy(`http://127.0.0.1:${mockPort}`);
  await new Promise<void>((r) => proxy.server.listen(0, '127.0.0.1', () => r()));
  const proxyPort = (proxy.server.address() as AddressInfo).port;
  t.after(async () => {
    await proxy.close();
    mock.close();
    mock.closeAllConnections();
  });
  for (const port of [mockPort, proxyPort]) {
    const url = `http://127.0.0.1:${port}/v1/chat/completions`;
    const j = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: body({}) });
    assert.equal(j.status, 200);
    const json = (await j.json()) as { model: string; usage: { total_tokens: number }; choices: Array<{ message: { content: string } }> };
    assert.equal(json.model, 'model-a');
    assert.equal(json.usage.total_tokens, 51);

    const s = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: body({ stream: true, stream_options: { include_usage: true } }) });
    assert.equal(s.headers.get('content-type'), 'text/event-stream; charset=utf-8');
    const events = (await s.text()).split('\n\n').filter(Boolean);
    assert.equal(events.length, 1 + 20 + 1 + 1 + 1); // role, tokens, finish, usage, [DONE]
    assert.equal(events.at(-1), 'data: [DONE]');
    const text = events.slice(1, 21).map((e) => (JSON.parse(e.slice(6)) as { choices: Array<{ delta: { content: string } }> }).choices[0]!.delta.content).join('');
    assert.equal(text, json.choices[0]!.message.content);
    assert.match(events.at(-2)!, /"choices":\[\],"usage":\{"prompt_tokens":31/);

    const noUsage = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: body({ stream: true }) });
    assert.equal((await noUsage.text()).split('\n\n').filter(Boolean).length, 23);
  }
});
