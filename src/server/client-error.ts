// Requests node's HTTP parser refuses before any handler runs: a chunked body cut midway, a
// content-length that contradicts transfer-encoding, oversized headers. Node's default answer is
// a bare `400 Bad Request` with no body, which the official SDKs report as an unknown error.
// This one is a well-formed error body that both SDKs parse: the request's path is unknown at
// this point, so the body has Anthropic's top-level `type: "error"` and OpenAI's `error.code`.

import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';

interface ParserError extends Error {
  code?: string;
}

/** Status and message for a parser error code. */
function classify(code: string | undefined): [number, string, string] {
  if (code === 'HPE_HEADER_OVERFLOW') return [431, 'Request Header Fields Too Large', 'request headers are too large'];
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return [408, 'Request Timeout', 'the request was not received in time'];
  if (code === 'HPE_UNEXPECTED_CONTENT_LENGTH' || code === 'HPE_INVALID_TRANSFER_ENCODING') {
    return [400, 'Bad Request', 'the request framing is ambiguous (content-length together with transfer-encoding, or an unknown transfer-encoding)'];
  }
  if (code === 'HPE_INVALID_EOF_STATE') return [400, 'Bad Request', 'the request body ended before it was complete'];
  return [400, 'Bad Request', `the request is not valid HTTP/1.1 (${code ?? 'parse error'})`];
}

/**
 * Connections whose current request was already answered before its body had been read (a 413
 * sent early, an auth failure): a parser error later in that body must not add a second answer.
 */
const answeredEarly = new WeakSet<Duplex>();

export function installClientErrorHandler(server: Server): void {
  server.on('clientError', answerClientError);
}

/**
 * Called by the server when it answers a request before reading its body (unknown path, refused
 * key, 413): no listener per request, only on these rare paths.
 */
export function noteEarlyAnswer(req: IncomingMessage): void {
  if (!req.complete) answeredEarly.add(req.socket);
}

export function answerClientError(err: ParserError, socket: Duplex): void {
  const inFlight = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  // A reset socket has no one to answer; a response already under way (or already given to
  // this request) cannot be replaced.
  if (err.code === 'ECONNRESET' || !socket.writable || inFlight?.headersSent || answeredEarly.has(socket)) {
    socket.destroy();
    return;
  }
  const [status, reason, message] = classify(err.code);
  const body = JSON.stringify({ type: 'error', error: { type: 'invalid_request_error', message: `Malformed request: ${message}.`, param: null, code: 'invalid_request' } });
  socket.end(`HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nx-should-retry: false\r\nconnection: close\r\n\r\n${body}`);
}
