// W3C Trace Context `traceparent` (https://www.w3.org/TR/trace-context/): version 00, a 32-hex
// trace id, a 16-hex parent span id, 2-hex flags. An invalid header is ignored (a new trace
// starts), as the spec says, never an error for the caller.

export interface RemoteParent {
  traceId: string;
  spanId: string;
  /** Bit 0: sampled. */
  flags: number;
}

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;

export function parseTraceparent(header: string | string[] | undefined): RemoteParent | undefined {
  const h = Array.isArray(header) ? header[0] : header;
  if (h === undefined || h.length < 55) return undefined;
  const m = TRACEPARENT.exec(h.trim().toLowerCase());
  if (!m) return undefined;
  const [, version, traceId, spanId, flags, rest] = m;
  // Version ff is forbidden; version 00 has nothing after the flags.
  if (version === 'ff' || (version === '00' && rest !== undefined)) return undefined;
  if (/^0+$/.test(traceId!) || /^0+$/.test(spanId!)) return undefined;
  return { traceId: traceId!, spanId: spanId!, flags: parseInt(flags!, 16) };
}

export function formatTraceparent(traceId: string, spanId: string, flags: number): string {
  return `00-${traceId}-${spanId}-${(flags & 0xff).toString(16).padStart(2, '0')}`;
}
