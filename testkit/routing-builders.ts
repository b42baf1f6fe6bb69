// Builders for routing tests (src/routing/ and src/gateway/ tests): complete snapshots with
// neutral defaults, so a test states only what it is about. Test code only: src/ never imports it.

import type {
  CredentialSnapshot,
  DeploymentSnapshot,
  ProviderSnapshot,
  RequestClassSnapshot,
  RouteSnapshot,
  RoutingPolicy,
} from '../src/config/snapshot.js';
import type { CanonicalRequest } from '../src/spec/canonical.js';
import { mulberry32 } from './prng.js';

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

export function testPlan(targets: DeploymentSnapshot[], overrides: Partial<RoutingPolicy> = {}): RoutingPolicy {
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
  overrides: Partial<RoutingPolicy> = {},
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
export const seededRng: (seed: number) => () => number = mulberry32;
