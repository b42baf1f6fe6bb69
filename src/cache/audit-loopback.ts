// The audit's fresh answer: the same canonical request sent to the gateway itself over loopback,
// as an OpenAI chat completion (encoded by the openai-chat egress format, as for any
// OpenAI-compatible upstream) with `cache-control: no-store`, so it bypasses the cache and goes
// through routing like any request. `x-modelplane-cache-audit: 1` marks it for the request line
// and the ledger: its cost is the audit's.

import { openaiChat } from '../formats/index.js';
import type { CanonicalRequest, CanonicalResponse } from '../spec/canonical.js';
import type { LoopbackTarget } from './route-embedder.js';

export function loopbackFreshAnswer(target: LoopbackTarget, timeoutMs = 120_000): (route: string, request: CanonicalRequest) => Promise<CanonicalResponse> {
  return async (route, request) => {
    if (target.url === undefined) throw new Error('the gateway is not listening yet');
    const key = target.key();
    const up = await openaiChat.buildRequest({ ...request, model: route, stream: false }, {
      deploymentId: 'cache-audit',
      model: route,
      baseUrl: `${target.url}/v1`,
      auth: key !== undefined ? 'bearer' : 'none',
      ...(key !== undefined ? { apiKey: key } : {}),
      quirks: {},
    });
    const res = await fetch(up.url, {
      method: 'POST',
      headers: { ...up.headers, 'cache-control': 'no-store', 'x-modelplane-cache-audit': '1' },
      body: up.body,
      signal: AbortSignal.timeout(timeoutMs),
    });
    const body = await res.text();
    if (!res.ok) throw new Error(`audit request answered ${res.status}: ${body.slice(0, 200)}`);
    return openaiChat.parseResponse(JSON.parse(body), { status: res.status, headers: Object.fromEntries(res.headers) });
  };
}
