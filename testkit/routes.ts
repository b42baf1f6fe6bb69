// Maps a request path to a protocol module, a provider family, an operation and a canonical path
// (the scope faults and stats are keyed by). Unprefixed `/v1/...` paths mean OpenAI, except
// `/v1/messages`, which only Anthropic has.

import { anthropicProtocol } from './providers/anthropic.js';
import { bedrockProtocol } from './providers/bedrock.js';
import { geminiProtocol } from './providers/gemini.js';
import { openaiProtocol } from './providers/openai.js';
import type { ProtocolModule } from './types.js';

export interface Route {
  mod: ProtocolModule;
  family: string;
  /** `/openai`, `/anthropic`, `/gemini`, … */
  scope: string;
  op: string;
  pathModel?: string;
  /** The path with the scope prefix, even when the request came without it. */
  canonicalPath: string;
}

const GEMINI = /^\/(?:v1|v1beta|v1alpha)\/models\/([^/:]+):(generateContent|streamGenerateContent|embedContent|batchEmbedContents|countTokens)$/;
const VERTEX =
  /^\/(?:v1|v1beta1)\/projects\/[^/]+\/locations\/[^/]+\/publishers\/google\/models\/([^/:]+):(generateContent|streamGenerateContent|countTokens)$/;
const BEDROCK = /^\/model\/(.+)\/(converse|converse-stream)$/;

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function anthropicOp(rest: string): string | undefined {
  if (rest === '/v1/messages') return 'messages';
  if (rest === '/v1/messages/count_tokens') return 'count_tokens';
  return undefined;
}

function openaiOp(rest: string): string | undefined {
  // DeepSeek documents its base URL without /v1; accept both spellings for every family.
  if (rest === '/v1/chat/completions' || rest === '/chat/completions') return 'chat';
  if (rest === '/v1/embeddings' || rest === '/embeddings') return 'embeddings';
  return undefined;
}

function make(mod: ProtocolModule, family: string, op: string, rest: string, pathModel?: string): Route {
  const scope = `/${family}`;
  const r: Route = { mod, family, scope, op, canonicalPath: scope + rest };
  if (pathModel !== undefined) r.pathModel = pathModel;
  return r;
}

export function route(method: string | undefined, pathname: string): Route | undefined {
  if (method !== 'POST') return undefined;
  if (pathname.startsWith('/v1/')) {
    const aop = anthropicOp(pathname);
    if (aop) return make(anthropicProtocol, 'anthropic', aop, pathname);
    const oop = openaiOp(pathname);
    return oop ? make(openaiProtocol, 'openai', oop, pathname) : undefined;
  }
  const slash = pathname.indexOf('/', 1);
  if (slash === -1) return undefined;
  const family = pathname.slice(1, slash).toLowerCase();
  const rest = pathname.slice(slash);
  switch (family) {
    case 'anthropic': {
      const op = anthropicOp(rest);
      return op ? make(anthropicProtocol, family, op, rest) : undefined;
    }
    case 'gemini':
    case 'vertex': {
      const m = (family === 'gemini' ? GEMINI : VERTEX).exec(rest);
      return m ? make(geminiProtocol, family, m[2]!, rest, decode(m[1]!)) : undefined;
    }
    case 'bedrock': {
      const m = BEDROCK.exec(rest);
      return m ? make(bedrockProtocol, family, m[2]!, rest, decode(m[1]!)) : undefined;
    }
    default: {
      if (!/^[a-z0-9][a-z0-9._-]*$/.test(family) || family === '__sim') return undefined;
      const op = openaiOp(rest);
      return op ? make(openaiProtocol, family, op, rest) : undefined;
    }
  }
}
