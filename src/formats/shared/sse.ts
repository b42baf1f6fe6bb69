// Server-sent events, per the WHATWG EventSource parsing rules: lines end in LF, CRLF or CR;
// a blank line dispatches; `:` starts a comment; `data:` lines of one event join with `\n`;
// one optional space after the colon is removed. Providers use every variation (Gemini CRLF,
// Anthropic padded JSON, comment keep-alives), so nothing here assumes a single style.

export interface SseEvent {
  event?: string;
  data: string;
  id?: string;
}

const decoderOptions = { stream: true } as const;

/**
 * Incremental SSE parser: feed it network chunks, get back the events they complete. Synchronous,
 * so a consumer handles every event of a chunk in one go instead of one promise hop per event.
 */
export class SseDecoder {
  private readonly decoder = new TextDecoder();
  private buffer = '';
  private data: string[] = [];
  private event: string | undefined;
  private id: string | undefined;
  /** A CR at the very end of a chunk may be the first half of a CRLF split across chunks. */
  private pendingCR = false;

  /** The events completed by `chunk` (often none or one; several when chunks coalesce). */
  push(chunk: Uint8Array | string): SseEvent[] {
    const out: SseEvent[] = [];
    let text = typeof chunk === 'string' ? chunk : this.decoder.decode(chunk, decoderOptions);
    if (this.pendingCR) {
      this.pendingCR = false;
      if (text.charCodeAt(0) === 10) text = text.slice(1);
    }
    const buffer = this.buffer === '' ? text : this.buffer + text;
    let start = 0;
    if (buffer.indexOf('\r') === -1) {
      // Common case, LF-only framing: let the native indexOf find line ends.
      for (let nl = buffer.indexOf('\n'); nl !== -1; nl = buffer.indexOf('\n', start)) {
        this.take(buffer.slice(start, nl), out);
        start = nl + 1;
      }
      this.buffer = start === 0 ? buffer : buffer.slice(start);
      return out;
    }
    for (let i = 0; i < buffer.length; i++) {
      const c = buffer.charCodeAt(i);
      if (c !== 10 && c !== 13) continue;
      const line = buffer.slice(start, i);
      if (c === 13) {
        if (i + 1 < buffer.length) {
          if (buffer.charCodeAt(i + 1) === 10) i++;
        } else {
          this.pendingCR = true;
        }
      }
      start = i + 1;
      this.take(line, out);
    }
    this.buffer = buffer.slice(start);
    return out;
  }

  /** At the end of the body: the last event, even without its closing blank line. */
  end(): SseEvent[] {
    const out: SseEvent[] = [];
    const rest = this.buffer + this.decoder.decode();
    this.buffer = '';
    if (rest.length > 0) this.take(rest, out);
    this.take('', out);
    return out;
  }

  private take(line: string, out: SseEvent[]): void {
    if (line === '') {
      if (this.data.length === 0) {
        this.event = undefined;
        return;
      }
      const ev: SseEvent = { data: this.data.length === 1 ? this.data[0]! : this.data.join('\n') };
      if (this.event !== undefined) ev.event = this.event;
      if (this.id !== undefined) ev.id = this.id;
      this.data = [];
      this.event = undefined;
      out.push(ev);
      return;
    }
    if (line.charCodeAt(0) === 58 /* : */) return;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.charCodeAt(0) === 32) value = value.slice(1);
    if (field === 'data') this.data.push(value);
    else if (field === 'event') this.event = value;
    else if (field === 'id') this.id = value;
  }
}

export async function* parseSse(body: AsyncIterable<Uint8Array | string>): AsyncGenerator<SseEvent> {
  const sse = new SseDecoder();
  for await (const chunk of body) yield* sse.push(chunk);
  yield* sse.end();
}

/** Frames one SSE event. `data` must not contain newlines (JSON.stringify output never does). */
export function sseFrame(data: string, event?: string): string {
  return event === undefined ? `data: ${data}\n\n` : `event: ${event}\ndata: ${data}\n\n`;
}
