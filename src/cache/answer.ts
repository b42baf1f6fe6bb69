// What the cache keeps for one answer, and how an answer is recorded from a stream and replayed
// as one. An answer stored from a non-streaming request can serve a streaming one and the other
// way round: the replay is canonical events, which the caller's own ingress format encodes
// (OpenAI chat chunks, Anthropic message events, Responses events), so every client gets a
// well-formed stream in its own protocol.

import type { CanonicalEvent, CanonicalResponse, ReasoningPart, TextPart, ToolCallPart, Usage } from '../spec/canonical.js';

export interface CachedAnswer {
  response: CanonicalResponse;
  /** Lengths of the original stream's text deltas, so a replay is chunked like the original. */
  textChunks?: number[];
  storedAt: number;
  route: string;
  scope: string;
  /** What the original call cost, when known: a hit saves it. */
  costUsd?: number;
  /** Approximate memory held by this entry (the LRU's byte bound counts it). */
  bytes: number;
  /** Where the semantic index files it, so a persisted entry can be re-indexed after a restart. */
  semantic?: { partition: string; text: string };
}

/** A rough but monotone estimate of the memory an answer holds (UTF-16 strings plus object overhead). */
export function answerBytes(r: CanonicalResponse, textChunks?: readonly number[]): number {
  let n = 320 + r.id.length * 2 + r.model.length * 2 + (textChunks?.length ?? 0) * 8;
  for (const p of r.content) {
    n += 64;
    if (p.type === 'text' || p.type === 'reasoning') n += p.text.length * 2 + (p.type === 'reasoning' ? (p.signature?.length ?? 0) * 2 : 0);
    else n += (p.id.length + p.name.length + p.arguments.length) * 2;
  }
  return n;
}

/** Builds a response from a stream's events; `finish()` is undefined unless the stream ended cleanly. */
export class AnswerRecorder {
  private id = '';
  private model = '';
  private created = 0;
  private readonly content: Array<TextPart | ReasoningPart | ToolCallPart> = [];
  private readonly calls = new Map<number, ToolCallPart>();
  private readonly chunks: number[] = [];
  private usage: Usage | undefined;
  private finishEvent: Extract<CanonicalEvent, { type: 'finish' }> | undefined;
  private failed = false;

  push(e: CanonicalEvent): void {
    switch (e.type) {
      case 'message-start':
        if (this.id === '') ({ id: this.id, model: this.model, created: this.created } = e);
        break;
      case 'text-delta': {
        const last = this.content[this.content.length - 1];
        if (last?.type === 'text') last.text += e.text;
        else this.content.push({ type: 'text', text: e.text });
        this.chunks.push(e.text.length);
        break;
      }
      case 'reasoning-delta': {
        const last = this.content[this.content.length - 1];
        let part: ReasoningPart;
        if (last?.type === 'reasoning') part = last;
        else this.content.push((part = { type: 'reasoning', text: '' }));
        part.text += e.text;
        if (e.signature !== undefined) part.signature = (part.signature ?? '') + e.signature;
        if (e.redacted !== undefined) part.redacted = (part.redacted ?? '') + e.redacted;
        break;
      }
      case 'tool-call-start': {
        const part: ToolCallPart = { type: 'tool-call', id: e.id, name: e.name, arguments: '' };
        if (e.signature !== undefined) part.signature = e.signature;
        this.calls.set(e.index, part);
        this.content.push(part);
        break;
      }
      case 'tool-call-delta': {
        const part = this.calls.get(e.index);
        if (part) part.arguments += e.argumentsDelta;
        else this.failed = true;
        break;
      }
      case 'usage':
        this.usage = { ...this.usage, ...e.usage };
        break;
      case 'finish':
        this.finishEvent = e;
        break;
      case 'error':
        this.failed = true;
        break;
    }
  }

  /** The whole answer, or undefined when the stream failed or never finished (never cache a truncation). */
  finish(): { response: CanonicalResponse; textChunks: number[] } | undefined {
    const f = this.finishEvent;
    if (this.failed || f === undefined || f.reason === 'error') return undefined;
    const response: CanonicalResponse = { id: this.id, model: this.model, created: this.created, content: this.content, finishReason: f.reason };
    if (f.raw !== undefined) response.rawFinishReason = f.raw;
    if (f.stopSequence !== undefined) response.stopSequence = f.stopSequence;
    if (this.usage) response.usage = this.usage;
    return { response, textChunks: this.chunks };
  }
}

/** Word-sized pieces (" word"), about what a provider sends per chunk, for answers stored without chunk lengths. */
function wordChunks(text: string): string[] {
  return text.match(/\s*\S+|\s+$/g) ?? (text === '' ? [] : [text]);
}

function sliceChunks(text: string, lengths: readonly number[] | undefined): string[] {
  if (lengths === undefined) return wordChunks(text);
  const out: string[] = [];
  let at = 0;
  for (const n of lengths) {
    if (at >= text.length) break;
    out.push(text.slice(at, at + n));
    at += n;
  }
  if (at < text.length) out.push(text.slice(at));
  return out;
}

/** Argument JSON in pieces of about 16 characters, as providers stream it. */
function argumentChunks(args: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i += 16) out.push(args.slice(i, i + 16));
  return out;
}

/**
 * The canonical events of a cached answer, in stream order: message start, reasoning, text
 * (chunked like the original stream when it was one), tool calls, finish, usage. `id` is the
 * id the replay answers with (a hit is a new response, so it gets its own).
 */
export function* answerEvents(a: CachedAnswer, id: string, created: number): Generator<CanonicalEvent> {
  const r = a.response;
  yield { type: 'message-start', id, model: r.model, created };
  let chunks = a.textChunks;
  let toolIndex = 0;
  for (const p of r.content) {
    if (p.type === 'text') {
      // Chunk lengths are per stream, not per text part: consume them across parts.
      const pieces = sliceChunks(p.text, chunks);
      if (chunks !== undefined) chunks = chunks.slice(pieces.length);
      for (const text of pieces) yield { type: 'text-delta', text };
    } else if (p.type === 'reasoning') {
      const e: CanonicalEvent = { type: 'reasoning-delta', text: p.text };
      if (p.signature !== undefined) e.signature = p.signature;
      if (p.redacted !== undefined) e.redacted = p.redacted;
      yield e;
    } else {
      const index = toolIndex++;
      const start: CanonicalEvent = { type: 'tool-call-start', index, id: p.id, name: p.name };
      if (p.signature !== undefined) start.signature = p.signature;
      yield start;
      for (const argumentsDelta of argumentChunks(p.arguments)) yield { type: 'tool-call-delta', index, argumentsDelta };
    }
  }
  const finish: CanonicalEvent = { type: 'finish', reason: r.finishReason };
  if (r.rawFinishReason !== undefined) finish.raw = r.rawFinishReason;
  if (r.stopSequence !== undefined) finish.stopSequence = r.stopSequence;
  yield finish;
  if (r.usage) yield { type: 'usage', usage: r.usage };
}

/** The cached response as a new response (its own id and creation time). */
export function answerResponse(a: CachedAnswer, id: string, created: number): CanonicalResponse {
  return { ...a.response, id, created };
}

/**
 * An async iterable over the replay, for an `Answer` of kind `stream`. A plain iterator over the
 * synchronous generator rather than an async generator: every event of a replay is ready at
 * once, and an async generator's queue costs about twice as much per event (measured: 23 events
 * in ~9 µs instead of ~22 µs), which is a streamed hit's own cost.
 */
export function answerStream(a: CachedAnswer, id: string, created: number): AsyncIterableIterator<CanonicalEvent> {
  const events = answerEvents(a, id, created);
  const it: AsyncIterableIterator<CanonicalEvent> = {
    [Symbol.asyncIterator]: () => it,
    next: () => Promise.resolve(events.next()),
    return: (value?: unknown) => Promise.resolve(events.return(value as undefined)),
  };
  return it;
}
