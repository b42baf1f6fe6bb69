// The cache tests' upstream: a small OpenAI-compatible server that counts its calls and can hold
// its answers (before answering, or in the middle of a stream) or break a stream mid-way, so
// that concurrent requests really are concurrent and a live tee can be watched while it runs.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HANG_GUARD_MS } from '../testkit/wait.js';
import { HashedNgramEmbedder } from '../src/cache/embedder.js';

/** Polls until `ok()` holds; fails (rather than hanging) only after the hang guard. */
export async function until(ok: () => Promise<boolean>, what: string): Promise<void> {
  const give = Date.now() + HANG_GUARD_MS;
  while (!(await ok())) {
    if (Date.now() > give) throw new Error(`waited ${HANG_GUARD_MS} ms for ${what}; it never came`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** The test upstream's embeddings model: any deterministic embedder will do. */
const localEmbedder = new HashedNgramEmbedder(256);

export interface Upstream {
  url: string;
  calls: number;
  embeddingCalls: number;
  embeddingsDown?: boolean;
  /** While held, answers wait for `release()`. */
  hold(): void;
  release(): void;
  /** While held mid-stream, a streamed answer stops after its first two text pieces until `releaseMid()`. */
  holdMid(): void;
  releaseMid(): void;
  /** The next streamed answer breaks (socket destroyed) after its first two text pieces. */
  breakMid?: boolean;
  /** Resolves once `n` calls have arrived. */
  arrived(n: number): Promise<void>;
  close(): Promise<void>;
}

function lastUserText(body: { messages: Array<{ role: string; content: unknown }> }): string {
  const m = [...body.messages].reverse().find((x) => x.role === 'user');
  const c = m?.content;
  return typeof c === 'string' ? c : Array.isArray(c) ? c.map((p: { text?: string }) => p.text ?? '').join('') : '';
}

export async function startUpstream(): Promise<Upstream> {
  let held: Promise<void> | undefined;
  let releaseHeld: () => void = () => undefined;
  let midHeld: Promise<void> | undefined;
  let releaseMidHeld: () => void = () => undefined;
  const waiters: Array<{ n: number; resolve: () => void }> = [];
  const u = { calls: 0, embeddingCalls: 0 } as Upstream;
  const answer = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    let raw = '';
    for await (const chunk of req) raw += String(chunk);
    if (req.url?.endsWith('/embeddings')) {
      const e = JSON.parse(raw) as { input: string[] };
      u.embeddingCalls++;
      if (u.embeddingsDown) {
        res.writeHead(503, { 'content-type': 'application/json' });
        res.end('{"error":{"message":"down","type":"server_error"}}');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ object: 'list', model: 'up-embed', data: e.input.map((t, index) => ({ object: 'embedding', index, embedding: [...localEmbedder.embedSync(t)] })), usage: { prompt_tokens: 3, total_tokens: 3 } }));
      return;
    }
    const body = JSON.parse(raw) as { stream?: boolean; tools?: unknown[]; messages: Array<{ role: string; content: unknown }>; stream_options?: { include_usage?: boolean } };
    u.calls++;
    for (const w of waiters.filter((x) => u.calls >= x.n)) w.resolve();
    if (held) await held;
    const text = `Answer ${u.calls} to: ${lastUserText(body)}`;
    const toolCall = body.tools ? { id: 'call_abc', type: 'function', function: { name: 'lookup', arguments: '{"query":"order 1234","limit":3}' } } : undefined;
    const usage = { prompt_tokens: 12, completion_tokens: 8, total_tokens: 20 };
    if (!body.stream) {
      res.writeHead(200, { 'content-type': 'application/json' });
      const message = toolCall ? { role: 'assistant', content: null, tool_calls: [toolCall] } : { role: 'assistant', content: text };
      res.end(JSON.stringify({ id: `up-${u.calls}`, object: 'chat.completion', created: 1, model: 'up-model', choices: [{ index: 0, message, finish_reason: toolCall ? 'tool_calls' : 'stop' }], usage }));
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    const send = (delta: unknown, finish: string | null = null): void => {
      res.write(`data: ${JSON.stringify({ id: `up-${u.calls}`, object: 'chat.completion.chunk', created: 1, model: 'up-model', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`);
    };
    send({ role: 'assistant', content: '' });
    if (toolCall) {
      send({ tool_calls: [{ index: 0, id: toolCall.id, type: 'function', function: { name: 'lookup', arguments: '' } }] });
      for (const piece of ['{"query":', '"order 1234"', ',"limit":3}']) send({ tool_calls: [{ index: 0, function: { arguments: piece } }] });
    } else {
      const pieces = text.match(/\s*\S+/g) ?? [];
      for (let i = 0; i < pieces.length; i++) {
        if (i === 2 && midHeld) await midHeld;
        if (i === 2 && u.breakMid) {
          u.breakMid = false;
          res.destroy();
          return;
        }
        send({ content: pieces[i] });
      }
    }
    send({}, toolCall ? 'tool_calls' : 'stop');
    if (body.stream_options?.include_usage) res.write(`data: ${JSON.stringify({ id: `up-${u.calls}`, object: 'chat.completion.chunk', created: 1, model: 'up-model', choices: [], usage })}\n\n`);
    res.end('data: [DONE]\n\n');
  };
  const server: Server = createServer((req, res) => void answer(req, res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  u.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  u.hold = () => {
    held = new Promise<void>((r) => (releaseHeld = r));
  };
  u.release = () => {
    held = undefined;
    releaseHeld();
  };
  u.arrived = (n) =>
    u.calls >= n
      ? Promise.resolve()
      : new Promise((resolve, reject) => {
          const guard = setTimeout(() => reject(new Error(`waited ${HANG_GUARD_MS} ms for upstream call ${n}`)), HANG_GUARD_MS).unref();
          waiters.push({ n, resolve: () => (clearTimeout(guard), resolve()) });
        });
  u.holdMid = () => {
    midHeld = new Promise<void>((r) => (releaseMidHeld = r));
  };
  u.releaseMid = () => {
    midHeld = undefined;
    releaseMidHeld();
  };
  u.close = () => new Promise<void>((r) => server.close(() => r()));
  return u;
}

