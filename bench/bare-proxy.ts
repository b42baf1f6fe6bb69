// The floor the gateway is compared with: a pass-through proxy made of node:http and one undici
// Pool, nothing else. It forwards method, path, headers and body unparsed, and pipes the upstream
// body back chunk by chunk (so SSE events pass as they arrive). No auth, routing, JSON, logging.
// Any Node gateway pays at least this; what modelplane costs on top of it is its own overhead.
//
// Run: node dist/bench/bare-proxy.js --port N --upstream http://127.0.0.1:M   (prints "listening PORT")

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { Pool } from 'undici';
import { LOOPBACK, childArgs, exitWithParent, isLoopbackUrl } from './child.js';

// Hop-by-hop headers (RFC 9110 §7.6.1) and host, which undici sets from the origin.
const HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'host']);

function endToEnd(h: Record<string, string | string[] | undefined>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const k in h) {
    const v = h[k];
    if (v !== undefined && !HOP.has(k)) out[k] = v;
  }
  return out;
}

function badGateway(res: ServerResponse, err: Error): void {
  if (res.headersSent) {
    res.destroy(err);
    return;
  }
  const b = Buffer.from(JSON.stringify({ error: { message: err.message, type: 'bad_gateway' } }));
  res.writeHead(502, { 'content-type': 'application/json', 'content-length': b.length });
  res.end(b);
}

export function createBareProxy(upstream: string) {
  // Same pool shape as the gateway's upstream agent, so neither side wins on connection reuse.
  const pool = new Pool(upstream, { connections: 256, pipelining: 1, keepAliveTimeout: 30_000, keepAliveMaxTimeout: 600_000 });
  const server = createServer({ keepAliveTimeout: 65_000, requestTimeout: 0 }, (req: IncomingMessage, res: ServerResponse) => {
    const parts: Buffer[] = [];
    req.on('data', (d: Buffer) => parts.push(d));
    req.on('end', () => {
      const body = parts.length === 0 ? null : parts.length === 1 ? parts[0]! : Buffer.concat(parts);
      pool.stream(
        { path: req.url ?? '/', method: req.method as 'POST', headers: endToEnd(req.headers), body },
        ({ statusCode, headers }): Writable => {
          res.writeHead(statusCode, endToEnd(headers as Record<string, string | string[] | undefined>));
          res.flushHeaders();
          return res as unknown as Writable; // ServerResponse is a Writable at runtime; its typings say OutgoingMessage
        },
        (err) => {
          if (err) badGateway(res, err);
        },
      );
    });
  });
  return { server, close: async () => { server.close(); await pool.close(); } };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const a = childArgs(process.argv.slice(2));
  const host = a.get('host') ?? '127.0.0.1';
  const upstream = a.get('upstream') ?? '';
  if (!LOOPBACK.test(host) || !isLoopbackUrl(upstream)) {
    process.stderr.write('bare-proxy: loopback only (listen host and upstream)\n');
    process.exit(2);
  }
  const { server } = createBareProxy(upstream);
  server.listen(Number(a.get('port') ?? 0), host, () => {
    const addr = server.address();
    process.stdout.write(`listening ${typeof addr === 'object' && addr ? addr.port : '?'}\n`);
  });
  exitWithParent();
}
