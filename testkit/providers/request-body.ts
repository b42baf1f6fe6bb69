// Reading the request bodies the simulated providers receive: untyped JSON from the gateway
// (or any client), read defensively so a malformed body yields empty text, never a throw.

export type Obj = Record<string, unknown>;

export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `body.messages` (OpenAI, Anthropic and Bedrock all use that name), objects only. */
export function messagesOf(body: unknown): Obj[] {
  return isObj(body) && Array.isArray(body.messages) ? body.messages.filter(isObj) : [];
}

/** The text of the last `role: 'user'` message, read with the protocol's own content reader. */
export function lastUserTextOf(body: unknown, textOf: (content: unknown) => string): string | undefined {
  const msgs = messagesOf(body);
  for (let i = msgs.length - 1; i >= 0; i--) if (msgs[i]!.role === 'user') return textOf(msgs[i]!.content);
  return undefined;
}
