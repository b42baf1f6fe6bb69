// The warning for request fields that only one wire format understands (carried in
// `providerOptions[format]`) when the request goes to another format. It names the fields the
// caller wrote, not our internal bucket: `functions` is what the caller sent, and for the
// legacy OpenAI functions API it says what to use instead.

const LEGACY_REPLACEMENTS: Record<string, string> = {
  functions: 'the legacy OpenAI functions API; use tools',
  function_call: 'the legacy OpenAI functions API; use tool_choice',
};

/** e.g. `providerOptions.openai-chat dropped: anthropic-messages cannot express functions (the legacy OpenAI functions API; use tools)`. */
export function droppedOptionsWarning(family: string, options: unknown, target: string): string {
  const keys = options !== null && typeof options === 'object' ? Object.keys(options) : [];
  if (keys.length === 0) return `providerOptions.${family} dropped: not understood by ${target}`;
  const named = keys.map((k) => (LEGACY_REPLACEMENTS[k] ? `${k} (${LEGACY_REPLACEMENTS[k]})` : k));
  return `providerOptions.${family} dropped: ${target} cannot express ${named.join(', ')}`;
}
