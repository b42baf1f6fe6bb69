// The `openai-chat` wire format (OpenAI Chat Completions): the protocol clients speak to the
// gateway and the one the gateway speaks to OpenAI and every OpenAI-compatible provider.
import type { EgressFormat, IngressFormat } from '../../spec/wire.js';
import { buildRequest } from './build-request.js';
import { decodeRequest } from './decode-request.js';
import { buildEmbeddingRequest, parseEmbeddingResponse } from './embeddings.js';
import { encodeError } from './encode-error.js';
import { encodeEvents } from './encode-events.js';
import { encodeResponse, encodeResponseText } from './encode-response.js';
import { parseError } from './parse-error.js';
import { parseResponse } from './parse-response.js';
import { parseStream } from './parse-stream.js';

export const openaiChat: IngressFormat & EgressFormat = {
  name: 'openai-chat',
  decodeRequest,
  encodeResponse,
  encodeResponseText,
  encodeEvents,
  encodeError,
  buildRequest,
  parseResponse,
  parseStream,
  parseError,
  buildEmbeddingRequest,
  parseEmbeddingResponse,
};

export { decodeEmbeddingRequest, encodeEmbeddingResponse, type EmbeddingEncodeContext } from './embeddings.js';
