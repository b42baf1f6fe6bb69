// `modelplane eval run --embedder`: `similar` scored by the cache's embedders, including a real
// embeddings route of the gateway (here the simulator's deterministic embeddings).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startGateway } from '../src/server/app.js';
import { chooseEmbedder } from '../src/evals/embedder-choice.js';
import { similarity } from '../src/evals/embedder.js';
import { startSimulator } from '../testkit/simulator.js';
import { captureLogger } from './harness.js';

const KEY = 'sk-embedder';

test('--embedder picks ngram, the cache\'s word features, or an embeddings route; anything else is a usage error', async () => {
  const sim = await startSimulator({ port: 0 });
  const gw = await startGateway({
    configText: `auth: { master_key: ${KEY} }
providers: { s: { format: openai-chat, base_url: ${sim.url}/openai/v1, api_key: k } }
deployments: { e: { provider: s, model: sim-embed, capabilities: { embeddings: true } } }
routes: { emb: { targets: [e], kind: embeddings } }
`,
    port: 0,
    logger: captureLogger([]),
    env: {},
  });
  try {
    const gateway = { baseUrl: gw.url, apiKey: KEY };
    const a = 'Your order shipped yesterday and arrives on Friday.';
    const para = 'Your order arrives on Friday; it shipped yesterday.';
    const other = 'The capital of Peru is Lima.';
    for (const choice of [undefined, 'ngram', 'words', 'route:emb']) {
      const e = chooseEmbedder(choice, gateway);
      assert.ok(Math.abs((await similarity(e, a, a)) - 1) < 1e-6, `${choice}: a text is itself`);
      const close = await similarity(e, a, para);
      const far = await similarity(e, a, other);
      assert.ok(close > far + 0.2, `${choice}: paraphrase ${close} vs unrelated ${far}`);
    }
    assert.equal(chooseEmbedder('route:emb', gateway).name, 'route:emb');
    await assert.rejects(chooseEmbedder('route:nope', gateway).embed('x'), /embeddings route nope: 404/);
    assert.throws(() => chooseEmbedder('bert', gateway), /--embedder: expected ngram, words or route:NAME/);
  } finally {
    await gw.close();
    await sim.close();
  }
});
