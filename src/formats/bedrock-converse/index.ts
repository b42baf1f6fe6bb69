// The Bedrock Converse wire format (egress only): Converse and ConverseStream, SigV4 or API key.
import type { EgressFormat } from '../../spec/index.js';
import { buildBedrockRequest } from './build-request.js';
import { parseBedrockError } from './errors.js';
import { parseBedrockResponse } from './parse-response.js';
import { parseBedrockStream } from './parse-stream.js';

export const bedrockConverse: EgressFormat = {
  name: 'bedrock-converse',
  buildRequest: (request, target) => buildBedrockRequest(request, target),
  parseResponse: parseBedrockResponse,
  parseStream: parseBedrockStream,
  parseError: parseBedrockError,
};
