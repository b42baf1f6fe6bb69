import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import type { CanonicalRequest, EgressTarget } from '../../spec/index.js';
import { bedrockConverse } from './index.js';
import { buildBedrockRequest } from './build-request.js';
import { pick } from '../../../testkit/format-helpers/bedrock-converse.js';

const target: EgressTarget = {
  deploymentId: 'd1',
  model: 'model-a',
  baseUrl: 'https://bedrock-runtime.us-east-1.amazonaws.com',
  auth: 'sigv4',
  region: 'us-east-1',
  aws: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' },
  quirks: {},
};
const base: CanonicalRequest = { model: 'route', messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }], stream: false };

/** Target overrides; `undefined` removes a field the default target has. */
type TargetOverride = { [K in keyof EgressTarget]?: EgressTarget[K] | undefined };

/** The default target with `t` applied: a field set to undefined is removed, as a config without it. */
function withTarget(t: TargetOverride): EgressTarget {
  const out: Record<string, unknown> = { ...target };
  for (const [k, v] of Object.entries(t)) {
    if (v === undefined) delete out[k];
    else out[k] = v;
  }
  return out as unknown as EgressTarget;
}

async function build(req: Partial<CanonicalRequest>, t: TargetOverride = {}) {
  const r = await bedrockConverse.buildRequest({ ...base, ...req }, withTarget(t));
  return { ...r, json: JSON.parse(String(r.body)) as unknown };
}

test('URL: converse / converse-stream, model id URL-encoded', async () => {
  assert.equal((await build({})).url, 'https://bedrock-runtime.us-east-1.amazonaws.com/model/model-a/converse');
  assert.equal((await build({ stream: true })).url, 'https://bedrock-runtime.us-east-1.amazonaws.com/model/model-a/converse-stream');
  const arn = 'arn:aws:bedrock:us-east-1:123:inference-profile/us.model-a';
  assert.equal(
    (await build({}, { model: arn })).url,
    'https://bedrock-runtime.us-east-1.amazonaws.com/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A123%3Ainference-profile%2Fus.model-a/converse',
  );
});

test('messages: system + cache points, role merging, images, tool use/results, reasoning', async () => {
  const r = await build({
    messages: [
      { role: 'system', content: [{ type: 'text', text: 'sys', cacheControl: { type: 'ephemeral' } }] },
      { role: 'user', content: [{ type: 'text', text: 'look' }, { type: 'image', source: { kind: 'base64', mediaType: 'image/jpeg', data: '/9j/' } }] },
      { role: 'user', content: [{ type: 'text', text: 'more', cacheControl: { type: 'ephemeral' } }] },
      {
        role: 'assistant',
        content: [
          { type: 'reasoning', text: 'think', signature: 'SIG' },
          { type: 'reasoning', text: '', redacted: 'UkVE' },
          { type: 'text', text: 'ok' },
          { type: 'tool-call', id: 'tu1', name: 'lookup', arguments: '{"q":"x"}' },
        ],
      },
      { role: 'tool', content: [{ type: 'tool-result', toolCallId: 'tu1', content: [{ type: 'text', text: 'found' }] }] },
      { role: 'tool', content: [{ type: 'tool-result', toolCallId: 'tu2', isError: true, content: [{ type: 'text', text: 'boom' }] }] },
      { role: 'user', content: [{ type: 'text', text: 'thanks' }] },
    ],
    tools: [{ name: 'lookup', description: 'find', parameters: { type: 'object', properties: { q: { type: 'string' } } }, cacheControl: { type: 'ephemeral' } }],
    toolChoice: 'auto',
  });
  assert.deepEqual(pick(r.json, 'system'), [{ text: 'sys' }, { cachePoint: { type: 'default' } }]);
  assert.deepEqual(pick(r.json, 'messages'), [
    {
      role: 'user',
      content: [
        { text: 'look' },
        { image: { format: 'jpeg', source: { bytes: '/9j/' } } },
        { text: 'more' },
        { cachePoint: { type: 'default' } },
      ],
    },
    {
      role: 'assistant',
      content: [
        { reasoningContent: { reasoningText: { text: 'think', signature: 'SIG' } } },
        { reasoningContent: { redactedContent: 'UkVE' } },
        { text: 'ok' },
        { toolUse: { toolUseId: 'tu1', name: 'lookup', input: { q: 'x' } } },
      ],
    },
    {
      role: 'user',
      content: [
        { toolResult: { toolUseId: 'tu1', content: [{ text: 'found' }] } },
        { toolResult: { toolUseId: 'tu2', content: [{ text: 'boom' }], status: 'error' } },
        { text: 'thanks' },
      ],
    },
  ]);
  assert.deepEqual(pick(r.json, 'toolConfig'), {
    tools: [
      { toolSpec: { name: 'lookup', inputSchema: { json: { type: 'object', properties: { q: { type: 'string' } } } }, description: 'find' } },
      { cachePoint: { type: 'default' } },
    ],
    toolChoice: { auto: {} },
  });
  assert.deepEqual(r.warnings, []);
});

test('tool choice: required -> any, named -> tool, none -> omitted or kept with a warning', async () => {
  const tools = [{ name: 'f', parameters: { type: 'object' } }];
  assert.deepEqual(pick((await build({ tools, toolChoice: 'required' })).json, 'toolConfig', 'toolChoice'), { any: {} });
  assert.deepEqual(pick((await build({ tools, toolChoice: { type: 'tool', name: 'f' } })).json, 'toolConfig', 'toolChoice'), { tool: { name: 'f' } });
  assert.equal(pick((await build({ tools })).json, 'toolConfig', 'toolChoice'), undefined);
  const none = await build({ tools, toolChoice: 'none' });
  assert.equal(pick(none.json, 'toolConfig'), undefined);
  assert.ok(none.warnings.some((w) => w.includes('tools were omitted')));
  const history = await build({
    tools,
    toolChoice: 'none',
    messages: [
      { role: 'assistant', content: [{ type: 'tool-call', id: 't', name: 'f', arguments: '{}' }] },
      { role: 'tool', content: [{ type: 'tool-result', toolCallId: 't', content: [{ type: 'text', text: 'r' }] }] },
    ],
  });
  assert.deepEqual(pick(history.json, 'toolConfig'), { tools: [{ toolSpec: { name: 'f', inputSchema: { json: { type: 'object' } } } }] });
  assert.ok(history.warnings.some((w) => w.includes('tools kept')));
});

test('tool blocks in history without tool definitions get synthesized specs', async () => {
  const r = await build({
    messages: [
      { role: 'assistant', content: [{ type: 'tool-call', id: 't', name: 'g', arguments: '{}' }] },
      { role: 'tool', content: [{ type: 'tool-result', toolCallId: 't', content: [{ type: 'text', text: 'r' }] }] },
    ],
  });
  assert.deepEqual(pick(r.json, 'toolConfig'), { tools: [{ toolSpec: { name: 'g', inputSchema: { json: { type: 'object', properties: {} } } } }] });
  assert.ok(r.warnings.some((w) => w.includes('synthesized')));
});

test('inferenceConfig, reasoning, metadata, unsupported fields as warnings', async () => {
  const r = await build({
    maxTokens: 500,
    temperature: 0.5,
    topP: 0.8,
    stop: ['###'],
    topK: 5,
    seed: 1,
    presencePenalty: 0.1,
    frequencyPenalty: 0.1,
    responseFormat: { type: 'json_object' },
    reasoning: { budgetTokens: 2000 },
    metadata: { team: 'a' },
    messages: [
      { role: 'user', content: [{ type: 'image', source: { kind: 'url', url: 'https://x.test/a.png' } }, { type: 'text', text: 'q' }] },
      { role: 'assistant', content: [{ type: 'reasoning', text: 'unsigned' }, { type: 'text', text: 'a' }] },
    ],
    providerOptions: { 'bedrock-converse': { guardrailConfig: { guardrailIdentifier: 'g', guardrailVersion: '1' }, additionalModelRequestFields: { top_k: 5 } }, gemini: { x: 1 } },
  });
  // 500 <= budget 2000: raised so the answer keeps its 500 tokens on top of the thinking budget.
  assert.deepEqual(pick(r.json, 'inferenceConfig'), { maxTokens: 2500, temperature: 0.5, topP: 0.8, stopSequences: ['###'] });
  assert.deepEqual(pick(r.json, 'additionalModelRequestFields'), { thinking: { type: 'enabled', budget_tokens: 2000 }, top_k: 5 });
  assert.deepEqual(pick(r.json, 'guardrailConfig'), { guardrailIdentifier: 'g', guardrailVersion: '1' });
  assert.deepEqual(pick(r.json, 'requestMetadata'), { team: 'a' });
  assert.deepEqual(pick(r.json, 'messages'), [
    { role: 'user', content: [{ text: 'q' }] },
    { role: 'assistant', content: [{ text: 'a' }] },
  ]);
  const w = r.warnings.join('\n');
  for (const s of ['maxTokens raised', 'topK', 'seed', 'presencePenalty', 'frequencyPenalty', 'responseFormat', 'image URLs', 'without a signature', 'providerOptions.gemini']) {
    assert.ok(w.includes(s), `missing warning about ${s}: ${w}`);
  }
  const small = await build({ maxTokens: 100, reasoning: { effort: 'low' } });
  assert.deepEqual(pick(small.json, 'inferenceConfig'), { maxTokens: 2148 });
  assert.deepEqual(pick(small.json, 'additionalModelRequestFields'), { thinking: { type: 'enabled', budget_tokens: 2048 } });
  assert.deepEqual(pick((await build({}, { defaultMaxTokens: 4096 })).json, 'inferenceConfig'), { maxTokens: 4096 });
});

test('Bedrock API key (bearer): Authorization Bearer, no SigV4', async () => {
  const r = await build({}, { auth: 'bearer', apiKey: 'bedrock-api-key-xyz', aws: undefined });
  assert.equal(r.headers.authorization, 'Bearer bedrock-api-key-xyz');
  assert.equal(r.headers['x-amz-date'], undefined);
});

// Independent SigV4 computation (AWS docs algorithm) to check the signer's output.
function expectedSignature(opts: { path: string; headers: Record<string, string>; body: string; amzDate: string; region: string; secret: string }) {
  const names = Object.keys(opts.headers).map((h) => h.toLowerCase()).sort();
  const lower = Object.fromEntries(Object.entries(opts.headers).map(([k, v]) => [k.toLowerCase(), v]));
  const canonical = [
    'POST',
    opts.path,
    '',
    ...names.map((n) => `${n}:${String(lower[n]).trim()}`),
    '',
    names.join(';'),
    createHash('sha256').update(opts.body).digest('hex'),
  ].join('\n');
  const day = opts.amzDate.slice(0, 8);
  const scope = `${day}/${opts.region}/bedrock/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', opts.amzDate, scope, createHash('sha256').update(canonical).digest('hex')].join('\n');
  const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();
  const kSigning = hmac(hmac(hmac(hmac(`AWS4${opts.secret}`, day), opts.region), 'bedrock'), 'aws4_request');
  return { signature: createHmac('sha256', kSigning).update(toSign).digest('hex'), signedHeaders: names.join(';') };
}

test('SigV4: AWS4-HMAC-SHA256 header with the right scope, signed headers and a reproducible signature', async () => {
  const date = new Date('2025-01-02T03:04:05Z');
  const r = await buildBedrockRequest({ ...base, stream: true }, target, date);
  assert.equal(r.headers['x-amz-date'], '20250102T030405Z');
  assert.equal(r.headers.host, undefined);
  const auth = r.headers.authorization ?? '';
  const m = /^AWS4-HMAC-SHA256 Credential=([^,]+), SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(auth);
  assert.ok(m, auth);
  assert.equal(m[1], 'AKIDEXAMPLE/20250102/us-east-1/bedrock/aws4_request');
  assert.equal(m[2], 'accept;content-type;host;x-amz-content-sha256;x-amz-date');
  assert.equal(r.headers['x-amz-content-sha256'], createHash('sha256').update(String(r.body)).digest('hex'));

  const signedHeaders: Record<string, string> = {
    accept: 'application/vnd.amazon.eventstream',
    'content-type': 'application/json',
    host: 'bedrock-runtime.us-east-1.amazonaws.com',
    'x-amz-content-sha256': createHash('sha256').update(String(r.body)).digest('hex'),
    'x-amz-date': '20250102T030405Z',
  };
  const want = expectedSignature({ path: '/model/model-a/converse-stream', headers: signedHeaders, body: String(r.body), amzDate: '20250102T030405Z', region: 'us-east-1', secret: target.aws!.secretAccessKey });
  assert.equal(m[3], want.signature);
  assert.equal(m[2], want.signedHeaders);

  const again = await buildBedrockRequest({ ...base, stream: true }, target, date);
  assert.equal(again.headers.authorization, auth);
  const other = await buildBedrockRequest({ ...base, stream: true }, target, new Date('2025-01-02T03:04:06Z'));
  assert.notEqual(other.headers.authorization, auth);
});

test('SigV4: session token is sent and signed; region comes from the host when not configured', async () => {
  const r = await buildBedrockRequest(base, withTarget({ region: undefined, baseUrl: 'https://bedrock-runtime.eu-west-3.amazonaws.com', aws: { ...target.aws!, sessionToken: 'TOKEN' } }), new Date('2025-01-02T03:04:05Z'));
  assert.equal(r.headers['x-amz-security-token'], 'TOKEN');
  assert.match(r.headers.authorization ?? '', /Credential=AKIDEXAMPLE\/20250102\/eu-west-3\/bedrock\/aws4_request, SignedHeaders=accept;content-type;host;x-amz-content-sha256;x-amz-date;x-amz-security-token,/);
});

test('missing credentials are a configuration error, not a silent unsigned call', async () => {
  await assert.rejects(buildBedrockRequest(base, withTarget({ aws: undefined })), /AWS credentials missing/);
  await assert.rejects(buildBedrockRequest(base, withTarget({ auth: 'bearer', apiKey: undefined })), /API key missing/);
});
