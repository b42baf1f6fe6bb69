// One embedding per request: an auto route whose router reads the local embedder (`router:
// embedder`) and a semantic cache on the same route embed the request once, the router first and
// the cache reusing its vector; a failing or slow embedder degrades the router to its structural
// features with a warning, never to an error for the caller.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { startSimulator, type Simulator } from '../testkit/simulator.js';
import { injectable } from '../testkit/inject.js';
import { loadSnapshotFromText } from '../src/config/load.js';
import { createAutoRouting } from '../src/routing/auto/install.js';
import { createGatewayCache } from '../src/cache/install.js';
import { HashedNgramEmbedder, type Embedder, type SyncEmbedder } from '../src/cache/embedder.js';
import { LogSink } from '../testkit/log-sink.js';

let sim: Simulator;
before(async () => { sim = await startSimulator({ port: 0 }); });
after(async () => { await sim.close(); });

const config = (url: string, text = 'last_user_and_system') => `
storage: { data_dir: ":memory:" }
providers:
  cheap: { format: openai-chat, base_url: ${url}/cheap/v1, api_key: k1 }
  big:   { format: openai-chat, base_url: ${url}/big/v1, api_key: k2 }
deployments:
  small-a: { provider: cheap, model: m-small, tier: small }
  big-a:   { provider: big, model: m-big, tier: frontier }
routes:
  assistant: { strategy: auto, tiers: [small, frontier], auto: { router: embedder, threshold: 0.5, text: ${text} }, cache: { mode: semantic, ttl: 1h } }
`;

/** The local embedder, counting its calls (same name: its vectors are the local one's). */
function counting(): SyncEmbedder & { calls: string[] } {
  const inner = new HashedNgramEmbedder();
  const calls: string[] = [];
  return {
    name: inner.name,
    calls,
    embedSync: (t) => (calls.push(t), inner.embedSync(t)),
    embed: (ts) => Promise.resolve(ts.map((t) => (calls.push(t), inner.embedSync(t)))),
  };
}

function gateway(text: string, routerEmbedder: Embedder, cacheEmbedder: Embedder, sink = new LogSink()) {
  const configText = config(sim.url, text);
  const snapshot = loadSnapshotFromText(configText, { env: {} });
  const auto = createAutoRouting({ snapshot, log: sink.logger, embedder: routerEmbedder, embedTimeoutMs: 20 });
  const cache = createGatewayCache(snapshot, { embedder: cacheEmbedder });
  return injectable({ configText, extensions: [auto.extension, cache.extension] });
}

const ask = (g: ReturnType<typeof injectable>, messages: Array<{ role: string; content: string }>) =>
  g.inject({ method: 'POST', url: '/v1/chat/completions', payload: { model: 'assistant', messages } });

test('the router embeds the request once and the cache reuses it; with a different text each embeds its own', async () => {
  const e = counting();
  const g = gateway('last_user_and_system', e, e);
  try {
    const r = await ask(g, [{ role: 'user', content: 'Translate into French: good morning' }]);
    assert.equal(r.statusCode, 200);
    assert.ok(r.headers['x-modelplane-tier']);
    assert.equal(r.headers['x-modelplane-cache'], 'miss');
    assert.deepEqual(e.calls, ['Translate into French: good morning'], 'one embedding served both');
    // With a system prompt the router reads system + last user turn, the cache the last user turn: two texts, two embeddings.
    e.calls.length = 0;
    await ask(g, [{ role: 'system', content: 'Be terse.' }, { role: 'user', content: 'Translate into German: good night' }]);
    assert.deepEqual(e.calls, ['Be terse.\nTranslate into German: good night', 'Translate into German: good night']);
  } finally {
    await g.close();
  }
  const shared = counting();
  const g2 = gateway('last_user', shared, shared);
  try {
    await ask(g2, [{ role: 'system', content: 'Be terse.' }, { role: 'user', content: 'Translate into German: good night' }]);
    assert.equal(shared.calls.length, 1, '`auto.text: last_user` shares even with a system prompt');
  } finally {
    await g2.close();
  }
});

test('a failing or slow embedder: the router scores on structural features, warns, and the caller gets an answer', async () => {
  for (const bad of [
    { name: 'local-hashed-ngrams', embed: () => Promise.reject(new Error('embedder down')) },
    { name: 'local-hashed-ngrams', embed: () => new Promise<Float32Array[]>(() => {}) }, // never answers: the deadline decides
  ] satisfies Embedder[]) {
    const sink = new LogSink();
    const g = gateway('last_user', bad, new HashedNgramEmbedder(), sink);
    try {
      const r = await ask(g, [{ role: 'user', content: 'Prove that there are infinitely many primes, rigorously and step by step.' }]);
      assert.equal(r.statusCode, 200);
      assert.match(String(r.headers['x-modelplane-router-score']), /^0\.\d{3}$/, 'scored without the embedding');
      await sink.waitFor((l) => typeof l.msg === 'string' && l.msg.includes('scoring on structural features only'), 'the embedder warning');
      await ask(g, [{ role: 'user', content: 'again' }]);
      assert.equal(sink.items.filter((l) => typeof l.msg === 'string' && l.msg.includes('scoring on structural features')).length, 1, 'one warning a minute');
    } finally {
      await g.close();
    }
  }
});
