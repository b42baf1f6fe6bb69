// The Gemini wire format (egress only): Google AI generateContent and Vertex AI publisher models.
import type { EgressFormat } from '../../spec/index.js';
import { buildGeminiRequest } from './build-request.js';
import { buildGeminiCountTokensRequest, parseGeminiCountTokensResponse } from './count-tokens.js';
import { buildGeminiEmbeddingRequest, parseGeminiEmbeddingResponse } from './embeddings.js';
import { parseGeminiError } from './errors.js';
import { parseGeminiResponse } from './parse-response.js';
import { parseGeminiStream } from './parse-stream.js';

export const gemini: EgressFormat = {
  name: 'gemini',
  buildRequest: buildGeminiRequest,
  parseResponse: parseGeminiResponse,
  parseStream: parseGeminiStream,
  parseError: parseGeminiError,
  buildEmbeddingRequest: buildGeminiEmbeddingRequest,
  parseEmbeddingResponse: parseGeminiEmbeddingResponse,
  buildCountTokensRequest: buildGeminiCountTokensRequest,
  parseCountTokensResponse: parseGeminiCountTokensResponse,
};
