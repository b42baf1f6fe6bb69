// A deterministic "knowledge" provider for evals, shadow traffic and promotion tests: an
// OpenAI-compatible chat server whose answers to a question set are right, wrong, slow or
// failing at rates configured per model. Which cases go wrong is a hash of the prompt, so a run
// is the same on every machine, and a model "wrong on 20%" is wrong on the same 20% every time.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface KnowledgeModel {
  /** Share of questions answered wrongly, 0..1. */
  wrong?: number;
  /** Share of requests answered with a 500, 0..1. */
  fail?: number;
  /** Delay before answering, ms (the test's own choice: never used as an upper bound). */
  delayMs?: number;
}

export interface KnowledgeServer {
  url: string;
  /** Requests per model. */
  counts: Map<string, number>;
  setModel(name: string, m: KnowledgeModel): void;
  close(): Promise<void>;
}

/** question -> right answer; anything else is answered with an echo. */
export type Facts = ReadonlyArray<readonly [question: string, answer: string]>;

function hash01(s: string, salt: string): number {
  let h = 0x811c9dc5;
  for (const ch of salt + '\u0000' + s) {
    h ^= ch.charCodeAt(0);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) / 0x1_0000_0000;
}

interface ChatReq {
  model?: string;
  stream?: boolean;
  messages?: Array<{ role?: string; content?: unknown }>;
}

function lastUser(body: ChatReq): string {
  const m = [...(body.messages ?? [])].reverse().find((x) => x.role === 'user');
  if (!m) return '';
  if (typeof m.content === 'string') return m.content;
  if (Array.isArray(m.content)) return m.content.map((p: { text?: string }) => p.text ?? '').join('');
  return '';
}

/**
 * The `judge` model grades `QUESTION: ... ANSWER: ...` (the eval runner's judge prompt): pass
 * when the answer names the fact's first word (the city), as JSON; and compares shadow pairs.
 */
export function judgeReply(facts: Facts, prompt: string): string {
  // Shadow pairs (src/shadow/judge.ts): the answer naming the right city wins; both or neither tie.
  const pair = /REQUEST:\n([\s\S]*?)\n\nANSWER A:\n([\s\S]*?)\n\nANSWER B:\n([\s\S]*)$/.exec(prompt);
  if (pair) {
    const fact = facts.find(([f]) => pair[1]!.includes(f));
    const key = fact?.[1].split(' ')[0] ?? '\u0000';
    const a = pair[2]!.includes(key);
    const b = pair[3]!.includes(key);
    return JSON.stringify({ winner: a === b ? 'tie' : a ? 'A' : 'B', reason: 'names the city' });
  }
  const q = /QUESTION:\n([\s\S]*?)\n\nANSWER:\n([\s\S]*)$/.exec(prompt);
  const fact = q ? facts.find(([f]) => q[1]!.includes(f)) : undefined;
  if (!q || !fact) return JSON.stringify({ pass: false, score: 0, reason: 'no question I know' });
  const key = fact[1].split(' ')[0]!;
  const ok = q[2]!.includes(key);
  return JSON.stringify({ pass: ok, score: ok ? 0.9 : 0.1, reason: ok ? `names ${key}` : `does not name ${key}` });
}

export function answerFor(facts: Facts, models: Map<string, KnowledgeModel>, model: string, prompt: string): string {
  if (model === 'judge') return judgeReply(facts, prompt);
  const m = models.get(model) ?? {};
  const fact = facts.find(([q]) => prompt.includes(q));
  if (!fact) return `I do not know about: ${prompt.slice(0, 40)}`;
  return hash01(prompt, `${model}:wrong`) < (m.wrong ?? 0) ? 'I am not sure, perhaps something else entirely.' : fact[1];
}

export async function startKnowledgeServer(facts: Facts, models: Record<string, KnowledgeModel> = {}): Promise<KnowledgeServer> {
  const table = new Map(Object.entries(models));
  const counts = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (raw += c));
    req.on('end', () => {
      let body: ChatReq = {};
      try {
        body = JSON.parse(raw) as ChatReq;
      } catch {
        res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'bad json', type: 'invalid_request_error' } }));
        return;
      }
      const model = body.model ?? '';
      counts.set(model, (counts.get(model) ?? 0) + 1);
      const m = table.get(model) ?? {};
      const prompt = lastUser(body);
      const reply = () => {
        if (hash01(prompt + String(counts.get(model)), `${model}:fail`) < (m.fail ?? 0)) {
          res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'simulated failure', type: 'server_error' } }));
          return;
        }
        const text = answerFor(facts, table, model, prompt);
        const usage = { prompt_tokens: Math.ceil(prompt.length / 4), completion_tokens: Math.ceil(text.length / 4), total_tokens: 0 };
        usage.total_tokens = usage.prompt_tokens + usage.completion_tokens;
        if (body.stream) {
          res.writeHead(200, { 'content-type': 'text/event-stream' });
          const chunk = (delta: Record<string, unknown>, finish: string | null, u?: unknown) =>
            `data: ${JSON.stringify({ id: 'k', object: 'chat.completion.chunk', created: 0, model, choices: [{ index: 0, delta, finish_reason: finish }], ...(u ? { usage: u } : {}) })}\n\n`;
          res.write(chunk({ role: 'assistant', content: '' }, null));
          for (const w of text.split(/(?<= )/)) res.write(chunk({ content: w }, null));
          res.write(chunk({}, 'stop', usage));
          res.end('data: [DONE]\n\n');
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end(
          JSON.stringify({ id: 'k', object: 'chat.completion', created: 0, model, choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }], usage }),
        );
      };
      if (m.delayMs) setTimeout(reply, m.delayMs);
      else reply();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    counts,
    setModel: (name, m) => void table.set(name, m),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
