import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { createOpenAI } from '@ai-sdk/openai';

// Docs: https://platform.openai.com/docs/models/gpt-4o and https://docs.anthropic.com/en/docs/about-claude/models
const client = new OpenAI({ baseURL: process.env.GATEWAY_URL });

export async function summarise(text: string) {
  // TODO: switch to sonnet once the budget allows; gpt is fine for now
  const res = await client.chat.completions.create({
    model: 'gpt-4o-mini',
    messages: [{ role: 'user', content: `Summarise: ${text}` }],
  });
  return res.choices[0]?.message.content;
}

export const FALLBACKS = ["claude-3-5-haiku-20241022", 'gemini-2.0-flash-lite'];
const tier = 'mini';
export const dynamic = `gpt-4.1-${tier}`;
export const version = '4.1.0';
export const anthropicVersion = '2023-06-01';
const sdk = createOpenAI({ compatibility: 'strict' });
/* Previously we called o1-preview directly; see ADR-12. */
export const REASONER = { model: 'o3', effort: 'high' };
export const label = 'o3'; // a CSS class, not a model
export { sdk, Anthropic };
