// Egress: canonical messages to Anthropic `system` + `messages`. Anthropic is stricter than the
// canonical form: one top-level system prompt, strictly alternating user/assistant turns, tool
// results inside user turns (first in the content), thinking blocks first in an assistant turn
// and only with a valid signature, no empty text blocks.
import type { CacheControl, CanonicalMessage, ContentPart, ImagePart, TextPart } from '../../spec/index.js';
import { parseToolInput } from './tool-input.js';

type Block = Record<string, unknown> & { type: string };

export interface AnthropicMessage {
  role: 'user' | 'assistant';
  content: Block[];
}

export interface ConvertedMessages {
  system?: Block[];
  messages: AnthropicMessage[];
}

function cc(c: CacheControl | undefined): { cache_control?: CacheControl } {
  return c === undefined ? {} : { cache_control: c.ttl === undefined ? { type: 'ephemeral' } : { type: 'ephemeral', ttl: c.ttl } };
}

function textBlock(p: TextPart): Block {
  return { type: 'text', text: p.text, ...cc(p.cacheControl) };
}

function imageBlock(p: ImagePart): Block {
  const source =
    p.source.kind === 'base64'
      ? { type: 'base64', media_type: p.source.mediaType, data: p.source.data }
      : { type: 'url', url: p.source.url };
  return { type: 'image', source, ...cc(p.cacheControl) };
}

function partToBlock(p: ContentPart, where: string, warnings: string[]): Block | undefined {
  switch (p.type) {
    case 'text':
      return p.text === '' ? undefined : textBlock(p);
    case 'image':
      return imageBlock(p);
    case 'reasoning':
      if (p.redacted !== undefined) return { type: 'redacted_thinking', data: p.redacted };
      // Anthropic rejects thinking it did not sign (e.g. reasoning from another provider).
      if (p.signature === undefined || p.signature === '') {
        if (p.text !== '') warnings.push(`${where}: reasoning without an Anthropic signature dropped`);
        return undefined;
      }
      return { type: 'thinking', thinking: p.text, signature: p.signature };
    case 'tool-call': {
      const { input, valid } = parseToolInput(p.arguments);
      if (!valid) warnings.push(`${where}: tool call ${p.id} arguments are not a JSON object; sent as {}`);
      return { type: 'tool_use', id: p.id, name: p.name, input, ...cc(p.cacheControl) };
    }
    case 'tool-result': {
      const content = p.content.flatMap((c) => (c.type === 'text' ? (c.text === '' ? [] : [textBlock(c)]) : [imageBlock(c)]));
      return {
        type: 'tool_result',
        tool_use_id: p.toolCallId,
        ...(content.length > 0 ? { content } : {}),
        ...(p.isError === true ? { is_error: true } : {}),
        ...cc(p.cacheControl),
      };
    }
  }
}

const isThinking = (b: Block) => b.type === 'thinking' || b.type === 'redacted_thinking';

export function convertMessages(messages: CanonicalMessage[], warnings: string[]): ConvertedMessages {
  const system: Block[] = [];
  const out: AnthropicMessage[] = [];
  let seenNonSystem = false;

  messages.forEach((m, i) => {
    const where = `messages.${i}`;
    if (m.role === 'system') {
      if (seenNonSystem) warnings.push(`${where}: system message moved into the top-level system prompt`);
      for (const p of m.content) {
        if (p.type === 'text') {
          if (p.text !== '') system.push(textBlock(p));
        } else warnings.push(`${where}: ${p.type} part in a system message dropped`);
      }
      return;
    }
    seenNonSystem = true;
    const role = m.role === 'assistant' ? 'assistant' : 'user';
    const blocks: Block[] = [];
    for (const p of m.content) {
      if (role === 'user' && (p.type === 'reasoning' || p.type === 'tool-call')) {
        warnings.push(`${where}: ${p.type} part in a ${m.role} message dropped`);
        continue;
      }
      if (role === 'assistant' && p.type === 'tool-result') {
        warnings.push(`${where}: tool-result part in an assistant message dropped`);
        continue;
      }
      const b = partToBlock(p, where, warnings);
      if (b !== undefined) blocks.push(b);
    }
    if (blocks.length === 0) return;
    const last = out[out.length - 1];
    // Anthropic requires alternation: consecutive same-role turns (e.g. tool results followed by
    // a user note, or two assistant messages) become one turn.
    if (last !== undefined && last.role === role) last.content.push(...blocks);
    else out.push({ role, content: blocks });
  });

  for (const m of out) {
    // Stable partitions: thinking leads an assistant turn, tool results lead a user turn.
    if (m.role === 'assistant') m.content = [...m.content.filter(isThinking), ...m.content.filter((b) => !isThinking(b))];
    else m.content = [...m.content.filter((b) => b.type === 'tool_result'), ...m.content.filter((b) => b.type !== 'tool_result')];
  }
  return system.length > 0 ? { system, messages: out } : { messages: out };
}
