// GET and DELETE /v1/responses/{id}: the official SDK's `responses.retrieve` and
// `responses.delete`, over the same store that serves `previous_response_id`.
//
// The store keeps what a conversation needs (input and output items, model, creation time), not
// the whole response object: a retrieved response has its output, status and ids, and `usage`
// null and the request's echo fields (instructions, temperature, tools…) at their defaults.
import { GatewayError } from '../spec/errors.js';
import { openaiResponses } from '../formats/openai-responses/index.js';
import { DEFAULT_ECHO, type OutputItem, type ResponseObject } from '../formats/openai-responses/response-object.js';
import type { ResponsesStore, StoredResponse } from '../store/responses-store.js';
import { idHeaders, type EndpointSpec } from '../gateway/endpoint.js';
import type { Answer, Call } from '../gateway/call.js';
import { writeJson } from '../gateway/render.js';
import { decodePathSegment } from './path-param.js';

/** The id from `/v1/responses/{id}` or `/responses/{id}`; anything after it is not ours. */
export function responseIdFromPath(url: string | undefined): string {
  const path = new URL(url ?? '/', 'http://x').pathname.replace(/\/+$/, '');
  const i = path.indexOf('/responses/');
  const id = decodePathSegment(path.slice(i + '/responses/'.length));
  if (id === '' || id.includes('/')) throw new GatewayError('not_found', `Unknown path ${path}.`);
  return id;
}

function notFound(id: string): GatewayError {
  return new GatewayError('not_found', `No response with id '${id}' is stored (it was never stored, was stored with store: false, expired, or was deleted).`, { param: 'response_id' });
}

export function responseObjectFrom(r: StoredResponse): ResponseObject {
  const output = r.output as OutputItem[];
  const cut = output.some((item) => 'status' in item && item.status === 'incomplete');
  return {
    ...DEFAULT_ECHO,
    previous_response_id: r.previousResponseId ?? null,
    id: r.id,
    object: 'response',
    created_at: r.createdAt,
    status: cut ? 'incomplete' : 'completed',
    background: false,
    error: null,
    incomplete_details: cut ? { reason: 'max_output_tokens' } : null,
    model: r.model,
    output,
    truncation: 'disabled',
    usage: null,
  };
}

/** The endpoint-table entries, for both path spellings the OpenAI SDKs use. */
function byId(method: 'GET' | 'DELETE', answer: (call: Call, id: string) => Promise<unknown>): EndpointSpec {
  return {
    kind: 'models',
    format: openaiResponses.name,
    method,
    auth: 'bearer',
    errors: openaiResponses,
    idHeaders: idHeaders.plain,
    logged: false,
    produce: async (_d, _l, call): Promise<Answer> => ({ kind: 'json', status: 200, body: await answer(call, responseIdFromPath(call.ex.req.url)) }),
    render: (call, a) => writeJson(call, a.kind === 'json' ? a.status : 500, JSON.stringify(a.kind === 'json' ? a.body : {})),
  };
}

export function responsesByIdEndpoints(store: ResponsesStore): Array<[string, EndpointSpec]> {
  const retrieve = byId('GET', async (_c, id) => {
    const r = await store.get(id);
    if (r === undefined) throw notFound(id);
    return responseObjectFrom(r);
  });
  const remove = byId('DELETE', async (_c, id) => {
    if (!(await store.delete(id))) throw notFound(id);
    return { id, object: 'response', deleted: true };
  });
  return [
    ['GET /v1/responses/*', retrieve],
    ['GET /responses/*', retrieve],
    ['DELETE /v1/responses/*', remove],
    ['DELETE /responses/*', remove],
  ];
}
