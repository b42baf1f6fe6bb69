// Attempt (deployment + credential) -> EgressTarget, the plain data an egress format needs.
import type { EgressTarget } from '../spec/wire.js';
import type { CredentialSnapshot, DeploymentSnapshot } from '../config/snapshot.js';

const cache = new WeakMap<DeploymentSnapshot, WeakMap<CredentialSnapshot, EgressTarget>>();

const NO_CREDENTIAL: CredentialSnapshot = { id: 'none' };

export function egressTarget(d: DeploymentSnapshot, credential: CredentialSnapshot | undefined): EgressTarget {
  const c = credential ?? NO_CREDENTIAL;
  // Snapshots are immutable, so the target for a (deployment, credential) pair can be built once.
  let byCred = cache.get(d);
  if (!byCred) cache.set(d, (byCred = new WeakMap()));
  let t = byCred.get(c);
  if (t) return t;
  const p = d.provider;
  t = {
    deploymentId: d.id,
    model: d.model,
    baseUrl: p.baseUrl,
    auth: p.auth,
    headers: p.headers,
    query: p.query,
    quirks: p.quirks,
    options: d.options,
  };
  if (c.apiKey !== undefined) t.apiKey = c.apiKey;
  if (c.aws !== undefined) t.aws = c.aws;
  if (p.region !== undefined) t.region = p.region;
  if (d.capabilities.maxOutputTokens !== undefined) t.maxOutputTokens = d.capabilities.maxOutputTokens;
  const maxTokens = d.defaultMaxTokens ?? d.capabilities.maxOutputTokens;
  if (maxTokens !== undefined) t.defaultMaxTokens = d.defaultMaxTokens ?? Math.min(maxTokens, 4096);
  byCred.set(c, t);
  return t;
}
