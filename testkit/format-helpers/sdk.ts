// Test-only: an official openai SDK client with no network, whose every call is answered with
// the given SSE body, so format tests can check what real SDK code makes of our encoded streams.
import OpenAI from 'openai';

export function openaiClientServing(body: string): OpenAI {
  return new OpenAI({
    apiKey: 'test-key',
    baseURL: 'http://gateway.invalid/v1',
    maxRetries: 0,
    fetch: async () => new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream' } }),
  });
}
