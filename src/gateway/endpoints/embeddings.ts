// POST /v1/embeddings (OpenAI shape) over the embeddings producer.
import type { EmbeddingRequest } from '../../spec/canonical.js';
import { GatewayError } from '../../spec/errors.js';
import { openaiChat } from '../../formats/index.js';
import { decodeEmbeddingRequest, encodeEmbeddingResponse } from '../../formats/openai-chat/index.js';
import { embeddingNeeds } from '../../routing/estimate.js';
import { idHeaders, type EndpointSpec } from '../endpoint.js';
import { produceEmbeddings } from '../produce-embeddings.js';
import { writeJson } from '../render.js';
import { lookupRoute } from '../route.js';

export const embeddingsEndpoint: EndpointSpec = {
  kind: 'embeddings',
  format: 'openai-embeddings',
  method: 'POST',
  auth: 'bearer',
  errors: openaiChat,
  idHeaders: idHeaders.plain,
  logged: true,
  decode(call, body) {
    const request = decodeEmbeddingRequest(body, call.ex.snapshot.server.limits);
    call.route = lookupRoute(call.ex.snapshot, request.model);
    call.request = request;
    call.needs = embeddingNeeds(request);
  },
  produce: produceEmbeddings,
  render(call, answer) {
    if (answer.kind === 'json') return writeJson(call, answer.status, JSON.stringify(answer.body));
    if (answer.kind !== 'embeddings') throw new GatewayError('internal_error', `the embeddings endpoint cannot render a ${answer.kind} answer`);
    const req = call.request as EmbeddingRequest;
    const body = encodeEmbeddingResponse(answer.response, { model: req.model, requestId: call.ex.requestId, created: Math.floor(call.ex.startedAt / 1000), encodingFormat: req.encodingFormat });
    writeJson(call, 200, JSON.stringify(body));
  },
};
