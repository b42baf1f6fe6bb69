// Writing a SimResponse to the socket, with the timing and cut faults applied while writing.
// Without delays or cuts the whole body goes out in one write: the benchmark uses the simulator
// as its upstream, and per-chunk writes would measure the simulator instead of the gateway.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Chunk, Fault, SimResponse } from './types.js';

export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => resolve(parts.length === 1 ? parts[0]! : Buffer.concat(parts)));
    req.on('error', reject);
  });
}

/** Resolves after `ms`, or early (false) when the signal aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  if (ms <= 0) return Promise.resolve(!signal.aborted);
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve(!signal.aborted);
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

function bytes(c: Chunk): number {
  return typeof c === 'string' ? Buffer.byteLength(c) : c.byteLength;
}

function concat(chunks: Chunk[]): Chunk {
  if (chunks.length === 1) return chunks[0]!;
  if (chunks.every((c) => typeof c === 'string')) return (chunks as string[]).join('');
  return Buffer.concat(chunks.map((c) => (typeof c === 'string' ? Buffer.from(c) : c)));
}

/** Resolves once the chunk reached the socket (so a following cut cannot discard it). */
function writeChunk(res: ServerResponse, c: Chunk): Promise<void> {
  if (res.destroyed || res.writableEnded) return Promise.resolve();
  return new Promise((resolve) => {
    // A client that went away never flushes; `close` ends the wait.
    const done = () => {
      res.off('close', done);
      resolve();
    };
    res.on('close', done);
    res.write(c, done);
  });
}

/**
 * Writes `r` honouring `firstByteMs`, `tokenDelayMs` and `cutAfterChunks`. Returns how the
 * response ended: `complete`, `cut` (socket destroyed on purpose) or `aborted` (client left).
 */
export async function writeResponse(
  res: ServerResponse,
  r: SimResponse,
  fault: Fault | undefined,
  signal: AbortSignal,
): Promise<'complete' | 'cut' | 'aborted'> {
  const firstByte = fault?.firstByteMs ?? 0;
  const tokenDelay = fault?.tokenDelayMs ?? 0;
  const cut = fault?.cutAfterChunks;
  const chunks = r.kind === 'body' ? [r.body] : r.chunks;
  const headers: Record<string, string | number> = { ...r.headers };

  if (r.kind === 'body') headers['content-length'] = bytes(r.body);
  res.writeHead(r.status, headers);

  if (firstByte === 0 && tokenDelay === 0 && cut === undefined) {
    res.end(concat(chunks));
    return 'complete';
  }

  if (r.kind === 'body' && cut !== undefined) {
    // A JSON body has no chunks to count: send its first half, as a connection dropped mid-body.
    res.flushHeaders();
    if (!(await sleep(firstByte, signal))) return 'aborted';
    const body = typeof r.body === 'string' ? Buffer.from(r.body) : r.body;
    await writeChunk(res, body.subarray(0, Math.floor(body.byteLength / 2)));
    res.socket?.destroy();
    return 'cut';
  }

  res.flushHeaders();
  if (!(await sleep(firstByte, signal))) return 'aborted';
  for (let i = 0; i < chunks.length; i++) {
    if (cut !== undefined && i >= cut) {
      res.socket?.destroy();
      return 'cut';
    }
    if (i > 0 && !(await sleep(tokenDelay, signal))) return 'aborted';
    await writeChunk(res, chunks[i]!);
    if (signal.aborted) return 'aborted';
  }
  if (cut !== undefined) {
    // Cutting at or after the last chunk still drops the terminating zero-length chunk: the
    // client sees every event but no clean end of the body.
    res.socket?.destroy();
    return 'cut';
  }
  res.end();
  return 'complete';
}
