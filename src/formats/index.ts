// Every wire format the gateway knows, by name. Ingress formats are what clients speak;
// egress formats are what providers speak.
import type { EgressFormat, IngressFormat, WireFormatName } from '../spec/wire.js';
import { openaiChat } from './openai-chat/index.js';
import { anthropicMessages } from './anthropic-messages/index.js';
import { gemini } from './gemini/index.js';
import { bedrockConverse } from './bedrock-converse/index.js';

export const egressFormats: Readonly<Partial<Record<WireFormatName, EgressFormat>>> = {
  'openai-chat': openaiChat,
  'anthropic-messages': anthropicMessages,
  gemini,
  'bedrock-converse': bedrockConverse,
};

export const ingressFormats: Readonly<Partial<Record<WireFormatName, IngressFormat>>> = {
  'openai-chat': openaiChat,
  'anthropic-messages': anthropicMessages,
};

export { openaiChat, anthropicMessages, gemini, bedrockConverse };
