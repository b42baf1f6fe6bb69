// The request context: one `Call` per inbound request, created by the server and read by every
// stage, attempt, stream tap and after-hook. Everything a consumer (the request line, spend,
// metrics, the cache, shadow traffic) needs about a request lives here, in one place, so a new
// capability reads the call instead of growing a new call site in the pipeline.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CanonicalRequest, CanonicalResponse, CanonicalEvent, EmbeddingRequest, EmbeddingResponse, FinishReason, Usage } from '../spec/canonical.js';
import type { GatewayError } from '../spec/errors.js';
import type { DeploymentSnapshot, RouteSnapshot, Snapshot, RoutingPolicy } from '../config/snapshot.js';
import type { RequestNeeds } from '../routing/estimate.js';
import type { Attempt } from '../routing/index.js';
import type { Cancellation } from './cancel.js';

/** One inbound HTTP exchange, as the server hands it to the pipeline. */
export interface Exchange {
  req: IncomingMessage;
  res: ServerResponse;
  requestId: string;
  /** `x-request-id` (and whatever the endpoint adds, e.g. Anthropic's `request-id`), sent with every status line. */
  idHeaders: readonly string[];
  startedAt: number;
  /** The snapshot the request arrived under; kept to the end even across a reload. */
  snapshot: Snapshot;
  /** Cancelled when the client goes away: aborts upstream work. */
  cancel: Cancellation;
  /**
   * The gateway's clock (ms since epoch): every time the pipeline hands to routing (plans,
   * verdicts, health) comes from it, so tests can inject one instead of sleeping past cooldowns.
   */
  clock: () => number;
}

/**
 * Who is calling. `open` when no key is configured, `master` for `auth.master_key`, `key` for a
 * virtual key (tenants). Attribution fields are filled by whoever authenticates the caller.
 */
export interface Caller {
  kind: 'open' | 'master' | 'admin' | 'key';
  keyId?: string;
  team?: string;
  customer?: string;
  agent?: string;
  workflow?: string;
}

export const OPEN_CALLER: Caller = Object.freeze({ kind: 'open' }) as Caller;
export const MASTER_CALLER: Caller = Object.freeze({ kind: 'master' }) as Caller;
export const ADMIN_CALLER: Caller = Object.freeze({ kind: 'admin' }) as Caller;

/** What the attempt loop records as it goes: read by headers and the request line. */
export interface AttemptTrace {
  attempts: number;
  /** Error codes of the failed attempts, in order (`hedged` marks a hedge). */
  failures: string[];
  /** Fields dropped because the target format cannot express them. */
  warnings: string[];
  className?: string;
}

/**
 * The one record of how the request ended, filled as it happens and read by every after-hook.
 * `status` is what the client got (499 when it left first).
 */
export interface Outcome {
  status: number;
  /** The attempt whose answer the client got (undefined for an answer without one, e.g. a cache hit). */
  attempt?: Attempt;
  /** The attempt the response headers named, when a stream later fell back to another. */
  committedAttempt?: Attempt;
  usage?: Usage;
  finish?: FinishReason;
  ttftMs?: number;
  error?: GatewayError;
  /** Times the stream was resumed on another deployment. */
  resumed?: number;
  /** Cache outcome (`hit`, `miss`, `bypass`, ...), set by a cache stage. */
  cache?: string;
  /** What the answer cost, set by whoever prices it. */
  costUsd?: number;
  /** A cache hit: what the cached answer cost when it was first asked (the USD the hit saved). */
  cacheSavedUsd?: number;
  /** The tier an auto route chose, and the router's score behind the choice. */
  tier?: string;
  routerScore?: number;
  /** Cascade escalations, e.g. `small:invalid-json`. */
  escalations?: string[];
  /** What the answers the cascade replaced cost (USD at their deployments' prices), when priced. */
  escalationCostUsd?: number;
  /** The W3C trace id of the request's span, when tracing is on (the request line carries it). */
  traceId?: string;
  /** With `logging.log_bodies`: the prompt (canonical messages) and the completion text. */
  prompt?: unknown;
  completion?: string;
}

/** What an endpoint is, for stages that apply to some endpoints only. */
export type EndpointKind = 'chat' | 'embeddings' | 'count_tokens' | 'models' | 'admin' | 'probe';

export interface Call {
  readonly ex: Exchange;
  /** The endpoint's kind and its wire format's name (the log's `format`). */
  readonly endpoint: EndpointKind;
  readonly format: string;
  caller: Caller;
  /** Decoded request: chat-like endpoints and embeddings. */
  request?: CanonicalRequest | EmbeddingRequest;
  route?: RouteSnapshot;
  /** Computed once from the request (token estimate, capabilities), read by the planner and admission. */
  needs?: RequestNeeds;
  /**
   * The routing policy for this call, chosen by a planning stage (e.g. the auto router picks a
   * tier's); without one the planner uses the route's own (or a request class's).
   */
  policy?: RoutingPolicy;
  /**
   * Policies to escalate to, in order, when the answer under `policy` fails a cascade check (auto
   * routes with `cascade: true`; non-streaming requests only).
   */
  cascade?: Array<{ name: string; plan: RoutingPolicy }>;
  /** The request's data-sensitivity tier, when the policy gives it one (set by tenancy admission; read by body capture). */
  sensitivity?: string;
  /** Planner filter applied before routing: a returned reason excludes the deployment. */
  exclude?: (d: DeploymentSnapshot) => string | undefined;
  /** Extra response headers `[name, value, ...]`, written at commit and on errors. */
  readonly headers: string[];
  /**
   * Adds headers to each upstream request of this call, per attempt (trace propagation: the
   * attempt's own `traceparent`). Set by a stage; undefined for almost every call.
   */
  upstreamHeaders?: (attempt: Attempt, headers: Record<string, string>) => void;
  readonly trace: AttemptTrace;
  readonly outcome: Outcome;
  /** Per-extension state, keyed by each extension's own symbol. */
  [local: symbol]: unknown;
}

export function newCall(ex: Exchange, endpoint: EndpointKind, format: string): Call {
  return {
    ex,
    endpoint,
    format,
    caller: OPEN_CALLER,
    headers: [],
    trace: { attempts: 0, failures: [], warnings: [] },
    outcome: { status: 200 },
  };
}

/**
 * What a producer (or a stage answering by itself) hands back. None requires an attempt: a cache
 * hit or a refusal is an answer too.
 */
export type Answer =
  | { kind: 'response'; response: CanonicalResponse }
  | { kind: 'stream'; events: AsyncIterable<CanonicalEvent> }
  | { kind: 'embeddings'; response: EmbeddingResponse }
  | { kind: 'json'; status: number; body: unknown };

export function isChatRequest(r: CanonicalRequest | EmbeddingRequest | undefined): r is CanonicalRequest {
  return r !== undefined && 'messages' in r;
}
