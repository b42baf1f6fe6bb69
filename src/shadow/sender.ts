// Sends one mirrored request to a candidate deployment, outside the request pipeline: no stage
// runs on it (no budget, no cache, no second shadow), no request line is written for it, and the
// router's health is not fed (a failing candidate must not open breakers the primary shares).
// Always non-streaming: nobody is waiting for its bytes.
import type { DeploymentSnapshot } from '../config/snapshot.js';
import { egressFormats } from '../formats/index.js';
import type { AttemptAbort } from '../gateway/cancel.js';
import { egressTarget } from '../gateway/target.js';
import { callUpstreamBuffered, transportError } from '../gateway/upstream.js';
import { priceUsd } from '../evals/price.js';
import type { CanonicalRequest, CanonicalResponse } from '../spec/canonical.js';
import { GatewayError } from '../spec/errors.js';
import type { Answered } from './compare.js';

export interface ShadowSender {
  /** `abort` is the extension's: aborted when the gateway closes, so shutdown does not wait on a slow candidate. */
  send(d: DeploymentSnapshot, request: CanonicalRequest, timeoutMs: number, abort: AttemptAbort): Promise<Answered>;
}

export function responseText(r: CanonicalResponse): string {
  let s = '';
  for (const p of r.content) if (p.type === 'text') s += p.text;
  return s;
}

export const egressSender: ShadowSender = {
  async send(d, request, timeoutMs, abort) {
    const t0 = performance.now();
    const fmt = egressFormats[d.provider.format];
    const fail = (e: unknown): Answered => ({ text: '', latencyMs: performance.now() - t0, error: e instanceof GatewayError ? e.code : transportError(e, `shadow to ${d.id}`, d.timeouts).code });
    if (!fmt) return fail(new GatewayError('internal_error', `no egress translator for ${d.provider.format}`));
    try {
      const req = await fmt.buildRequest({ ...request, stream: false }, egressTarget(d, d.credentials[0]));
      const timeouts = { connectMs: Math.min(d.timeouts.connectMs, timeoutMs), firstByteMs: Math.min(d.timeouts.firstByteMs, timeoutMs), totalMs: Math.min(d.timeouts.totalMs, timeoutMs) };
      const up = await callUpstreamBuffered(req, timeouts, abort, `shadow to deployment ${d.id}`);
      const text = up.body.toString('utf8');
      const meta = { status: up.status, headers: up.headers };
      if (up.status < 200 || up.status >= 300) return fail(fmt.parseError(text, meta));
      const response = fmt.parseResponse(JSON.parse(text), meta);
      const out: Answered = { text: responseText(response), latencyMs: performance.now() - t0 };
      if (response.usage) {
        out.inputTokens = response.usage.inputTokens;
        out.outputTokens = response.usage.outputTokens;
        const cost = priceUsd(d.price, response.usage.inputTokens, response.usage.outputTokens);
        if (cost !== undefined) out.costUsd = cost;
      }
      return out;
    } catch (e) {
      return fail(e);
    }
  },
};
