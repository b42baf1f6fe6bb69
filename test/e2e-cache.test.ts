// The response cache end to end: the official SDKs as clients, a real gateway on loopback, and a
// small OpenAI-compatible upstream (cache-kit.ts) that counts its calls and can hold its answers
// (so that concurrent requests really are concurrent).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { createOpenAI } from '@ai-sdk/openai';
import { streamText } from 'ai';
import { startGateway, type Gateway } from '../src/server/app.js';
import { KEY } from './harness.js';
import { LogSink } from '../testkit/log-sink.js';
import { runCache } from '../src/cli/cache.js';
import { startUpstream, until, type Upstream } from './cache-kit.js';

const config = (up: string): string => `
auth: { master_key: ${KEY}, admin_key: ${KEY} }
providers: { up: { format: openai-chat, base_url: ${up}/v1, api_key: k } }
deployments: { d: { provider: up, model: up-model, price: { input: 1, output: 2 } } }
routes:
  faq:   { targets: [d], cache: { mode: semantic, ttl: 1h } }
  code:  { targets: [d], cache: { mode: exact, ttl: 24h } }
  plain: { targets: [d] }
  audited: { targets: [d], cache: { mode: semantic, audit: 1 } }
  calibrated: { targets: [d], cache: { mode: semantic, threshold: auto, max_error: 0.05 } }
`;

describe('response cache e2e', () => {
  let up: Upstream;
  let gw: Gateway;
  let openai: OpenAI;
  const sink = new LogSink();
  const admin = async (method = 'GET', query = ''): Promise<any> => (await fetch(`${gw.url}/admin/cache${query}`, { method, headers: { authorization: `Bearer ${KEY}` } })).json();

  before(async () => {
    up = await startUpstream();
    gw = await startGateway({ configText: config(up.url), port: 0, logger: sink.logger, env: {} });
    openai = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: KEY, maxRetries: 0 });
  });
  after(async () => {
    await gw.close();
    await up.close();
  });

  test('exact hit: same body answered once upstream, headers say so, usage is the cached answer', async () => {
    const before = up.calls;
    const ask = () => openai.chat.completions.create({ model: 'code', messages: [{ role: 'user', content: 'Write a haiku about caches' }], temperature: 0 }).withResponse();
    const first = await ask();
    assert.equal(first.response.headers.get('x-modelplane-cache'), 'miss');
    const second = await ask();
    assert.equal(second.response.headers.get('x-modelplane-cache'), 'hit-exact');
    assert.equal(second.response.headers.get('age'), '0');
    assert.equal(second.data.choices[0]!.message.content, first.data.choices[0]!.message.content);
    assert.notEqual(second.data.id, first.data.id, 'a hit is a new response');
    assert.equal(second.data.usage?.total_tokens, 20);
    assert.equal(up.calls, before + 1);
  });

  test('a route without cache config is untouched', async () => {
    const r = await openai.chat.completions.create({ model: 'plain', messages: [{ role: 'user', content: 'x' }] }).withResponse();
    assert.equal(r.response.headers.get('x-modelplane-cache'), null);
  });

  test('an answer stored from a JSON request replays as a stream the SDK helper accepts, and the other way round', async () => {
    const before = up.calls;
    const messages = [{ role: 'user' as const, content: 'Explain exponential backoff in one line' }];
    const json = await openai.chat.completions.create({ model: 'code', messages, max_tokens: 50 });
    const stream = openai.chat.completions.stream({ model: 'code', messages, max_tokens: 50 });
    const deltas: string[] = [];
    stream.on('content', (d) => deltas.push(d));
    const final = await stream.finalChatCompletion();
    assert.equal(final.choices[0]!.message.content, json.choices[0]!.message.content);
    assert.ok(deltas.length > 3, `chunked like a real stream, got ${deltas.length} chunks`);
    // Stored from a stream, served as JSON.
    const m2 = [{ role: 'user' as const, content: 'Explain jitter in one line' }];
    const s2 = await openai.chat.completions.stream({ model: 'code', messages: m2, stream_options: { include_usage: true } }).finalChatCompletion();
    const j2 = await openai.chat.completions.create({ model: 'code', messages: m2 }).withResponse();
    assert.equal(j2.response.headers.get('x-modelplane-cache'), 'hit-exact');
    assert.equal(j2.data.choices[0]!.message.content, s2.choices[0]!.message.content);
    assert.equal(up.calls, before + 2);
  });

  test('tool calls survive the cache, streamed and not', async () => {
    const tools = [{ type: 'function' as const, function: { name: 'lookup', parameters: { type: 'object', properties: { query: { type: 'string' } } } } }];
    const messages = [{ role: 'user' as const, content: 'Find order 1234' }];
    const before = up.calls;
    const first = await openai.chat.completions.stream({ model: 'code', messages, tools }).finalChatCompletion();
    const again = await openai.chat.completions.stream({ model: 'code', messages, tools }).finalChatCompletion();
    const json = await openai.chat.completions.create({ model: 'code', messages, tools });
    for (const r of [again, json]) {
      assert.deepEqual(r.choices[0]!.message.tool_calls, first.choices[0]!.message.tool_calls);
      assert.equal(r.choices[0]!.finish_reason, 'tool_calls');
    }
    assert.equal(JSON.parse(first.choices[0]!.message.tool_calls![0]!.function.arguments).limit, 3);
    assert.equal(up.calls, before + 1);
  });

  test('an answer stored from an OpenAI client serves an Anthropic client, streamed through the SDK helper', async () => {
    const before = up.calls;
    await openai.chat.completions.create({ model: 'code', messages: [{ role: 'user', content: 'Name three sorting algorithms' }], max_tokens: 64 });
    const anthropic = new Anthropic({ baseURL: gw.url, apiKey: KEY, maxRetries: 0 });
    const msg = await anthropic.messages.stream({ model: 'code', max_tokens: 64, messages: [{ role: 'user', content: 'Name three sorting algorithms' }] }).finalMessage();
    assert.equal(msg.content[0]!.type === 'text' && msg.content[0]!.text, 'Answer ' + String(before + 1) + ' to: Name three sorting algorithms');
    assert.equal(up.calls, before + 1);
  });

  test('the Responses API is cached too, streamed and not', async () => {
    const before = up.calls;
    const first = await openai.responses.create({ model: 'code', input: 'What is a write-behind cache?' });
    const again = await openai.responses.create({ model: 'code', input: 'What is a write-behind cache?' }).withResponse();
    assert.equal(again.response.headers.get('x-modelplane-cache'), 'hit-exact');
    assert.equal(again.data.output_text, first.output_text);
    const streamed = await openai.responses.stream({ model: 'code', input: 'What is a write-behind cache?' }).finalResponse();
    assert.equal(streamed.output_text, first.output_text);
    // A hit is a Response of its own: it can be continued with previous_response_id.
    const next = await openai.responses.create({ model: 'code', input: 'And a write-through one?', previous_response_id: again.data.id });
    assert.match(next.output_text, /And a write-through one\?$/);
    assert.equal(up.calls, before + 2);
  });

  test('semantic hit for a paraphrase (similarity header), a miss for a near-duplicate that asks otherwise', async () => {
    const before = up.calls;
    await openai.chat.completions.create({ model: 'faq', messages: [{ role: 'system', content: 'Support bot' }, { role: 'user', content: 'How do I reset my password?' }] });
    const para = await openai.chat.completions.create({ model: 'faq', messages: [{ role: 'system', content: 'Support bot' }, { role: 'user', content: 'How can I reset my password?' }] }).withResponse();
    assert.equal(para.response.headers.get('x-modelplane-cache'), 'hit-semantic');
    assert.ok(Number(para.response.headers.get('x-modelplane-cache-similarity')) >= 0.75);
    assert.match(para.data.choices[0]!.message.content!, /How do I reset my password\?$/);
    const other = await openai.chat.completions.create({ model: 'faq', messages: [{ role: 'system', content: 'Support bot' }, { role: 'user', content: 'How do I reset my username?' }] }).withResponse();
    assert.equal(other.response.headers.get('x-modelplane-cache'), 'miss');
    assert.equal(up.calls, before + 2);
    // streamText (the `ai` SDK) on a semantic hit.
    const provider = createOpenAI({ baseURL: `${gw.url}/v1`, apiKey: KEY });
    const r = streamText({ model: provider.chat('faq'), system: 'Support bot', prompt: 'how to reset password' });
    let text = '';
    for await (const t of r.textStream) text += t;
    assert.match(text, /How do I reset my password\?$/);
  });

  test('audit: 1 asks every semantic hit upstream again in the background and reports the false-hit rate', async () => {
    const before = up.calls;
    await openai.chat.completions.create({ model: 'audited', messages: [{ role: 'user', content: 'How do I export my data?' }] });
    const hit = await openai.chat.completions.create({ model: 'audited', messages: [{ role: 'user', content: 'How can I export my data?' }] }).withResponse();
    assert.equal(hit.response.headers.get('x-modelplane-cache'), 'hit-semantic');
    let row: any;
    await until(async () => (row = (await admin()).audit.find((r: any) => r.route === 'audited'))?.audits > 0, 'the audit');
    assert.equal(row.audits, 1);
    assert.equal(row.disagreements, 0, 'the fresh answer says the same thing');
    assert.deepEqual(row.ci95.map((x: number) => x >= 0 && x <= 1), [true, true]);
    assert.equal(up.calls, before + 2, 'the miss, and the audit');
    // The audit request is labelled in the request line.
    await sink.waitFor((l) => l.msg === 'request' && l.cache === 'audit', 'the audit request line');
  });

  test('threshold: auto learns from a near miss through the gateway and reports it in /admin/cache', async () => {
    const before = up.calls;
    // A paraphrase the verifier accepts at similarity ~0.715: under the start of 0.75, within the near-miss window.
    await openai.chat.completions.create({ model: 'calibrated', messages: [{ role: 'user', content: 'How do I export my data?' }] });
    const near = await openai.chat.completions.create({ model: 'calibrated', messages: [{ role: 'user', content: 'How can I export all my data?' }] }).withResponse();
    assert.equal(near.response.headers.get('x-modelplane-cache'), 'miss');
    let row: any;
    await until(async () => (row = (await admin()).thresholds.find((t: any) => t.route === 'calibrated'))?.nearMisses === 1, 'the near-miss observation');
    assert.deepEqual([row.threshold, row.maxError, row.observations, row.wrong], [0.75, 0.05, 1, 0], 'one agreeing observation moves nothing');
    assert.equal(up.calls, before + 2, 'observing costs no upstream call');
  });

  test('cache-control: no-store neither reads nor writes; no-cache refreshes', async () => {
    const before = up.calls;
    const body = { model: 'code', messages: [{ role: 'user', content: 'no-store question' }] };
    const send = (cc?: string) => fetch(`${gw.url}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json', ...(cc ? { 'cache-control': cc } : {}) }, body: JSON.stringify(body) });
    assert.equal((await send('no-store')).headers.get('x-modelplane-cache'), 'bypass');
    assert.equal((await send()).headers.get('x-modelplane-cache'), 'miss', 'no-store stored nothing');
    const fresh = await send('no-cache');
    assert.equal(fresh.headers.get('x-modelplane-cache'), 'bypass');
    const hit = await send();
    assert.equal(hit.headers.get('x-modelplane-cache'), 'hit-exact');
    assert.equal(((await hit.json()) as any).choices[0].message.content, ((await fresh.json()) as any).choices[0].message.content);
    assert.equal(up.calls, before + 3);
  });

  for (const stream of [false, true]) {
    test(`single-flight: 20 identical concurrent ${stream ? 'streaming' : 'JSON'} requests make 1 upstream call`, async () => {
      const before = up.calls;
      up.hold();
      const content = `concurrent question (${stream})`;
      const all = Array.from({ length: 20 }, () =>
        stream
          ? openai.chat.completions.stream({ model: 'code', messages: [{ role: 'user', content }] }).finalChatCompletion()
          : openai.chat.completions.create({ model: 'code', messages: [{ role: 'user', content }] }),
      );
      await up.arrived(before + 1);
      // Release the leader only once the other 19 wait for it.
      await until(async () => (await admin()).in_flight.waiting >= 19, '19 waiting followers');
      up.release();
      const results = await Promise.all(all);
      assert.equal(up.calls, before + 1);
      assert.equal(new Set(results.map((r) => r.choices[0]!.message.content)).size, 1);
    });
  }

  test('a request the leader failed for is retried by a follower, not failed with it', async () => {
    // The leader's client goes away while upstream holds: its followers must still be answered.
    const before = up.calls;
    up.hold();
    const content = 'leader leaves';
    const ac = new AbortController();
    const leader = openai.chat.completions.create({ model: 'code', messages: [{ role: 'user', content }] }, { signal: ac.signal }).catch((e: unknown) => e);
    await up.arrived(before + 1);
    const followers = Array.from({ length: 5 }, () => openai.chat.completions.create({ model: 'code', messages: [{ role: 'user', content }] }));
    await until(async () => (await admin()).in_flight.waiting >= 5, '5 waiting followers');
    ac.abort();
    await leader;
    await up.arrived(before + 2); // one follower leads the retry...
    up.release();
    const results = await Promise.all(followers);
    assert.equal(up.calls, before + 2, '...and the other four share its answer');
    assert.equal(new Set(results.map((r) => r.choices[0]!.message.content)).size, 1);
  });

  test('GET /admin/cache reports the KPI; DELETE purges', async () => {
    const s = await admin('GET', '?group_by=route');
    const code = s.groups.find((g: any) => g.route === 'code');
    assert.ok(code.hitExact >= 5 && code.miss >= 5);
    assert.ok(code.usdSaved > 0 && code.tokensSaved > 0);
    assert.ok(s.store.entries > 0);
    const p = await admin('DELETE', '?route=code&scope=master');
    assert.ok(p.purged > 0);
    const r = await openai.chat.completions.create({ model: 'code', messages: [{ role: 'user', content: 'Write a haiku about caches' }], temperature: 0 }).withResponse();
    assert.equal(r.response.headers.get('x-modelplane-cache'), 'miss');
    const bad = await fetch(`${gw.url}/admin/cache?group_by=nope`, { headers: { authorization: `Bearer ${KEY}` } });
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as any).error.param, 'group_by');
  });

  test('modelplane cache stats | purge', async () => {
    await openai.chat.completions.create({ model: 'code', messages: [{ role: 'user', content: 'cli question' }] });
    let printed = '';
    const env = { MODELPLANE_ADMIN_KEY: KEY };
    assert.equal(await runCache(['stats', '--url', gw.url, '--group-by', 'route'], (t) => (printed += t), env), 0);
    assert.ok((JSON.parse(printed) as { groups: Array<{ route: string }> }).groups.some((g) => g.route === 'code'));
    printed = '';
    assert.equal(await runCache(['purge', '--url', gw.url, '--route', 'code'], (t) => (printed += t), env), 0);
    assert.ok((JSON.parse(printed) as { purged: number }).purged >= 1);
    assert.equal(await runCache(['stats', '--url', gw.url], () => undefined, {}), 1, 'no admin key: refused');
  });
});

test('cache.persist: answers survive a gateway restart', async () => {
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const dir = mkdtempSync(join(tmpdir(), 'mp-cache-e2e-'));
  const up = await startUpstream();
  const text = `${config(up.url)}\nstorage: { data_dir: ${dir} }\ncache: { persist: true }\n`;
  const ask = async (gw: Gateway) => {
    const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: KEY, maxRetries: 0 });
    return client.chat.completions.create({ model: 'faq', messages: [{ role: 'user', content: 'How do I change my email address?' }] }).withResponse();
  };
  try {
    const a = await startGateway({ configText: text, port: 0, logger: new LogSink().logger, env: {} });
    const first = await ask(a);
    assert.equal(first.response.headers.get('x-modelplane-cache'), 'miss');
    await a.close();
    const b = await startGateway({ configText: text, port: 0, logger: new LogSink().logger, env: {} });
    const second = await ask(b);
    assert.equal(second.response.headers.get('x-modelplane-cache'), 'hit-exact');
    assert.equal(second.data.choices[0]!.message.content, first.data.choices[0]!.message.content);
    assert.equal(up.calls, 1);
    await b.close();
  } finally {
    await up.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('cache.embedder: an embeddings route of the gateway itself; when it fails, exact-only', async () => {
  const up = await startUpstream();
  const text = `${config(up.url)}
  emb: { targets: [e] }
cache: { embedder: emb }
`.replace('deployments: { d: { provider: up, model: up-model, price: { input: 1, output: 2 } } }', 'deployments: { d: { provider: up, model: up-model }, e: { provider: up, model: up-embed, capabilities: { embeddings: true } } }');
  const gw = await startGateway({ configText: text, port: 0, logger: new LogSink().logger, env: {} });
  const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: KEY, maxRetries: 0 });
  const ask = (q: string) => client.chat.completions.create({ model: 'faq', messages: [{ role: 'user', content: q }] }).withResponse();
  try {
    assert.equal((await ask('How do I cancel my subscription?')).response.headers.get('x-modelplane-cache'), 'miss');
    const para = await ask('How can I cancel my subscription?');
    assert.equal(para.response.headers.get('x-modelplane-cache'), 'hit-semantic');
    assert.ok(up.embeddingCalls >= 2);
    up.embeddingsDown = true;
    assert.equal((await ask('How can I cancel the subscription?')).response.headers.get('x-modelplane-cache'), 'miss', 'no semantic lookup, and no error');
    assert.equal((await ask('How do I cancel my subscription?')).response.headers.get('x-modelplane-cache'), 'hit-exact', 'the exact layer still serves');
    const stats = (await (await fetch(`${gw.url}/admin/cache`, { headers: { authorization: `Bearer ${KEY}` } })).json()) as { total: { embedderErrors: number }; semantic: { embedder: string } };
    assert.ok(stats.total.embedderErrors >= 1);
    assert.equal(stats.semantic.embedder, 'route:emb');
  } finally {
    await gw.close();
    await up.close();
  }
});

test('the ledger records a hit at cost 0 with the cost it saved (cache_saved_usd)', async () => {
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { default: Database } = await import('better-sqlite3');
  const dir = mkdtempSync(join(tmpdir(), 'mp-cache-ledger-'));
  const up = await startUpstream();
  try {
    const gw = await startGateway({ configText: `${config(up.url)}\nstorage: { data_dir: ${dir} }\n`, port: 0, logger: new LogSink().logger, env: {} });
    const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: KEY, maxRetries: 0 });
    const ask = (stream: boolean) =>
      stream
        ? client.chat.completions.stream({ model: 'code', messages: [{ role: 'user', content: 'ledger question' }], stream_options: { include_usage: true } }).finalChatCompletion()
        : client.chat.completions.create({ model: 'code', messages: [{ role: 'user', content: 'ledger question' }] });
    await ask(false);
    await ask(false);
    await ask(true);
    await gw.close();
    const db = new Database(join(dir, 'ledger.sqlite'), { readonly: true });
    const rows = db.prepare('SELECT cache, cost_usd, cache_saved_usd FROM ledger WHERE route = ? ORDER BY ts, rowid').all('code') as Array<{ cache: string; cost_usd: number; cache_saved_usd: number | null }>;
    db.close();
    assert.deepEqual(rows.map((r) => r.cache), ['miss', 'hit-exact', 'hit-exact']);
    // 12 input tokens at $1/M and 8 output tokens at $2/M.
    const missCost = (12 * 1 + 8 * 2) / 1e6;
    assert.ok(Math.abs(rows[0]!.cost_usd - missCost) < 1e-12, `miss cost ${rows[0]!.cost_usd}`);
    assert.equal(rows[0]!.cache_saved_usd, null);
    for (const hit of rows.slice(1)) {
      assert.equal(hit.cost_usd, 0);
      assert.ok(Math.abs(hit.cache_saved_usd! - missCost) < 1e-12, `saved ${hit.cache_saved_usd}`);
    }
  } finally {
    await up.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
