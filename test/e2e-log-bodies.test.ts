// `logging.log_bodies: true` adds the prompt and the completion to the request log line (off by
// default: test/e2e-openai.test.ts checks that prompts never appear then).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { post, startHarness, type Harness } from './harness.js';

let h: Harness;
before(async () => {
  h = await startHarness({
    extra: 'logging: { log_bodies: true }',
    config: `
providers:
  sim: { format: openai-chat, base_url: SIM/openai/v1, api_key: k }
deployments:
  a: { provider: sim, model: m }
routes:
  r: { targets: [a] }
`,
  });
});
after(async () => h.close());

test('with log_bodies on, the log line carries the prompt and the completion, streamed or not', async () => {
  for (const stream of [false, true]) {
    const r = await post(`${h.url}/v1/chat/completions`, { model: 'r', stream, messages: [{ role: 'user', content: `PROMPT-MARKER-${stream}` }] });
    assert.equal(r.status, 200);
    const line = await h.log.requestLine(r.headers.get('x-request-id'));
    assert.match(JSON.stringify(line.prompt), new RegExp(`PROMPT-MARKER-${stream}`));
    assert.ok(typeof line.completion === 'string' && (line.completion as string).includes('Simulated reply'), String(line.completion));
  }
});
