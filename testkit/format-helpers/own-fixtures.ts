// Shared by the formats' own-fixtures.test.ts: reads our documented-shape provider responses
// (testkit/fixtures-own/, present on every clone), turns their streams into wire bytes, parses
// them whole and byte by byte, and folds the canonical events into what a client would end up with.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { fixturePath, readChunks, readFixture, readFixtureText } from '../fixtures.js';
import type { CanonicalEvent, Usage } from '../../src/spec/canonical.js';
import type { EgressFormat } from '../../src/spec/wire.js';
import { concatBytes, eventFrame } from './bedrock-converse.js';

/** Every file of one provider's own fixtures, sorted. */
export function ownFiles(provider: string): string[] {
  return readdirSync(fixturePath(`own/${provider}`)).sort();
}

/** The wire bytes of a stream fixture: `.sse` as written; Bedrock `.chunks.txt` lines (one
 * `{eventType: payload}` object each) encoded as real application/vnd.amazon.eventstream frames. */
export function streamBytes(rel: string): Uint8Array {
  if (rel.endsWith('.chunks.txt')) {
    const frames = (readChunks(rel) as Array<Record<string, unknown>>).map((line) => {
      const [type, payload] = Object.entries(line)[0] ?? ['', {}];
      return eventFrame(type, payload);
    });
    return concatBytes(frames);
  }
  return new Uint8Array(readFixture(rel));
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

async function* whole(b: Uint8Array): AsyncGenerator<Uint8Array> {
  yield b;
}

async function* oneByOne(b: Uint8Array): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < b.length; i++) yield b.subarray(i, i + 1);
}

/** Volatile fields (a generated id when the wire has none, the clock) set to fixed values. */
function stable(events: CanonicalEvent[]): CanonicalEvent[] {
  return events.map((e) => (e.type === 'message-start' ? { ...e, created: 0, id: e.id.startsWith('bedrock-') ? '<generated>' : e.id } : e));
}

/**
 * Parses the stream fixture whole and one byte at a time; both must give the same events.
 * `normalize` replaces what the parser mints per run (e.g. Gemini's tool-call ids).
 */
export async function parseOwnStream(
  format: Pick<EgressFormat, 'parseStream'>,
  rel: string,
  normalize: (events: CanonicalEvent[]) => CanonicalEvent[] = (e) => e,
): Promise<CanonicalEvent[]> {
  const bytes = streamBytes(rel);
  const ctx = { model: 'ctx-model' };
  const a = normalize(stable(await collect(format.parseStream(whole(bytes), ctx))));
  const b = normalize(stable(await collect(format.parseStream(oneByOne(bytes), ctx))));
  assert.deepEqual(b, a, `${rel}: byte-by-byte parse differs from the whole-body parse`);
  return a;
}

export function readOwnJson(rel: string): unknown {
  return JSON.parse(readFixtureText(rel));
}

export interface Folded {
  id?: string;
  model?: string;
  text: string;
  reasoning: Array<{ text: string; signature?: string }>;
  toolCalls: Array<{ id: string; name: string; arguments: string }>;
  /** The last usage report (streams report cumulative figures). */
  usage?: Usage;
  finish?: { reason: string; raw?: string };
  errors: Array<{ code: string; retryable: boolean; upstreamType?: string }>;
  /** Kinds of output in the order they began: text, reasoning, tool. */
  order: string[];
}

/** Folds canonical events into what a consumer ends up with, and checks the stream invariants. */
export function fold(events: CanonicalEvent[]): Folded {
  assert.equal(events[0]?.type, 'message-start', 'a stream begins with message-start');
  assert.equal(events.filter((e) => e.type === 'message-start').length, 1);
  const out: Folded = { text: '', reasoning: [], toolCalls: [], errors: [], order: [] };
  const began = (k: string) => {
    if (out.order.at(-1) !== k) out.order.push(k);
  };
  let openReasoning = false;
  for (const e of events) {
    switch (e.type) {
      case 'message-start':
        out.id = e.id;
        out.model = e.model;
        break;
      case 'text-delta':
        assert.notEqual(e.text, '', 'no empty text deltas');
        out.text += e.text;
        began('text');
        openReasoning = false;
        break;
      case 'reasoning-delta': {
        if (!openReasoning) out.reasoning.push({ text: '' });
        openReasoning = true;
        const r = out.reasoning.at(-1)!;
        r.text += e.text;
        if (e.signature !== undefined) {
          r.signature = e.signature;
          openReasoning = false;
        }
        began('reasoning');
        break;
      }
      case 'tool-call-start':
        assert.notEqual(e.id, '', 'a tool call always has an id');
        assert.equal(e.index, out.toolCalls.length, 'tool indexes 0..n in order');
        out.toolCalls.push({ id: e.id, name: e.name, arguments: '' });
        began('tool');
        openReasoning = false;
        break;
      case 'tool-call-delta':
        assert.notEqual(e.argumentsDelta, '', 'no empty argument deltas');
        out.toolCalls[e.index]!.arguments += e.argumentsDelta;
        break;
      case 'usage':
        out.usage = e.usage;
        break;
      case 'finish':
        assert.equal(out.finish, undefined, 'one finish');
        out.finish = { reason: e.reason, ...(e.raw !== undefined ? { raw: e.raw } : {}) };
        break;
      case 'error':
        out.errors.push({ code: e.error.code, retryable: e.error.retryable, ...(e.error.upstream?.type !== undefined ? { upstreamType: e.error.upstream.type } : {}) });
        break;
    }
  }
  return out;
}

/** The error fixtures' expected mapping: canonical code, retryable, and the upstream's own type. */
export interface ErrorCase {
  code: string;
  retryable: boolean;
  message: string;
  upstreamType?: string;
  retryAfterMs?: number;
}

/** Status from an `error-NNN-*.json` name. */
export function errorStatus(file: string): number {
  const m = /^error-(\d{3})-/.exec(file);
  if (!m) throw new Error(`not an error fixture name: ${file}`);
  return Number(m[1]);
}
