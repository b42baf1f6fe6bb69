// The `anthropic-messages` wire format: Claude-native clients call the gateway with it (ingress,
// POST /v1/messages) and the gateway calls Anthropic with it (egress).
import type { EgressFormat, IngressFormat } from '../../spec/index.js';
import { buildRequest } from './build-request.js';
import { buildCountTokensRequest, parseCountTokensResponse } from './count-tokens.js';
import { decodeRequest } from './decode-request.js';
import { encodeError } from './encode-error.js';
import { encodeEvents } from './encode-events.js';
import { encodeResponse } from './encode-response.js';
import { parseError } from './parse-error.js';
import { parseResponse } from './parse-response.js';
import { parseStream } from './parse-stream.js';

export const anthropicMessages: IngressFormat & EgressFormat = {
  name: 'anthropic-messages',
  decodeRequest,
  encodeResponse,
  encodeEvents,
  encodeError,
  buildRequest,
  parseResponse,
  parseStream,
  parseError,
  buildCountTokensRequest,
  parseCountTokensResponse,
};

export { decodeCountTokensRequest, encodeCountTokensResponse } from './count-tokens.js';
export { ANTHROPIC_VERSION, EFFORT_BUDGET, FALLBACK_MAX_TOKENS } from './build-request.js';
