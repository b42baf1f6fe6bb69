// Replay of captured provider bytes. Rule: when the last user message text starts with
// `fixture:<path under fixtures/upstream>`, the simulator answers with that capture, byte for byte
// where the capture is raw bytes. Captures are read at run time through fixtures.ts, never copied.
// `fixture:own/<provider>/<file>` replays one of our own documented-shape fixtures
// (testkit/fixtures-own/), which every clone has.
//
//   .sse          raw SSE bytes                       stream requests only
//   .eventstream  raw AWS eventstream bytes           stream requests only
//   .chunks.txt   one payload per line, framed by the protocol (Anthropic adds `event:` lines,
//                 OpenAI-compatible adds `data: [DONE]`, Gemini uses CRLF, Bedrock re-encodes)
//                                                     stream requests only
//   error-NNN-*.json  error body with status NNN      stream or not
//   *.json        response body, status 200           non-stream requests only
//
// Raw bytes are split at event boundaries only so that chunk delays and cuts can act between
// events; the concatenation is exactly the file.

import { existsSync } from 'node:fs';
import { fixtureAvailable, fixturePath, OWN, readFixture } from './fixtures.js';
import type { Chunk, ProtocolModule, SimCall, SimResponse } from './types.js';

export const DIRECTIVE = 'fixture:';

export class ReplayError extends Error {
  constructor(
    message: string,
    readonly status: 400 | 404,
  ) {
    super(message);
  }
}

/** The capture path named by a `fixture:` directive, or undefined. */
export function directivePath(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const t = text.trimStart();
  if (!t.startsWith(DIRECTIVE)) return undefined;
  return t.slice(DIRECTIVE.length).trim().split(/\s/)[0] ?? '';
}

const cache = new Map<string, Buffer>();

function load(rel: string): Buffer {
  const full = fixturePath(rel);
  let buf = cache.get(full);
  if (buf === undefined) {
    if (!existsSync(full)) throw new ReplayError(`simulator: no capture at fixtures/upstream/${rel}`, 404);
    buf = readFixture(rel);
    cache.set(full, buf);
  }
  return buf;
}

/** Splits SSE bytes after each blank line; the pieces concatenate to the input. */
export function splitSseEvents(buf: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let start = 0;
  let lineStart = 0;
  for (let i = 0; i < buf.length; i++) {
    if (buf[i] !== 10) continue;
    const lineLen = i - lineStart;
    const blank = lineLen === 0 || (lineLen === 1 && buf[lineStart] === 13);
    lineStart = i + 1;
    if (blank && i + 1 - start > lineLen + 1) {
      out.push(buf.subarray(start, i + 1));
      start = i + 1;
    }
  }
  if (start < buf.length) out.push(buf.subarray(start));
  return out;
}

/** Splits AWS eventstream bytes into messages by their length prefix. */
export function splitEventStream(buf: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let off = 0;
  while (off + 4 <= buf.length) {
    const len = buf.readUInt32BE(off);
    if (len < 16 || off + len > buf.length) break;
    out.push(buf.subarray(off, off + len));
    off += len;
  }
  if (off < buf.length) out.push(buf.subarray(off));
  return out;
}

function validate(rel: string, mod: ProtocolModule): void {
  // `own/<provider>/...` is one of our documented-shape fixtures: the same rules after the prefix.
  const parts = (rel.startsWith(OWN) ? rel.slice(OWN.length) : rel).split('/');
  if (rel === '' || rel.startsWith('/') || parts.some((p) => p === '..' || p === '.' || p === '')) {
    throw new ReplayError(`simulator: invalid fixture path "${rel}"`, 400);
  }
  if (!mod.fixtureDirs.includes(parts[0]!)) {
    throw new ReplayError(
      `simulator: fixture "${rel}" is not a ${mod.format} capture (this endpoint replays ${mod.fixtureDirs.join(', ')})`,
      400,
    );
  }
}

function streamOnly(rel: string, stream: boolean): void {
  if (!stream) {
    throw new ReplayError(`simulator: fixture "${rel}" is a streaming capture but the request does not stream`, 400);
  }
}

/**
 * The replayed response for `rel`, or undefined when the fixtures are absent (the caller then
 * generates an answer instead, so demos keep working on a clone without ../shared).
 */
export function replay(rel: string, mod: ProtocolModule, call: SimCall): SimResponse | undefined {
  validate(rel, mod);
  if (!fixtureAvailable(rel)) return undefined;
  const stream = mod.wantsStream(call);
  const name = rel.slice(rel.lastIndexOf('/') + 1);
  const source = { 'x-sim-source': `replay:${rel}` };

  if (name.endsWith('.json')) {
    const err = /^error-(\d{3})-/.exec(name);
    if (err === null && stream) {
      throw new ReplayError(`simulator: fixture "${rel}" is a non-stream capture but the request streams`, 400);
    }
    const status = err === null ? 200 : Number(err[1]);
    const headers = { 'content-type': 'application/json', ...source, ...(err ? mod.errorHeaders?.(status) : {}) };
    return { kind: 'body', status, headers, body: load(rel) };
  }
  if (name.endsWith('.sse')) {
    streamOnly(rel, stream);
    const chunks: Chunk[] = splitSseEvents(load(rel));
    return { kind: 'stream', status: 200, headers: { 'content-type': mod.streamContentType, ...source }, chunks };
  }
  if (name.endsWith('.eventstream')) {
    streamOnly(rel, stream);
    const headers = { 'content-type': 'application/vnd.amazon.eventstream', ...source };
    return { kind: 'stream', status: 200, headers, chunks: splitEventStream(load(rel)) };
  }
  if (name.endsWith('.chunks.txt')) {
    streamOnly(rel, stream);
    const lines = load(rel)
      .toString('utf8')
      .split('\n')
      .filter((l) => l.trim() !== '');
    const chunks = mod.frameChunkLines(lines);
    const type = mod.format === 'bedrock' ? 'application/vnd.amazon.eventstream' : mod.streamContentType;
    return { kind: 'stream', status: 200, headers: { 'content-type': type, ...source }, chunks };
  }
  throw new ReplayError(`simulator: cannot replay "${rel}" (want .json, .sse, .chunks.txt or .eventstream)`, 400);
}
