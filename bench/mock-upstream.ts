// The simulated upstream for the benchmark: an OpenAI-compatible chat-completions endpoint that
// answers from precomputed buffers, so it costs far less CPU than anything measured against it.
//
//   POST .../chat/completions               fixed chat.completion JSON with usage
//   POST .../chat/completions {stream:true} SSE: role chunk, TOKENS content chunks, finish chunk,
//                                           a usage chunk when stream_options.include_usage, [DONE]
//
// Every SSE event is written in its own event-loop turn (setImmediate), as tokens arrive from a
// real model; writing them in one go would let the kernel coalesce them and flatter the proxies.
//
// Run: node dist/bench/mock-upstream.js --port N   (127.0.0.1 only; prints "listening PORT")

import { createServer, type IncomingMessage, type ServerResponse, type Server } from 'node:http';
import { pathToFileURL } from 'node:url';
import { LOOPBACK, childArgs, exitWithParent } from './child.js';

const TOKENS = ['The', ' quick', ' answer', ':', ' a', ' gateway', ' should', ' add', ' almost', ' nothing', ' to', ' the', ' time', ' a', ' model', ' takes', ' to', ' reply', ' here', '.'];
const ID = 'chatcmpl-bench000000000000000000000001';
const CREATED = 1_750_000_000;
const USAGE = { prompt_tokens: 31, completion_tokens: TOKENS.length, total_tokens: 31 + TOKENS.length };

interface Payloads {
  json: Buffer;
  events: Buffer[];
  usageEvent: Buffer;
}

function sse(obj: unknown): Buffer {
  return Buffer.from(`data: ${JSON.stringify(obj)}\n\n`);
}

function buildPayloads(model: string): Payloads {
  const json = Buffer.from(
    JSON.stringify({
      id: ID,
      object: 'chat.completion',
      created: CREATED,
      model,
      choices: [{ index: 0, message: { role: 'assistant', content: TOKENS.join(''), refusal: null }, logprobs: null, finish_reason: 'stop' }],
      usage: USAGE,
      system_fingerprint: 'fp_bench',
    }),
  );
  const chunk = (delta: object, finish: string | null) => ({
    id: ID,
    object: 'chat.completion.chunk',
    created: CREATED,
    model,
    system_fingerprint: 'fp_bench',
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
  });
  const events = [sse(chunk({ role: 'assistant', content: '' }, null)), ...TOKENS.map((t) => sse(chunk({ content: t }, null))), sse(chunk({}, 'stop'))];
  const usageEvent = sse({ id: ID, object: 'chat.completion.chunk', created: CREATED, model, system_fingerprint: 'fp_bench', choices: [], usage: USAGE });
  return { json, events, usageEvent };
}

const DONE = Buffer.from('data: [DONE]\n\n');
const cache = new Map<string, Payloads>();

function payloadsFor(model: string): Payloads {
  let p = cache.get(model);
  if (!p) {
    if (cache.size > 16) cache.clear();
    p = buildPayloads(model);
    cache.set(model, p);
  }
  return p;
}

interface ChatBody {
  model?: unknown;
  stream?: unknown;
  stream_options?: { include_usage?: unknown };
}

function reply(res: ServerResponse, status: number, body: object): void {
  const b = Buffer.from(JSON.stringify(body));
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': b.length });
  res.end(b);
}

function stream(res: ServerResponse, p: Payloads, includeUsage: boolean): void {
  const events = includeUsage ? [...p.events, p.usageEvent, DONE] : [...p.events, DONE];
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'x-request-id': 'req_bench' });
  res.flushHeaders();
  let i = 0;
  let closed = false;
  res.on('close', () => {
    closed = true;
  });
  const step = () => {
    if (closed) return;
    if (i === events.length - 1) {
      res.end(events[i]);
      return;
    }
    res.write(events[i++]);
    setImmediate(step);
  };
  step();
}

function handleChat(res: ServerResponse, raw: Buffer): void {
  let body: ChatBody;
  try {
    body = JSON.parse(raw.toString('utf8')) as ChatBody;
  } catch {
    reply(res, 400, { error: { message: 'invalid JSON body', type: 'invalid_request_error' } });
    return;
  }
  const model = typeof body.model === 'string' && body.model.length <= 64 ? body.model : 'bench-model';
  const p = payloadsFor(model);
  if (body.stream === true) {
    stream(res, p, body.stream_options?.include_usage === true);
    return;
  }
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': p.json.length, 'x-request-id': 'req_bench' });
  res.end(p.json);
}

function onRequest(req: IncomingMessage, res: ServerResponse): void {
  const url = req.url ?? '/';
  if (req.method === 'POST' && url.endsWith('/chat/completions')) {
    const parts: Buffer[] = [];
    req.on('data', (d: Buffer) => parts.push(d));
    req.on('end', () => handleChat(res, parts.length === 1 ? parts[0]! : Buffer.concat(parts)));
    return;
  }
  req.resume();
  if (req.method === 'GET' && (url === '/health' || url === '/v1/models')) {
    reply(res, 200, { object: 'list', data: [{ id: 'bench-model', object: 'model', created: CREATED, owned_by: 'bench' }] });
    return;
  }
  reply(res, 404, { error: { message: `no route ${req.method} ${url}`, type: 'invalid_request_error' } });
}

export function startMockUpstream(port: number, host = '127.0.0.1'): Promise<Server> {
  const server = createServer({ keepAliveTimeout: 120_000, requestTimeout: 0 }, onRequest);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const a = childArgs(process.argv.slice(2));
  const host = a.get('host') ?? '127.0.0.1';
  if (!LOOPBACK.test(host)) {
    process.stderr.write(`mock-upstream: loopback only, refusing ${host}\n`);
    process.exit(2);
  }
  const server = await startMockUpstream(Number(a.get('port') ?? 0), host);
  const addr = server.address();
  process.stdout.write(`listening ${typeof addr === 'object' && addr ? addr.port : '?'}\n`);
  exitWithParent();
}
