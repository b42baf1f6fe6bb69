// Binds the pure openai-responses format to a ResponsesStore, per request:
//   when the request is decoded: validate (400), load the previous_response_id conversation and
//     any item_reference'd items (404 when unknown), translate to canonical;
//   while the answer is encoded: the encoders hand over the final response object;
//   after the response has left: `save()` stores it (write-behind; `store: false` opts out).
// The Responses endpoint (gateway/endpoints/responses.ts) calls these from its decode step and its
// after-hook, so the chat pipeline needs no Responses-specific branch.
import { randomBytes } from 'node:crypto';
import type { CanonicalRequest } from '../../spec/canonical.js';
import type { IngressFormat } from '../../spec/wire.js';
import {
  echoFromRequest,
  encodeError,
  encodeEvents,
  encodeResponse,
  owningResponseId,
  parseInputItems,
  parseResponsesRequest,
  previousResponseNotFound,
  referencedItemIds,
  resolveItems,
  toCanonicalRequest,
  type InputItem,
  type ResponseObject,
} from '../../formats/openai-responses/index.js';
import type { ResponsesStore, StoredResponse } from '../../store/responses-store.js';
import type { IngressLimits } from '../../spec/limits.js';

/** A chain longer than this is refused rather than walked (and a cycle cannot loop forever). */
const MAX_CHAIN = 10_000;

export function newResponseId(): string {
  return `resp_${randomBytes(16).toString('hex')}`;
}

/** Stored items were validated when they were written; validating again guards the disk boundary. */
function itemsOf(r: StoredResponse): InputItem[] {
  const raw = [...r.input, ...r.output];
  return parseInputItems(raw, raw, [`stored response ${r.id}`]).filter((i): i is InputItem => i.type !== 'item_reference');
}

/** The full conversation up to and including response `id`: every ancestor's input and output. */
export async function loadConversation(store: ResponsesStore, id: string): Promise<InputItem[]> {
  const chain: StoredResponse[] = [];
  const seen = new Set<string>();
  let next: string | undefined = id;
  while (next !== undefined) {
    if (seen.has(next) || chain.length >= MAX_CHAIN) break;
    seen.add(next);
    const r = await store.get(next);
    // A missing ancestor breaks the conversation as surely as a missing parent: say which.
    if (r === undefined) throw previousResponseNotFound(next);
    chain.push(r);
    next = r.previousResponseId;
  }
  const items: InputItem[] = [];
  for (let i = chain.length - 1; i >= 0; i--) items.push(...itemsOf(chain[i]!));
  return items;
}

async function loadReferences(store: ResponsesStore, ids: readonly string[]): Promise<Map<string, InputItem>> {
  const found = new Map<string, InputItem>();
  const owners = new Map<string, StoredResponse | undefined>();
  for (const id of ids) {
    const owner = owningResponseId(id);
    if (owner === undefined || found.has(id)) continue;
    if (!owners.has(owner)) owners.set(owner, await store.get(owner));
    const r = owners.get(owner);
    if (r === undefined) continue;
    const raw = [...r.output, ...r.input];
    const at = raw.findIndex((item) => typeof item === 'object' && item !== null && (item as { id?: unknown }).id === id);
    if (at === -1) continue;
    const [item] = parseInputItems([raw[at]], raw, [`stored response ${r.id}`]);
    if (item !== undefined && item.type !== 'item_reference') found.set(id, item);
  }
  return found;
}

export interface PreparedResponses {
  /** Encoders bound to this request (echoed fields, the response id); they record the final object. */
  ingress: IngressFormat;
  request: CanonicalRequest;
  responseId: string;
  /** Stores the final response object, if the encoders produced one that should be kept. */
  save(): void;
}

export async function prepareResponses(store: ResponsesStore, body: unknown, limits?: IngressLimits, makeId: () => string = newResponseId): Promise<PreparedResponses> {
  const parsed = parseResponsesRequest(body, limits);
  const previousId = parsed.body.previous_response_id ?? undefined;
  const history = previousId === undefined ? [] : await loadConversation(store, previousId);
  const refIds = referencedItemIds(parsed);
  const input = resolveItems(parsed.items, refIds.length === 0 ? new Map() : await loadReferences(store, refIds));
  const request = toCanonicalRequest(parsed, input, history);
  const responseId = makeId();
  const echo = echoFromRequest(parsed.body, parsed.tools);

  let final: ResponseObject | undefined;
  const record = (resp: ResponseObject) => {
    final = resp;
  };
  const save = () => {
    const resp = final;
    final = undefined; // at most once
    if (resp === undefined || parsed.body.store === false || resp.status === 'failed') return;
    const stored: StoredResponse = { id: resp.id, createdAt: resp.created_at, model: resp.model, input, output: resp.output };
    if (previousId !== undefined) stored.previousResponseId = previousId;
    store.put(stored);
  };

  const ingress: IngressFormat = {
    name: 'openai-responses',
    decodeRequest: () => request,
    encodeResponse: (r, ctx) => {
      const out = encodeResponse(r, { ...ctx, requestId: responseId }, echo);
      record(out);
      return out;
    },
    encodeEvents: (events, ctx) => encodeEvents(events, { ...ctx, requestId: responseId }, { echo, onResponse: record }),
    encodeError,
  };
  return { ingress, request, responseId, save };
}
