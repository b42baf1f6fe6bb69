// Canonical messages -> Converse `system` + `messages` content blocks.
import type { CanonicalMessage, CacheControl, ContentPart, ImagePart, ToolResultPart } from '../../spec/index.js';
import { isObject, tryParseJson } from '../shared/json.js';

export type Block = Record<string, unknown>;
export interface BedrockMessage {
  role: 'user' | 'assistant';
  content: Block[];
}

const CACHE_POINT: Block = { cachePoint: { type: 'default' } };
const IMAGE_FORMATS: Record<string, string> = { 'image/png': 'png', 'image/jpeg': 'jpeg', 'image/jpg': 'jpeg', 'image/gif': 'gif', 'image/webp': 'webp' };

export interface ConvertedMessages {
  system: Block[];
  messages: BedrockMessage[];
  /** Tool names seen in tool-call parts (Converse needs a toolConfig whenever they appear). */
  toolNamesInHistory: Set<string>;
  hasToolBlocks: boolean;
}

export function convertMessages(messages: CanonicalMessage[], warnings: Set<string>): ConvertedMessages {
  const out: ConvertedMessages = { system: [], messages: [], toolNamesInHistory: new Set(), hasToolBlocks: false };
  for (const msg of messages) {
    if (msg.role === 'system') {
      for (const p of msg.content) {
        if (p.type !== 'text') {
          warnings.add(`system ${p.type} parts are not supported by Bedrock Converse; dropped`);
          continue;
        }
        out.system.push({ text: p.text });
        if (p.cacheControl) out.system.push(cachePoint(p.cacheControl, warnings));
      }
      continue;
    }
    // Converse has no tool role: tool results are user content.
    const role = msg.role === 'assistant' ? 'assistant' : 'user';
    const blocks: Block[] = [];
    for (const p of msg.content) {
      const block = convertPart(p, role, out, warnings);
      if (block === undefined) continue;
      blocks.push(block);
      if ('cacheControl' in p && p.cacheControl) blocks.push(cachePoint(p.cacheControl, warnings));
    }
    if (blocks.length === 0) continue;
    const last = out.messages[out.messages.length - 1];
    if (last && last.role === role) last.content.push(...blocks);
    else out.messages.push({ role, content: blocks });
  }
  return out;
}

function cachePoint(cc: CacheControl, warnings: Set<string>): Block {
  if (cc.ttl !== undefined) warnings.add('cacheControl.ttl is not supported by Bedrock Converse; default TTL used');
  return CACHE_POINT;
}

function convertPart(p: ContentPart, role: 'user' | 'assistant', state: ConvertedMessages, warnings: Set<string>): Block | undefined {
  switch (p.type) {
    case 'text':
      // Converse rejects blank text blocks.
      return p.text.trim() === '' ? undefined : { text: p.text };
    case 'image':
      return imageBlock(p, warnings);
    case 'reasoning':
      if (role !== 'assistant') return undefined;
      if (p.redacted !== undefined) return { reasoningContent: { redactedContent: p.redacted } };
      if (p.signature === undefined) {
        // Bedrock's thinking models reject unsigned reasoning on the way back.
        warnings.add('reasoning without a signature cannot be sent to Bedrock Converse; dropped');
        return undefined;
      }
      return { reasoningContent: { reasoningText: { text: p.text, signature: p.signature } } };
    case 'tool-call': {
      if (role !== 'assistant') {
        warnings.add('tool calls outside assistant messages are not supported; dropped');
        return undefined;
      }
      state.hasToolBlocks = true;
      state.toolNamesInHistory.add(p.name);
      return { toolUse: { toolUseId: p.id, name: p.name, input: parseInput(p.arguments, p.name, warnings) } };
    }
    case 'tool-result':
      if (role !== 'user') {
        warnings.add('tool results in an assistant message are not supported; dropped');
        return undefined;
      }
      state.hasToolBlocks = true;
      return toolResultBlock(p, warnings);
  }
}

function parseInput(text: string, name: string, warnings: Set<string>): unknown {
  if (text.trim() === '') return {};
  const v = tryParseJson(text);
  if (isObject(v)) return v;
  warnings.add(`tool call ${name}: arguments are not a JSON object; sent as {}`);
  return {};
}

function toolResultBlock(p: ToolResultPart, warnings: Set<string>): Block {
  const content: Block[] = [];
  for (const c of p.content) {
    if (c.type === 'text') content.push({ text: c.text });
    else {
      const img = imageBlock(c, warnings);
      if (img) content.push(img);
    }
  }
  if (content.length === 0) content.push({ text: '' });
  const result: Record<string, unknown> = { toolUseId: p.toolCallId, content };
  if (p.isError) result.status = 'error';
  return { toolResult: result };
}

function imageBlock(p: ImagePart, warnings: Set<string>): Block | undefined {
  let mediaType: string;
  let data: string;
  if (p.source.kind === 'base64') {
    mediaType = p.source.mediaType;
    data = p.source.data;
  } else {
    const m = /^data:([^;,]+);base64,(.*)$/s.exec(p.source.url);
    if (!m || m[1] === undefined || m[2] === undefined) {
      warnings.add('image URLs are not supported by Bedrock Converse (base64 only); image dropped');
      return undefined;
    }
    mediaType = m[1];
    data = m[2];
  }
  const format = IMAGE_FORMATS[mediaType.toLowerCase()];
  if (format === undefined) {
    warnings.add(`image type ${mediaType} is not supported by Bedrock Converse; image dropped`);
    return undefined;
  }
  return { image: { format, source: { bytes: data } } };
}
