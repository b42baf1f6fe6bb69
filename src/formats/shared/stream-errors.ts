// Error events for egress stream parsers whose failures carry no upstream body to quote
// (Bedrock's binary eventstream, Gemini's SSE). Anthropic's parser keeps its own: it attaches
// the offending frame as `upstream.body`.
import { GatewayError } from '../../spec/index.js';
import type { CanonicalEvent } from '../../spec/index.js';

/** The upstream sent something the protocol does not allow (bad framing, missing events). */
export function protocolErrorEvent(message: string, cause?: unknown): CanonicalEvent {
  return { type: 'error', error: new GatewayError('upstream_protocol', message, cause === undefined ? {} : { cause }) };
}

/** Reading the body itself failed (socket reset, abort): `${upstream} stream read failed`. */
export function readFailedEvent(upstream: string, cause: unknown): CanonicalEvent {
  return { type: 'error', error: new GatewayError('upstream_connection', `${upstream} stream read failed`, { cause }) };
}
