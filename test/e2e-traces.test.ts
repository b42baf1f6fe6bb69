// E2E: OpenTelemetry traces of real requests (simulated providers, the official OpenAI SDK):
// one SERVER span per request with a CLIENT child per upstream attempt, GenAI attributes, the
// caller's traceparent honoured and (when configured) each attempt's sent upstream. Once with an
// in-memory exporter, once over OTLP/HTTP to a receiver this test runs on 127.0.0.1.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { once } from 'node:events';
import OpenAI from 'openai';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { startSimulator } from '../testkit/simulator.js';
import { startGateway } from '../src/server/app.js';
import { loadSnapshotFromText } from '../src/config/load.js';
import { tracingExtension } from '../src/telemetry/tracing-extension.js';
import { parseTraceparent } from '../src/telemetry/traceparent.js';
import { captureLogger } from './harness.js';

const KEY = 'sk-traces';
const config = (sim: string, extra = '') => `
auth: { master_key: ${KEY} }
${extra}
health: { breaker: { consecutive_failures: 100 } }
providers:
  good: { format: openai-chat, base_url: ${sim}/good/v1, api_key: sk-good }
  bad:  { format: openai-chat, base_url: ${sim}/bad/v1, api_key: sk-bad }
deployments:
  good-a: { provider: good, model: m-a }
  bad-1:  { provider: bad, model: m-x }
routes:
  bad-first: { targets: [bad-1, good-a] }
`;

const CALLER_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN = '00f067aa0ba902b7';

/** Resolves once `ready()` holds, re-checking after each turn of the event loop (no fixed sleep). */
async function until(ready: () => boolean): Promise<void> {
  while (!ready()) await new Promise((r) => setImmediate(r));
}

describe('traces', () => {
  test('in-memory exporter: request span, attempt children, GenAI attributes, traceparent in and out', async () => {
    const sim = await startSimulator({ port: 0 });
    const text = config(sim.url);
    const exporter = new InMemorySpanExporter();
    const ext = tracingExtension({ snapshot: loadSnapshotFromText(text, { env: {} }), exporter, otlp: { propagateUpstream: true } });
    const logs: Array<Record<string, unknown>> = [];
    const gw = await startGateway({ configText: text, port: 0, logger: captureLogger(logs), env: {}, extensions: [ext] });
    try {
      sim.setFault('/bad', { status: 503 });
      const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: KEY, maxRetries: 0, defaultHeaders: { traceparent: `00-${CALLER_TRACE}-${CALLER_SPAN}-01` } });
      const { data, response } = await client.chat.completions.create({ model: 'bad-first', messages: [{ role: 'user', content: 'trace me' }], max_tokens: 50 }).withResponse();
      const reason = response.headers.get('x-modelplane-fallback-reason')!;
      assert.ok(reason, 'the first attempt failed over');
      await until(() => exporter.getFinishedSpans().some((s) => s.kind === SpanKind.SERVER));
      const spans = exporter.getFinishedSpans();
      const server = spans.find((s) => s.kind === SpanKind.SERVER)!;
      const clients = spans.filter((s) => s.kind === SpanKind.CLIENT).sort((a, b) => Number(a.attributes['modelplane.attempt.index']) - Number(b.attributes['modelplane.attempt.index']));
      assert.equal(spans.length, 3);
      assert.equal(server.name, 'chat bad-first');
      assert.equal(server.spanContext().traceId, CALLER_TRACE, "the caller's trace continues");
      assert.equal(server.parentSpanContext?.spanId, CALLER_SPAN);
      assert.deepEqual(
        { op: server.attributes['gen_ai.operation.name'], req: server.attributes['gen_ai.request.model'], resp: server.attributes['gen_ai.response.model'], prov: server.attributes['gen_ai.provider.name'], max: server.attributes['gen_ai.request.max_tokens'] },
        { op: 'chat', req: 'bad-first', resp: 'm-a', prov: 'good', max: 50 },
      );
      assert.equal(server.attributes['gen_ai.usage.input_tokens'], data.usage!.prompt_tokens);
      assert.equal(server.attributes['gen_ai.usage.output_tokens'], data.usage!.completion_tokens);
      assert.deepEqual(server.attributes['gen_ai.response.finish_reasons'], ['stop']);
      assert.deepEqual(server.attributes['modelplane.fallback_reasons'], [reason]);
      assert.equal(server.attributes['http.response.status_code'], 200);
      assert.equal(server.status.code, SpanStatusCode.UNSET);

      assert.deepEqual(clients.map((c) => c.name), ['chat m-x', 'chat m-a']);
      for (const c of clients) {
        assert.equal(c.spanContext().traceId, CALLER_TRACE);
        assert.equal(c.parentSpanContext?.spanId, server.spanContext().spanId, 'attempts are children of the request span');
      }
      const [failed, ok] = clients as [ReadableSpan, ReadableSpan];
      assert.equal(failed.status.code, SpanStatusCode.ERROR);
      assert.equal(failed.attributes['error.type'], reason);
      assert.equal(failed.attributes['modelplane.fallback_reason'], reason);
      assert.equal(failed.attributes['gen_ai.provider.name'], 'bad');
      assert.equal(ok.attributes['gen_ai.response.model'], 'm-a');
      assert.equal(ok.attributes['modelplane.deployment'], 'good-a');
      assert.equal(ok.status.code, SpanStatusCode.UNSET);

      // Each attempt sent its own span as the upstream's parent.
      const sent = sim.requests.map((r) => parseTraceparent(r.headers.traceparent as string | undefined));
      assert.deepEqual(sent.map((p) => p?.traceId), [CALLER_TRACE, CALLER_TRACE]);
      assert.deepEqual(sent.map((p) => p?.spanId), clients.map((c) => c.spanContext().spanId));

      await new Promise<void>((r) => gw.log.flush(() => r()));
      await until(() => logs.some((l) => l.msg === 'request'));
      assert.equal(logs.find((l) => l.msg === 'request')?.trace_id, CALLER_TRACE, 'the request line carries the trace id');
    } finally {
      await gw.close();
      await sim.close();
    }
  });

  test('OTLP/HTTP: spans reach a collector; nothing is propagated upstream unless configured', async () => {
    const bodies: unknown[] = [];
    const receiver = createServer((req: IncomingMessage, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        bodies.push({ path: req.url, type: req.headers['content-type'], auth: req.headers['x-collector-key'], json: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{}');
      });
    });
    receiver.listen(0, '127.0.0.1');
    await once(receiver, 'listening');
    const port = (receiver.address() as AddressInfo).port;
    const sim = await startSimulator({ port: 0 });
    const extra = `telemetry: { otlp: { endpoint: http://127.0.0.1:${port}/v1/traces, service_name: mp-test, headers: { x-collector-key: k1 } } }`;
    const gw = await startGateway({ configText: config(sim.url, extra), port: 0, logger: captureLogger([]), env: {} });
    try {
      const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: KEY, maxRetries: 0 });
      const stream = await client.chat.completions.create({ model: 'bad-first', messages: [{ role: 'user', content: 'stream me' }], stream: true });
      for await (const _ of stream) void _;
      assert.equal(sim.requests[0]!.headers.traceparent, undefined, 'no traceparent upstream by default');
    } finally {
      await gw.close(); // flushes the batch
      await sim.close();
      receiver.close();
    }
    assert.ok(bodies.length >= 1, 'the collector was called');
    type Attr = { key: string; value: Record<string, unknown> };
    type OSpan = { name: string; kind: number; traceId: string; spanId: string; parentSpanId?: string; attributes: Attr[] };
    type Body = { path: string; type: string; auth: string; json: { resourceSpans: Array<{ resource: { attributes: Attr[] }; scopeSpans: Array<{ spans: OSpan[] }> }> } };
    const all = bodies as Body[];
    assert.equal(all[0]!.path, '/v1/traces');
    assert.match(all[0]!.type, /application\/json/);
    assert.equal(all[0]!.auth, 'k1', 'configured headers are sent to the collector');
    const rs = all.flatMap((b) => b.json.resourceSpans);
    const service = rs[0]!.resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue;
    assert.equal(service, 'mp-test');
    const spans = rs.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans));
    const attr = (s: OSpan, k: string) => {
      const v = s.attributes.find((a) => a.key === k)?.value;
      return v === undefined ? undefined : (v.stringValue ?? v.intValue ?? v.boolValue);
    };
    const server = spans.find((s) => s.kind === 2)!; // SPAN_KIND_SERVER
    const children = spans.filter((s) => s.kind === 3); // SPAN_KIND_CLIENT
    assert.equal(server.name, 'chat bad-first');
    assert.equal(server.parentSpanId || undefined, undefined, 'a new trace: no caller traceparent');
    assert.equal(children.length, 1);
    assert.equal(children[0]!.parentSpanId, server.spanId);
    assert.equal(children[0]!.traceId, server.traceId);
    assert.equal(attr(children[0]!, 'gen_ai.request.model'), 'm-x');
    assert.equal(attr(server, 'gen_ai.operation.name'), 'chat');
    assert.equal(attr(server, 'modelplane.stream'), true);
    assert.ok(Number(attr(server, 'gen_ai.usage.output_tokens')) > 0);
  });
});
