// Streaming single-flight as a live tee, end to end: identical concurrent streaming requests make
// one upstream call, and the followers (official OpenAI and Anthropic SDK clients, each in its
// own wire format) receive the leader's chunks while the upstream is still producing them.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { startGateway, type Gateway } from '../src/server/app.js';
import { KEY } from './harness.js';
import { LogSink } from '../testkit/log-sink.js';
import { startUpstream, until, type Upstream } from './cache-kit.js';

const config = (up: string): string => `
auth: { master_key: ${KEY}, admin_key: ${KEY} }
providers: { up: { format: openai-chat, base_url: ${up}/v1, api_key: k } }
deployments: { d: { provider: up, model: up-model, price: { input: 1, output: 2 } } }
routes:
  code: { targets: [d], cache: { mode: exact, ttl: 1h } }
`;

describe('streaming single-flight: a live tee', () => {
  let up: Upstream;
  let gw: Gateway;
  let openai: OpenAI;
  let anthropic: Anthropic;
  const admin = async (): Promise<any> => (await fetch(`${gw.url}/admin/cache?group_by=route`, { headers: { authorization: `Bearer ${KEY}` } })).json();

  before(async () => {
    up = await startUpstream();
    gw = await startGateway({ configText: config(up.url), port: 0, logger: new LogSink().logger, env: {} });
    openai = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: KEY, maxRetries: 0 });
    anthropic = new Anthropic({ baseURL: gw.url, apiKey: KEY, maxRetries: 0 });
  });
  after(async () => {
    await gw.close();
    await up.close();
  });

  /** A leader that has received its first text while the upstream holds the rest of its stream. */
  async function startLeader(content: string) {
    const before = up.calls;
    up.holdMid();
    const leaderText: string[] = [];
    const leader = openai.chat.completions.stream({ model: 'code', max_tokens: 64, messages: [{ role: 'user', content }] });
    leader.on('content', (d) => leaderText.push(d));
    await up.arrived(before + 1);
    await until(async () => leaderText.length >= 2, 'the leader\'s first two chunks');
    return { before, leader, leaderText };
  }

  test('followers in their own formats receive the chunks while the upstream still produces them', async () => {
    const content = 'live tee question';
    const { before, leader } = await startLeader(content);
    const oaText: string[] = [];
    const oa = openai.chat.completions.stream({ model: 'code', max_tokens: 64, messages: [{ role: 'user', content }] });
    oa.on('content', (d) => oaText.push(d));
    const anText: string[] = [];
    const an = anthropic.messages.stream({ model: 'code', max_tokens: 64, messages: [{ role: 'user', content }] });
    an.on('text', (d) => anText.push(d));
    // The upstream is still holding after two pieces: whatever the followers have, they got live.
    await until(async () => oaText.length >= 2 && anText.length >= 2, 'both followers\' first chunks');
    assert.equal(up.calls, before + 1);
    assert.equal(oaText.join(''), `Answer ${before + 1}`);
    assert.equal(anText.join(''), `Answer ${before + 1}`);
    up.releaseMid();
    const [l, o, a] = await Promise.all([leader.finalChatCompletion(), oa.finalChatCompletion(), an.finalMessage()]);
    const full = `Answer ${before + 1} to: ${content}`;
    assert.equal(l.choices[0]!.message.content, full);
    assert.equal(o.choices[0]!.message.content, full);
    assert.equal(a.content[0]!.type === 'text' && a.content[0]!.text, full);
    assert.equal(a.stop_reason, 'end_turn');
    assert.ok(oaText.length >= 4, `chunked like the original (${oaText.length} chunks)`);
    assert.notEqual(o.id, l.id, 'a follower answers with its own id');
    assert.equal(up.calls, before + 1, 'one upstream call for all three');
    const code = (await admin()).groups.find((g: any) => g.route === 'code');
    assert.ok(code.sharedInFlight >= 2);
    await until(async () => (await admin()).groups.find((g: any) => g.route === 'code').usdSaved > 0, 'the followers\' savings, once the leader is priced');
  });

  test('a leader that breaks mid-stream ends its live followers with a clear error, in their own format', async () => {
    const content = 'live tee breaks';
    up.breakMid = true;
    const { before, leader } = await startLeader(content);
    const oaText: string[] = [];
    const oa = openai.chat.completions.stream({ model: 'code', max_tokens: 64, messages: [{ role: 'user', content }] });
    oa.on('content', (d) => oaText.push(d));
    const an = anthropic.messages.stream({ model: 'code', max_tokens: 64, messages: [{ role: 'user', content }] });
    const anText: string[] = [];
    an.on('text', (d) => anText.push(d));
    // The SDK helpers also emit the failure as an event: listen, so it is not an unhandled rejection.
    for (const s of [leader, oa]) s.on('error', () => undefined);
    an.on('error', () => undefined);
    await until(async () => oaText.length >= 2 && anText.length >= 2, 'both followers joined live');
    up.releaseMid();
    await assert.rejects(leader.finalChatCompletion());
    await assert.rejects(oa.finalChatCompletion(), (e: unknown) => e instanceof Error && /single-flight\), which failed mid-way/.test(e.message));
    await assert.rejects(an.finalMessage(), (e: unknown) => e instanceof Error && /single-flight\), which failed mid-way/.test(e.message));
    assert.equal(up.calls, before + 1);
    // Nothing was stored: the next request asks upstream again.
    const next = await openai.chat.completions.create({ model: 'code', max_tokens: 64, messages: [{ role: 'user', content }] }).withResponse();
    assert.equal(next.response.headers.get('x-modelplane-cache'), 'miss');
  });

  test('a follower that never reads does not hold up the leader, and the answer is stored', async () => {
    const content = 'live tee slow reader';
    const { before, leader } = await startLeader(content);
    // A raw client that sends the same request and then never reads a byte of its response.
    const body = JSON.stringify({ model: 'code', max_tokens: 64, stream: true, messages: [{ role: 'user', content }] });
    const u = new URL(`${gw.url}/v1/chat/completions`);
    let sawHeaders = false;
    const slow = request({ host: u.hostname, port: u.port, path: u.pathname, method: 'POST', headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' } }, (res) => {
      sawHeaders = res.headers['x-modelplane-cache'] === 'hit-exact';
      res.pause();
    });
    slow.end(body);
    await until(async () => (await admin()).in_flight.waiting >= 1, 'the slow follower joined');
    up.releaseMid();
    const done = await leader.finalChatCompletion();
    assert.equal(done.choices[0]!.message.content, `Answer ${before + 1} to: ${content}`);
    const again = await openai.chat.completions.create({ model: 'code', max_tokens: 64, messages: [{ role: 'user', content }] }).withResponse();
    assert.equal(again.response.headers.get('x-modelplane-cache'), 'hit-exact');
    assert.equal(up.calls, before + 1);
    await until(async () => sawHeaders, 'the slow follower\'s headers');
    slow.destroy();
  });
});
