// A GatewayError in OpenAI's error shape, for responses and for in-stream error payloads: shared
// by the chat completions and Responses ingresses (both speak OpenAI's error object).
import type { GatewayError } from '../../spec/errors.js';
import type { RenderedError } from '../../spec/wire.js';

export interface OpenAiErrorObject {
  message: string;
  type: string;
  param: string | null;
  code: string;
}

export function errorObject(error: GatewayError): OpenAiErrorObject {
  return {
    message: error.callerMessage,
    type: error.openaiType,
    param: error.param ?? null,
    // A provider's own code (e.g. `rate_limit_exceeded`) means more to an OpenAI client than ours.
    code: error.upstream?.type ?? error.code,
  };
}

export function encodeError(error: GatewayError): RenderedError {
  const rendered: RenderedError = { status: error.status, body: { error: errorObject(error) } };
  if (error.retryAfterMs !== undefined) {
    rendered.headers = { 'retry-after': String(Math.ceil(error.retryAfterMs / 1000)) };
  }
  return rendered;
}
