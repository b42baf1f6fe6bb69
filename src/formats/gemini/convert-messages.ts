// Canonical messages -> Gemini `contents` + `systemInstruction`.
//
// Thought signatures: Gemini attaches `thoughtSignature` to the part that FOLLOWS its hidden
// reasoning (a functionCall, a text part, or an empty trailing text part) and validates them
// when they come back. The canonical form keeps a signature either on the ToolCallPart itself or
// on a text-less ReasoningPart (our parser emits one for a signature found on a text part). On the
// way back, a text-less signed ReasoningPart gives its signature to the next text/functionCall
// part of the same message that has none of its own; when there is no such part it is sent as
// its own empty text part, exactly the shape Gemini produced.
import { signatureFromCallId } from './call-id.js';
import type { CanonicalMessage, ContentPart, ImagePart, TextPart, ToolResultPart } from '../../spec/index.js';
import { isObject, tryParseJson } from '../shared/json.js';

export type GeminiPart = Record<string, unknown>;
export interface GeminiContent {
  role: 'user' | 'model';
  parts: GeminiPart[];
}

export interface ConvertedMessages {
  contents: GeminiContent[];
  systemInstruction?: { parts: GeminiPart[] };
}

export function convertMessages(messages: CanonicalMessage[], warnings: Set<string>): ConvertedMessages {
  const systemParts: GeminiPart[] = [];
  const contents: GeminiContent[] = [];
  // Tool-call id -> name, in conversation order, so a later reuse of an id (Gemini ids are
  // synthetic `call_<n>`) resolves to the nearest earlier call.
  const callNames = new Map<string, string>();

  for (const msg of messages) {
    if (hasCacheControl(msg.content)) warnings.add('cacheControl: Gemini caches prompts implicitly; markers dropped');
    if (msg.role === 'system') {
      for (const p of msg.content) {
        if (p.type === 'text') systemParts.push({ text: p.text });
        else warnings.add(`system ${p.type} parts are not supported by Gemini; dropped`);
      }
      continue;
    }
    const role = msg.role === 'assistant' ? 'model' : 'user';
    const parts =
      msg.role === 'assistant' ? assistantParts(msg.content, callNames, warnings) : userParts(msg.content, callNames, warnings);
    if (parts.length === 0) continue;
    const last = contents[contents.length - 1];
    if (last && last.role === role) last.parts.push(...parts);
    else contents.push({ role, parts });
  }
  const out: ConvertedMessages = { contents };
  if (systemParts.length > 0) out.systemInstruction = { parts: systemParts };
  return out;
}

function hasCacheControl(parts: ContentPart[]): boolean {
  return parts.some((p) => 'cacheControl' in p && p.cacheControl !== undefined);
}

function assistantParts(content: ContentPart[], callNames: Map<string, string>, warnings: Set<string>): GeminiPart[] {
  const out: GeminiPart[] = [];
  let pending: string | undefined;
  const flushPending = () => {
    if (pending !== undefined) out.push({ text: '', thoughtSignature: pending });
    pending = undefined;
  };
  const withSignature = (part: GeminiPart, own: string | undefined): GeminiPart => {
    if (own !== undefined) {
      flushPending();
      return { ...part, thoughtSignature: own };
    }
    if (pending === undefined) return part;
    const signed = { ...part, thoughtSignature: pending };
    pending = undefined;
    return signed;
  };

  for (const p of content) {
    switch (p.type) {
      case 'reasoning':
        if (p.redacted !== undefined) warnings.add('redacted reasoning cannot be sent to Gemini; dropped');
        if (p.text !== '') out.push(withSignature({ text: p.text, thought: true }, p.signature));
        else if (p.signature !== undefined) {
          flushPending();
          pending = p.signature;
        }
        break;
      case 'text':
        if (p.text !== '') out.push(withSignature({ text: p.text }, undefined));
        break;
      case 'image':
        out.push(imagePart(p, warnings));
        break;
      case 'tool-call': {
        callNames.set(p.id, p.name);
        out.push(withSignature({ functionCall: { name: p.name, args: parseArgs(p.arguments, p.name, warnings) } }, p.signature ?? signatureFromCallId(p.id)));
        break;
      }
      case 'tool-result':
        warnings.add('tool results in an assistant message are not supported by Gemini; dropped');
        break;
    }
  }
  flushPending();
  return out;
}

function userParts(content: ContentPart[], callNames: Map<string, string>, warnings: Set<string>): GeminiPart[] {
  const out: GeminiPart[] = [];
  for (const p of content) {
    if (p.type === 'text') {
      if (p.text !== '') out.push({ text: p.text });
    } else if (p.type === 'image') out.push(imagePart(p, warnings));
    else if (p.type === 'tool-result') out.push(...toolResultParts(p, callNames, warnings));
    else warnings.add(`${p.type} parts in a user/tool message are not supported by Gemini; dropped`);
  }
  return out;
}

function parseArgs(text: string, name: string, warnings: Set<string>): Record<string, unknown> {
  if (text.trim() === '') return {};
  const v = tryParseJson(text);
  if (isObject(v)) return v;
  warnings.add(`tool call ${name}: arguments are not a JSON object; sent as {}`);
  return {};
}

/**
 * Google's function-calling docs: `output` / `error` keys are recommended, but any object is
 * accepted; we follow the common `result` (and `error` for failures) convention. Images cannot
 * live inside a functionResponse on every model generation, so they follow it as inline parts.
 */
function toolResultParts(p: ToolResultPart, callNames: Map<string, string>, warnings: Set<string>): GeminiPart[] {
  let name = p.name ?? callNames.get(p.toolCallId);
  if (name === undefined) {
    warnings.add(`tool result ${p.toolCallId}: tool name unknown; the call id is sent as the name`);
    name = p.toolCallId;
  }
  const text = p.content
    .filter((c): c is TextPart => c.type === 'text')
    .map((c) => c.text)
    .join('\n');
  const response = p.isError ? { error: text } : { result: text };
  const parts: GeminiPart[] = [{ functionResponse: { name, response } }];
  for (const c of p.content) if (c.type === 'image') parts.push(imagePart(c, warnings));
  return parts;
}

const MIME_BY_EXT: Record<string, string> = {
  png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', gif: 'image/gif', webp: 'image/webp',
  heic: 'image/heic', heif: 'image/heif', pdf: 'application/pdf',
};

export function guessMimeType(url: string): string {
  const path = url.split(/[?#]/)[0] ?? '';
  const ext = /\.([a-z0-9]+)$/i.exec(path)?.[1]?.toLowerCase();
  return (ext !== undefined ? MIME_BY_EXT[ext] : undefined) ?? 'image/*';
}

function imagePart(p: ImagePart, warnings: Set<string>): GeminiPart {
  if (p.detail !== undefined) warnings.add('image detail is not supported by Gemini; ignored');
  if (p.source.kind === 'base64') return { inlineData: { mimeType: p.source.mediaType, data: p.source.data } };
  const dataUrl = /^data:([^;,]+);base64,(.*)$/s.exec(p.source.url);
  if (dataUrl) return { inlineData: { mimeType: dataUrl[1], data: dataUrl[2] } };
  return { fileData: { mimeType: guessMimeType(p.source.url), fileUri: p.source.url } };
}
