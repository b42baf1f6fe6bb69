// A GatewayError in OpenAI's error shape (the Responses API uses the same one as Chat
// Completions), plus the code the real Responses API gives an unknown previous response.
import type { GatewayError } from '../../spec/errors.js';
import type { RenderedError } from '../../spec/wire.js';
import { errorObject, type OpenAiErrorObject } from '../shared/openai-error.js';

export function responsesErrorObject(error: GatewayError): OpenAiErrorObject {
  const obj = errorObject(error);
  // The error table has one `not_found`; OpenAI clients match on the specific code.
  if (error.code === 'not_found' && error.param === 'previous_response_id') obj.code = 'previous_response_not_found';
  return obj;
}

export function encodeError(error: GatewayError): RenderedError {
  const rendered: RenderedError = { status: error.status, body: { error: responsesErrorObject(error) } };
  if (error.retryAfterMs !== undefined) rendered.headers = { 'retry-after': String(Math.ceil(error.retryAfterMs / 1000)) };
  return rendered;
}
