// A loopback upstream that misbehaves on purpose (issue 15): OpenAI-compatible paths under
// /{mode}/v1/chat/completions, where mode is
//   wrong: 200 with a stream (or a JSON body) of valid JSON in the wrong schema
//   echo:  401 whose message echoes the Authorization header it was sent
//   html:  500 with an HTML page, internal hostnames and a Python traceback
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { once } from 'node:events';

export interface HostileUpstream {
  url: string;
  /** Requests received, by mode. */
  hits: Record<string, number>;
  close(): Promise<void>;
}

export const TRACEBACK_PAGE = (auth: string) => `<!DOCTYPE html>
<html><head><title>500 Internal Server Error</title></head><body><h1>Internal Server Error</h1>
<pre>Traceback (most recent call last):
  File "/srv/inference-3.corp.internal/app.py", line 41, in handle
    conn = pool.get("10.20.30.40:5432")
RuntimeError: upstream pool exhausted
request headers: authorization=${auth}</pre></body></html>`;

export async function startHostileUpstream(): Promise<HostileUpstream> {
  const hits: Record<string, number> = {};
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      const mode = (req.url ?? '/').split('/')[1] ?? '';
      hits[mode] = (hits[mode] ?? 0) + 1;
      const auth = String(req.headers.authorization ?? req.headers['x-api-key'] ?? '');
      const stream = (JSON.parse(body || '{}') as { stream?: boolean }).stream === true;
      if (mode === 'wrong') {
        if (stream) {
          res.writeHead(200, { 'content-type': 'text/event-stream' });
          res.end('data: {"foo":1}\n\ndata: {"text":"hello","done":false}\n\ndata: {"done":true}\n\ndata: [DONE]\n\n');
        } else {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end('{"result":{"text":"hello"}}');
        }
        return;
      }
      if (mode === 'echo') {
        res.writeHead(401, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: `Incorrect API key provided: ${auth}. You can find your API key in your account settings.`, type: 'invalid_request_error', code: 'invalid_api_key' } }));
        return;
      }
      if (mode === 'html') {
        res.writeHead(500, { 'content-type': 'text/html' });
        res.end(TRACEBACK_PAGE(auth));
        return;
      }
      res.writeHead(404).end();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hits,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}
