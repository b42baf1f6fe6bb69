// Request validation errors for the Messages API: the same friendly text as the OpenAI ingress
// (`messages: required field missing (expected array)`), from formats/shared.
import type { z } from 'zod';
import { zodToGatewayError } from '../shared/zod-error.js';

export { formatPath } from '../shared/zod-error.js';

/** Throws GatewayError('invalid_request') naming the first failing field and what was expected. */
export function throwZodError(error: z.ZodError, body: unknown): never {
  // Anthropic's own API writes paths as `messages.0.content`.
  throw zodToGatewayError(error, body, [], 'dots');
}
