// Reading the request body under the size limit, and parsing it as JSON.
import type { IncomingMessage } from 'node:http';
import { GatewayError } from '../spec/errors.js';

/** Reads the body under the size limit; calls back once (no promise: this is every request). */
export function readBody(req: IncomingMessage, limit: number, done: (err: GatewayError | undefined, body?: Buffer) => void): void {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    done(new GatewayError('payload_too_large', `Request body is ${declared} bytes; the limit is ${limit} bytes.`));
    return;
  }
  let first: Buffer | undefined;
  let parts: Buffer[] | undefined;
  let size = 0;
  let over = false;
  req.on('data', (d: Buffer) => {
    if (over) return;
    size += d.length;
    if (size > limit) {
      over = true;
      done(new GatewayError('payload_too_large', `Request body exceeds the limit of ${limit} bytes.`));
      return;
    }
    if (first === undefined) first = d;
    else (parts ??= [first]).push(d);
  });
  req.on('end', () => {
    if (!over) done(undefined, parts ? Buffer.concat(parts) : first ?? Buffer.alloc(0));
  });
  req.on('error', (e) => {
    if (over) return;
    over = true;
    done(new GatewayError('invalid_request', `error reading the request body: ${e.message}`));
  });
}

export function parseJson(buf: Buffer): unknown {
  if (buf.length === 0) throw new GatewayError('invalid_json', 'Request body is empty; expected a JSON object.');
  try {
    return JSON.parse(buf.toString('utf8'));
  } catch (e) {
    throw new GatewayError('invalid_json', `Request body is not valid JSON: ${(e as Error).message}`);
  }
}
