// Every wire format the gateway knows, by name. Ingress formats are what clients speak;
// egress formats are what providers speak.
import type { EgressFormat, IngressFormat, WireFormatName } from '../spec/wire.js';
import { openaiChat } from './openai-chat/index.js';
import { anthropicMessages } from './anthropic-messages/index.js';
import { gemini } from './gemini/index.js';
import { bedrockConverse } from './bedrock-converse/index.js';
import { withOutputLimit } from './output-limit.js';

export const egressFormats: Readonly<Partial<Record<WireFormatName, EgressFormat>>> = {
  'openai-chat': withOutputLimit(openaiChat),
  'anthropic-messages': withOutputLimit(anthropicMessages),
  gemini: withOutputLimit(gemini),
  'bedrock-converse': withOutputLimit(bedrockConverse),
};

export const ingressFormats: Readonly<Partial<Record<WireFormatName, IngressFormat>>> = {
  'openai-chat': openaiChat,
  'anthropic-messages': anthropicMessages,
};

export { openaiChat, anthropicMessages, gemini, bedrockConverse };
