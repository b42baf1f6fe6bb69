// Builders for routing tests (here and in gateway/): complete snapshots with neutral defaults,
// so a test states only what it is about. Not used at runtime.

import type {
  CredentialSnapshot,
  DeploymentSnapshot,
  ProviderSnapshot,
  RequestClassSnapshot,
  RouteSnapshot,
  TargetPlan,
} from '../config/snapshot.js';
import type { CanonicalRequest } from '../spec/canonical.js';

type DeepPartialCaps = Partial<DeploymentSnapshot['capabilities']>;

export function testProvider(id: string, overrides: Partial<ProviderSnapshot> = {}): ProviderSnapshot {
  return {
    id,
    format: 'openai-chat',
    baseUrl: `https://${id}.invalid/v1`,
    auth: 'bearer',
    headers: {},
    query: {},
    quirks: {},
    credentials: [{ id: `${id}#0`, apiKey: `key-${id}-0` }],
    options: {},
    ...overrides,
  };
}

export interface TestDeploymentOptions extends Omit<Partial<DeploymentSnapshot>, 'capabilities' | 'provider'> {
  capabilities?: DeepPartialCaps;
  /** A provider id (a provider is built for it) or a provider snapshot. */
  provider?: string | ProviderSnapshot;
  /** Shorthand for `credentials`: that many keys named `<provider>#<n>`. */
  keys?: number;
}

export function testDeployment(id: string, options: TestDeploymentOptions = {}): DeploymentSnapshot {
  const { capabilities, provider: p, keys, ...rest } = options;
  const provider = typeof p === 'object' ? p : testProvider(p ?? `prov-${id}`);
  const credentials: CredentialSnapshot[] =
    keys !== undefined
      ? Array.from({ length: keys }, (_, n) => ({ id: `${provider.id}#${n}`, apiKey: `key-${provider.id}-${n}` }))
      : provider.credentials;
  return {
    id,
    provider,
    model: `model-${id}`,
    weight: 1,
    timeouts: { connectMs: 1_000, firstByteMs: 10_000, totalMs: 60_000 },
    capabilities: { tools: true, vision: true, jsonSchema: true, embeddings: false, prefill: false, ...capabilities },
    credentials,
    options: {},
    ...rest,
  };
}

export function testPlan(targets: DeploymentSnapshot[], overrides: Partial<TargetPlan> = {}): TargetPlan {
  return {
    strategy: 'ordered',
    targets,
    weights: targets.map((t) => t.weight),
    retry: { maxAttempts: 3, attemptsPerDeployment: 1, baseBackoffMs: 100, maxBackoffMs: 2_000 },
    deadlineMs: 60_000,
    fallbackOnContextLength: false,
    maxTokensAboveLimit: 'clamp',
    ...overrides,
  };
}

export function testRoute(
  name: string,
  targets: DeploymentSnapshot[],
  overrides: Partial<Omit<RouteSnapshot, 'targets'>> = {},
): RouteSnapshot {
  return { ...testPlan(targets), name, classes: [], exposeDeployment: true, kind: 'chat', resumeStreams: false, ...overrides };
}

export function testClass(
  name: string,
  when: RequestClassSnapshot['when'],
  targets: DeploymentSnapshot[],
  overrides: Partial<TargetPlan> = {},
): RequestClassSnapshot {
  return { ...testPlan(targets, overrides), name, when };
}

/** A one-message chat request; `text` sets the prompt (and so the token estimate). */
export function testRequest(text = 'hello', overrides: Partial<CanonicalRequest> = {}): CanonicalRequest {
  return {
    model: 'route',
    messages: [{ role: 'user', content: [{ type: 'text', text }] }],
    stream: false,
    ...overrides,
  };
}

/** Seeded uniform [0, 1) generator (mulberry32), for reproducible strategy tests. */
export function seededRng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
