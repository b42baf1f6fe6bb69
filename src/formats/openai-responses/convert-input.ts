// Responses `input` items -> canonical messages.
//
// The Responses API has no assistant "turn": reasoning, message and function_call items are
// siblings. Canonical (and Anthropic, Gemini) need them grouped, so consecutive assistant-side
// items merge into one assistant message, in order; a function_call_output closes the turn.
import type { CanonicalMessage, ContentPart, ImagePart, TextPart } from '../../spec/canonical.js';
import { GatewayError } from '../../spec/errors.js';
import { imageSourceFromUrl } from '../shared/data-url.js';
import type { InputItem, UserPart } from './schema.js';

/** Marks Anthropic `redacted_thinking` data carried in a reasoning item's `encrypted_content`. */
export const REDACTED_PREFIX = 'modelplane.redacted:';

export function convertItems(items: readonly InputItem[], where: (i: number) => string = (i) => `input[${i}]`): CanonicalMessage[] {
  const out: CanonicalMessage[] = [];
  // Tool results carry the tool name when the call is in the history: Gemini needs it.
  const toolNames = new Map<string, string>();
  let assistant: CanonicalMessage | undefined;
  const pushAssistant = (part: ContentPart) => {
    if (assistant === undefined || out[out.length - 1] !== assistant) {
      assistant = { role: 'assistant', content: [] };
      out.push(assistant);
    }
    assistant.content.push(part);
  };

  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    switch (item.type) {
      case undefined:
      case 'message':
        if (item.role === 'assistant') {
          for (const text of assistantTexts(item.content)) pushAssistant({ type: 'text', text });
        } else if (item.role === 'user') {
          out.push({ role: 'user', content: userParts(item.content, `${where(i)}.content`) });
        } else {
          const content: TextPart[] = typeof item.content === 'string' ? [{ type: 'text', text: item.content }] : item.content.map((p) => ({ type: 'text', text: p.text }));
          out.push({ role: 'system', content });
        }
        break;
      case 'reasoning':
        pushAssistant(reasoningPart(item));
        break;
      case 'function_call':
        toolNames.set(item.call_id, item.name);
        pushAssistant({ type: 'tool-call', id: item.call_id, name: item.name, arguments: item.arguments });
        break;
      case 'function_call_output': {
        const content = typeof item.output === 'string' ? [{ type: 'text' as const, text: item.output }] : userParts(item.output, `${where(i)}.output`);
        const result: ContentPart = { type: 'tool-result', toolCallId: item.call_id, content };
        const name = toolNames.get(item.call_id);
        if (name !== undefined) result.name = name;
        out.push({ role: 'tool', content: [result] });
        break;
      }
    }
  }
  return out;
}

function assistantTexts(content: string | Array<{ type: string; text?: string; refusal?: string }>): string[] {
  if (typeof content === 'string') return [content];
  return content.map((p) => p.text ?? p.refusal ?? '');
}

function reasoningPart(item: Extract<InputItem, { type: 'reasoning' }>): ContentPart {
  const enc = item.encrypted_content ?? undefined;
  if (enc !== undefined && enc.startsWith(REDACTED_PREFIX)) {
    return { type: 'reasoning', text: '', redacted: enc.slice(REDACTED_PREFIX.length) };
  }
  // Full reasoning text when a client echoes it, else the summary: both are what the model said.
  const source = item.content?.length ? item.content : (item.summary ?? []);
  const part: ContentPart = { type: 'reasoning', text: source.map((s) => s.text).join('\n\n') };
  if (enc !== undefined && enc !== '') part.signature = enc;
  return part;
}

function userParts(content: string | UserPart[], where: string): Array<TextPart | ImagePart> {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  const out: Array<TextPart | ImagePart> = [];
  for (let j = 0; j < content.length; j++) {
    const p = content[j]!;
    const param = `${where}[${j}]`;
    switch (p.type) {
      case 'input_text':
        out.push({ type: 'text', text: p.text });
        break;
      case 'input_image': {
        if (p.image_url == null) {
          throw new GatewayError('unsupported_capability', `${param}.file_id: images by file id are not supported; send image_url (an https or data: URL)`, { param: `${param}.file_id` });
        }
        const image: ImagePart = { type: 'image', source: imageSourceFromUrl(p.image_url) };
        if (p.detail != null) image.detail = p.detail;
        out.push(image);
        break;
      }
      default:
        throw new GatewayError('unsupported_capability', `${param}.type: '${p.type}' content is not supported; send input_text or input_image`, { param: `${param}.type` });
    }
  }
  return out;
}
