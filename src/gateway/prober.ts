// Optional active health probes (deployment `probe: { interval, timeout }`): a one-token request
// on a timer, fed into the same breakers as real traffic, so a deployment that went down while
// idle is known before a user request finds out, and one that came back is closed again without
// waiting for a user request to be the half-open trial. Off by default: probes cost tokens.

import type { CanonicalRequest } from '../spec/canonical.js';
import { GatewayError } from '../spec/errors.js';
import type { DeploymentSnapshot, Snapshot } from '../config/snapshot.js';
import type { Logger } from '../telemetry/log.js';
import { AttemptAbort } from './cancel.js';
import type { EgressRegistry } from './attempts.js';
import type { Attempt, Router } from './router.js';
import { egressTarget } from './target.js';
import { redactorFor, sanitizeUpstreamError } from './redact.js';
import { callUpstream, transportError } from './upstream.js';

const PING: CanonicalRequest = { model: 'probe', messages: [{ role: 'user', content: [{ type: 'text', text: 'ping' }] }], maxTokens: 1, stream: false };

export async function probeOnce(d: DeploymentSnapshot, router: Router, egress: EgressRegistry, timeoutMs: number, clock: () => number = Date.now): Promise<GatewayError | undefined> {
  const credential = d.credentials[0];
  const attempt: Attempt = {
    deployment: d,
    credential,
    ref: { providerId: d.provider.id, deploymentId: d.id, ...(credential ? { credentialId: credential.id } : {}) },
    index: 0,
    delayMs: 0,
    kind: 'probe',
  };
  const fmt = egress[d.provider.format];
  if (!fmt) return new GatewayError('internal_error', `no egress translator for ${d.provider.format}`);
  // An open breaker is left alone until its cooldown ends; then the probe is its half-open trial.
  if (!router.tryAcquire(attempt, clock())) return undefined;
  const t0 = clock();
  router.started(attempt);
  try {
    const req = await fmt.buildRequest(PING, egressTarget(d, credential));
    const timeouts = { connectMs: Math.min(d.timeouts.connectMs, timeoutMs), firstByteMs: timeoutMs, totalMs: timeoutMs };
    const up = await callUpstream(req, timeouts, new AttemptAbort(), `probe of deployment ${d.id}`, d.upstreamLimits);
    try {
      const text = await up.body.text();
      if (up.status < 200 || up.status >= 300) throw fmt.parseError(text, { status: up.status, headers: up.headers });
    } finally {
      up.release();
    }
    router.succeeded(attempt, clock() - t0, undefined, clock());
    return undefined;
  } catch (e) {
    const err = e instanceof GatewayError ? e : transportError(e, `probe of deployment ${d.id}`, d.timeouts);
    router.failed(attempt, err, clock());
    return err;
  }
}

/** Runs the probes of the current snapshot; `reset` re-reads the snapshot after a reload. */
export class Prober {
  private timers: NodeJS.Timeout[] = [];

  constructor(
    private readonly router: Router,
    private readonly egress: EgressRegistry,
    private readonly log: Logger,
    private readonly clock: () => number = Date.now,
  ) {}

  reset(snapshot: Snapshot): void {
    this.stop();
    // A probe's failure text is an upstream's words: redacted before it is logged.
    const redactor = redactorFor(snapshot);
    for (const d of snapshot.deployments.values()) {
      if (!d.probe) continue;
      const { intervalMs, timeoutMs } = d.probe;
      const t = setInterval(() => {
        void probeOnce(d, this.router, this.egress, timeoutMs, this.clock).then((err) => {
          if (err) this.log.debug({ deployment: d.id, error: err.code, error_message: sanitizeUpstreamError(err, redactor).message }, 'probe failed');
        });
      }, intervalMs);
      t.unref();
      this.timers.push(t);
    }
  }

  stop(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
  }
}
