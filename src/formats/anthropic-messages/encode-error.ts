// Ingress: a GatewayError in Anthropic's error shape.
//
// Status choice for overload: the canonical table says 503 for `upstream_overloaded`, but when
// the error really came from an Anthropic 529 we keep 529. Claude clients know 529 as
// "Overloaded" (coding agents show a specific message and back off); both statuses are retried
// by the official SDKs, so nothing breaks either way. Every other code keeps the table status.
import type { GatewayError, RenderedError } from '../../spec/index.js';

export function encodeError(error: GatewayError): RenderedError {
  const status = error.code === 'upstream_overloaded' && error.upstream?.status === 529 ? 529 : error.status;
  const rendered: RenderedError = {
    status,
    body: { type: 'error', error: { type: error.anthropicType, message: error.callerMessage } },
  };
  if (error.retryAfterMs !== undefined) rendered.headers = { 'retry-after': String(Math.ceil(error.retryAfterMs / 1000)) };
  return rendered;
}
