// Egress: canonical messages -> OpenAI `messages`.
import type { CanonicalMessage, ImagePart, TextPart } from '../../spec/canonical.js';
import type { ProviderQuirks } from '../../spec/wire.js';

export type OpenAiContentPart =
  | { type: 'text'; text: string }
  | { type: 'image_url'; image_url: { url: string; detail?: string } };

export interface OpenAiMessage {
  role: 'system' | 'user' | 'assistant' | 'tool';
  content: string | OpenAiContentPart[] | null;
  name?: string;
  tool_calls?: Array<{ id: string; type: 'function'; function: { name: string; arguments: string } }>;
  tool_call_id?: string;
  reasoning_content?: string;
  reasoning?: string;
}

/** Collects warnings once per kind: a long history must not produce thousands of copies. */
export class Warnings {
  readonly list: string[] = [];
  add(message: string): void {
    // A handful of distinct kinds at most: a scan beats a Set allocated on every request.
    if (!this.list.includes(message)) this.list.push(message);
  }
}

const CACHE_WARNING = 'cacheControl markers dropped: openai-chat cannot express them';

function imageUrl(p: ImagePart): OpenAiContentPart {
  const url = p.source.kind === 'url' ? p.source.url : `data:${p.source.mediaType};base64,${p.source.data}`;
  return { type: 'image_url', image_url: p.detail === undefined ? { url } : { url, detail: p.detail } };
}

/** A plain string when the parts are all text (what every compatible server accepts). */
function userContent(parts: Array<TextPart | ImagePart>, w: Warnings): string | OpenAiContentPart[] {
  let allText = true;
  for (const p of parts) {
    if (p.cacheControl) w.add(CACHE_WARNING);
    if (p.type !== 'text') allText = false;
  }
  if (allText) return parts.length === 1 ? (parts[0] as TextPart).text : parts.map((p) => (p as TextPart).text).join('\n');
  return parts.map((p) => (p.type === 'text' ? { type: 'text', text: p.text } : imageUrl(p)));
}

export function convertMessages(messages: CanonicalMessage[], quirks: ProviderQuirks, w: Warnings): OpenAiMessage[] {
  const out: OpenAiMessage[] = [];
  for (const m of messages) {
    // Tool results become their own `tool` messages, whichever role carried them (Anthropic
    // ingress puts them in user messages); they go first, as they answer the previous turn.
    const rest: Array<TextPart | ImagePart> = [];
    let text = '';
    let hasText = false;
    let reasoning = '';
    const toolCalls: NonNullable<OpenAiMessage['tool_calls']> = [];
    for (const p of m.content) {
      switch (p.type) {
        case 'tool-result': {
          if (p.cacheControl) w.add(CACHE_WARNING);
          const texts: string[] = [];
          for (const c of p.content) {
            if (c.cacheControl) w.add(CACHE_WARNING);
            if (c.type === 'text') texts.push(c.text);
            else w.add('images in tool results dropped: openai-chat tool messages carry text only');
          }
          out.push({ role: 'tool', tool_call_id: p.toolCallId, content: texts.join('\n') });
          break;
        }
        case 'tool-call':
          if (p.cacheControl) w.add(CACHE_WARNING);
          toolCalls.push({ id: p.id, type: 'function', function: { name: p.name, arguments: p.arguments } });
          break;
        case 'reasoning':
          reasoning += p.text;
          break;
        case 'text':
          if (m.role === 'assistant' || m.role === 'system') {
            if (p.cacheControl) w.add(CACHE_WARNING);
            text = hasText && m.role === 'system' ? `${text}\n${p.text}` : text + p.text;
            hasText = true;
          } else rest.push(p);
          break;
        case 'image':
          if (m.role === 'user') rest.push(p);
          else w.add(`images in ${m.role} messages dropped: openai-chat accepts images from the user only`);
          break;
      }
    }
    let msg: OpenAiMessage | undefined;
    if (m.role === 'assistant') {
      msg = { role: 'assistant', content: hasText ? text : toolCalls.length > 0 ? null : '' };
      if (toolCalls.length > 0) msg.tool_calls = toolCalls;
      // Servers with a reasoning field want the previous reasoning back (DeepSeek tool loops);
      // others reject or ignore it.
      if (reasoning !== '' && quirks.reasoningField !== undefined) msg[quirks.reasoningField] = reasoning;
    } else if (m.role === 'system') {
      if (hasText) msg = { role: 'system', content: text };
    } else if (rest.length > 0) {
      msg = { role: m.role === 'tool' ? 'user' : m.role, content: userContent(rest, w) };
    }
    if (msg) {
      if (m.name !== undefined) msg.name = m.name;
      out.push(msg);
    }
  }
  return out;
}
