// Ingress: CanonicalResponse -> a Responses API `response` object.
import type { CanonicalResponse, ReasoningPart } from '../../spec/canonical.js';
import type { EncodeContext } from '../../spec/wire.js';
import { REDACTED_PREFIX } from './convert-input.js';
import { itemId, responseId } from './ids.js';
import { DEFAULT_ECHO, responseObject, statusFor, type OutputItem, type ReasoningOutputItem, type ResponseEcho, type ResponseObject } from './response-object.js';

/** A canonical reasoning part as an output item: summary text, and the signature kept opaque. */
export function reasoningItem(id: string, p: Pick<ReasoningPart, 'text' | 'signature' | 'redacted'>): ReasoningOutputItem {
  const item: ReasoningOutputItem = { type: 'reasoning', id, summary: p.text === '' ? [] : [{ type: 'summary_text', text: p.text }] };
  if (p.redacted !== undefined) item.encrypted_content = REDACTED_PREFIX + p.redacted;
  else if (p.signature !== undefined && p.signature !== '') item.encrypted_content = p.signature;
  return item;
}

export function outputItems(r: CanonicalResponse, respId: string): OutputItem[] {
  const out: OutputItem[] = [];
  for (const part of r.content) {
    if (part.type === 'text') {
      // Adjacent text parts are one message, as a client would have streamed them.
      const last = out[out.length - 1];
      if (last?.type === 'message') last.content[0]!.text += part.text;
      else out.push({ type: 'message', id: itemId(respId, 'msg', out.length), role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: part.text, annotations: [], logprobs: [] }] });
    } else if (part.type === 'reasoning') {
      out.push(reasoningItem(itemId(respId, 'rs', out.length), part));
    } else {
      out.push({ type: 'function_call', id: itemId(respId, 'fc', out.length), call_id: part.id, name: part.name, arguments: part.arguments, status: 'completed' });
    }
  }
  return out;
}

export function encodeResponse(r: CanonicalResponse, ctx: EncodeContext, echo: ResponseEcho = DEFAULT_ECHO): ResponseObject {
  const id = responseId(ctx.requestId);
  const { status, incomplete_details } = statusFor(r.finishReason);
  const output = outputItems(r, id);
  if (status === 'incomplete') for (const item of output) if (item.type !== 'reasoning') item.status = 'incomplete';
  const fields: Parameters<typeof responseObject>[0] = { id, createdAt: ctx.created, model: ctx.model, status, incompleteDetails: incomplete_details, output, echo };
  if (r.usage) fields.usage = r.usage;
  return responseObject(fields);
}
