// What an endpoint is to the runner: how its callers authenticate and read errors, how a body
// becomes the call's request, who produces the answer and how it is written. Every endpoint
// (chat completions, Messages, Responses, embeddings, count_tokens, models, probes, admin) is one
// of these, run by the same runner (runner.ts), so headers, the request line and error rendering
// are the same everywhere.

import type { IngressFormat } from '../spec/wire.js';
import type { Answer, Call, EndpointKind } from './call.js';
import type { GatewayDeps } from './deps.js';
import type { Lifecycle } from './lifecycle.js';

export type AuthScheme = 'bearer' | 'anthropic' | 'admin' | 'none';

export interface EndpointSpec {
  kind: EndpointKind;
  /** The wire format's name, as the request line's `format`. */
  format: string;
  method: 'GET' | 'POST';
  /** `anthropic` words the missing-key message for Anthropic clients; `admin` wants the admin key. */
  auth: AuthScheme;
  /** Renders errors for this endpoint's clients. */
  errors: Pick<IngressFormat, 'encodeError'>;
  /** Headers carrying the request id, as this endpoint's SDK reads it. */
  idHeaders(requestId: string): string[];
  /** Whether requests leave a request line and run after-hooks (probes do not). */
  logged: boolean;
  /**
   * Turns the parsed body into the call's request, route and needs. A throw here is bad input:
   * answered in the caller's shape, with no trace (no request line, no after-hook).
   */
  decode?(call: Call, body: unknown): void | Promise<void>;
  produce(deps: GatewayDeps, lifecycle: Lifecycle, call: Call): Promise<Answer>;
  /** Writes the answer; resolves once the response has been sent. */
  render(call: Call, answer: Answer): void | Promise<void>;
  /** An endpoint's own after-hook, run before the lifecycle's (e.g. saving a Response). */
  after?(call: Call): void;
}

const plainIds = (id: string) => ['x-request-id', id];
/** The Anthropic SDK reads `request-id` (exposed as `_request_id`); everyone gets x-request-id. */
const anthropicIds = (id: string) => ['x-request-id', id, 'request-id', id];

export const idHeaders = { plain: plainIds, anthropic: anthropicIds };
