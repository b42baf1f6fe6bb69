// application/vnd.amazon.eventstream framing. Each message is
//   [total length u32][headers length u32][prelude CRC32][headers][payload][message CRC32]
// and may arrive split across any number of network chunks, so bytes are buffered until the
// length in the prelude is complete. The prelude CRC is checked as soon as 12 bytes are in:
// a corrupted length must fail fast instead of waiting for bytes that never come.
import { EventStreamCodec } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';

const PRELUDE = 12;
const MIN_MESSAGE = 16;
/** Bedrock events are small; anything larger than this is a corrupted length. */
const MAX_MESSAGE = 16 * 1024 * 1024;

export class EventStreamFramingError extends Error {
  override readonly name = 'EventStreamFramingError';
}

export interface EventStreamMessage {
  headers: Record<string, unknown>;
  body: Uint8Array;
}

export const codec = new EventStreamCodec(toUtf8, fromUtf8);

export async function* decodeEventStream(body: AsyncIterable<Uint8Array>): AsyncGenerator<EventStreamMessage> {
  let buf: Uint8Array = new Uint8Array(0);
  for await (const chunk of body) {
    buf = concat(buf, chunk);
    let offset = 0;
    while (buf.length - offset >= PRELUDE) {
      const view = new DataView(buf.buffer, buf.byteOffset + offset, PRELUDE);
      const total = view.getUint32(0);
      if (crc32(buf.subarray(offset, offset + 8)) !== view.getUint32(8)) {
        throw new EventStreamFramingError('eventstream prelude checksum mismatch');
      }
      if (total < MIN_MESSAGE || total > MAX_MESSAGE) throw new EventStreamFramingError(`eventstream message length ${total} is invalid`);
      if (buf.length - offset < total) break;
      let decoded;
      try {
        decoded = codec.decode(buf.subarray(offset, offset + total));
      } catch (e) {
        throw new EventStreamFramingError(`eventstream message is corrupt: ${e instanceof Error ? e.message : String(e)}`);
      }
      offset += total;
      const headers: Record<string, unknown> = {};
      for (const [k, h] of Object.entries(decoded.headers)) headers[k] = h.value;
      yield { headers, body: decoded.body };
    }
    buf = buf.subarray(offset);
  }
  if (buf.length > 0) throw new EventStreamFramingError(`eventstream ended inside a message (${buf.length} bytes left)`);
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = (CRC_TABLE[(c ^ b) & 0xff] ?? 0) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
