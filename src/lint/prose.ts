// Prose mentions of models in comments (naming a model tier in a sentence): not an id a
// request could send, but a sign the code depends on one model. Reported at warning severity.
// The bare words for a vendor or a family (gpt, claude, llama) are not mentions on their own.

const PARTS = [
  '(?:claude[ -])?(?:opus|sonnet|haiku)(?:[ -]?[0-9]+(?:\\.[0-9]+)?)?',
  'claude[ -][0-9](?:\\.[0-9])?',
  'gpt[ -](?:[0-9](?:\\.[0-9]+)?o?)(?:[ -](?:turbo|mini|nano|pro))?',
  'gemini[ -](?:[0-9](?:\\.[0-9])?[ -])?(?:pro|flash|ultra|nano)',
  'llama[ -][0-9](?:\\.[0-9])?',
  'deepseek[ -](?:r[0-9]|v[0-9]|chat|reasoner|coder)',
  'mistral[ -](?:large|medium|small)',
  'qwen[ -][0-9](?:\\.[0-9])?',
  'grok[ -][0-9]',
  'kimi[ -]k[0-9]',
];

const PROSE = new RegExp(`\\b(?:${PARTS.join('|')})\\b`, 'gi');

export function* proseMentions(text: string, start: number, end: number): Generator<{ start: number; end: number; text: string }> {
  const body = text.slice(start, end);
  PROSE.lastIndex = 0;
  for (let m = PROSE.exec(body); m; m = PROSE.exec(body)) yield { start: start + m.index, end: start + m.index + m[0].length, text: m[0] };
}
