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

export async function* parseSse(body: AsyncIterable<Uint8Array | string>): AsyncGenerator<SseEvent> {
  const decoder = new TextDecoder();
  let buffer = '';
  let data: string[] = [];
  let event: string | undefined;
  let id: string | undefined;
  // A CR at the very end of a chunk may be the first half of a CRLF split across chunks.
  let pendingCR = false;

  const take = (line: string): SseEvent | undefined => {
    if (line === '') {
      if (data.length === 0) {
        event = undefined;
        return undefined;
      }
      const out: SseEvent = { data: data.join('\n') };
      if (event !== undefined) out.event = event;
      if (id !== undefined) out.id = id;
      data = [];
      event = undefined;
      return out;
    }
    if (line.charCodeAt(0) === 58 /* : */) return undefined;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.charCodeAt(0) === 32) value = value.slice(1);
    if (field === 'data') data.push(value);
    else if (field === 'event') event = value;
    else if (field === 'id') id = value;
    return undefined;
  };

  for await (const chunk of body) {
    let text = typeof chunk === 'string' ? chunk : decoder.decode(chunk, decoderOptions);
    if (pendingCR) {
      pendingCR = false;
      if (text.charCodeAt(0) === 10) text = text.slice(1);
    }
    buffer += text;
    let start = 0;
    if (!pendingCR && buffer.indexOf('\r') === -1) {
      // Common case, LF-only framing: let the native indexOf find line ends.
      for (let nl = buffer.indexOf('\n'); nl !== -1; nl = buffer.indexOf('\n', start)) {
        const ev = take(buffer.slice(start, nl));
        start = nl + 1;
        if (ev) yield ev;
      }
      buffer = buffer.slice(start);
      continue;
    }
    for (let i = 0; i < buffer.length; i++) {
      const c = buffer.charCodeAt(i);
      if (c !== 10 && c !== 13) continue;
      const line = buffer.slice(start, i);
      if (c === 13) {
        if (i + 1 < buffer.length) {
          if (buffer.charCodeAt(i + 1) === 10) i++;
        } else {
          pendingCR = true;
        }
      }
      start = i + 1;
      const ev = take(line);
      if (ev) yield ev;
    }
    buffer = buffer.slice(start);
  }
  buffer += decoder.decode();
  if (buffer.length > 0) {
    const ev = take(buffer);
    if (ev) yield ev;
  }
  // A stream that ends without the final blank line still delivers its last event.
  const last = take('');
  if (last) yield last;
}

/** Frames one SSE event. `data` must not contain newlines (JSON.stringify output never does). */
export function sseFrame(data: string, event?: string): string {
  return event === undefined ? `data: ${data}\n\n` : `event: ${event}\ndata: ${data}\n\n`;
}
