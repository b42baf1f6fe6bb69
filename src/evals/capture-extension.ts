// Sampled body capture as an Extension. A route's `capture: { sample, retention, max_bytes }`
// keeps a sampled share of its chat requests (the prompt, and the answer the client was served)
// in the embedded store, so `modelplane eval capture` can turn real traffic into a suite. The
// stage only marks the call (a tap collects streamed text); the after-hook redacts and queues the
// record; the store writes behind on a timer. Never captured: a request of a restricted
// sensitivity tier the route does not list in `capture.tiers`, an eval run (pinned), a failed
// request, a conversation that is not plain text, one larger than `max_record_bytes`.
import { isChatRequest, type Call } from '../gateway/call.js';
import type { Extension } from '../gateway/extension.js';
import { jsonEndpoint } from '../gateway/endpoints/json.js';
import type { EndpointSpec } from '../gateway/endpoint.js';
import type { CanonicalRequest, CanonicalResponse } from '../spec/canonical.js';
import type { Snapshot } from '../config/snapshot.js';
import { plainMessages } from './capture.js';
import { captureRedactor } from './capture-redact.js';
import type { CaptureRecord, SqliteCaptureStore } from './capture-store.js';
import { TARGET_HEADER } from './target-pin.js';

const CAPTURE = Symbol('capture');

type Skip = 'sensitivity' | 'unsupported' | 'too_large' | 'failed';

interface Counts {
  sampled: number;
  captured: number;
  redacted: number;
  skipped: Record<Skip, number>;
}

export interface CaptureOptions {
  store: SqliteCaptureStore;
  /** In [0, 1); injectable so tests sample deterministically. */
  random?: () => number;
  now?: () => number;
}

export interface CaptureExtension extends Extension {
  counts(route: string): Counts | undefined;
}

/** Whether the policy lets this request's body be kept: no tier, a tier with an empty rule, or a tier the route lists. */
export function capturable(call: Call, snapshot: Snapshot, allowed: readonly string[]): boolean {
  const tier = call.sensitivity;
  if (tier === undefined || allowed.includes(tier)) return true;
  const rule = snapshot.tenants.policy.tiers.find((t) => t.name === tier)?.rule;
  return rule !== undefined && Object.keys(rule).length === 0;
}

function textOf(r: CanonicalResponse): string {
  let s = '';
  for (const p of r.content) if (p.type === 'text') s += p.text;
  return s;
}

function optionsOf(req: CanonicalRequest): Record<string, unknown> | undefined {
  const o: Record<string, unknown> = {};
  if (req.temperature !== undefined) o.temperature = req.temperature;
  if (req.maxTokens !== undefined) o.max_tokens = req.maxTokens;
  return Object.keys(o).length > 0 ? o : undefined;
}

export function bodyCapture(opts: CaptureOptions): CaptureExtension {
  const random = opts.random ?? Math.random;
  const now = opts.now ?? Date.now;
  const counts = new Map<string, Counts>();
  const countsFor = (route: string) => {
    let c = counts.get(route);
    if (!c) counts.set(route, (c = { sampled: 0, captured: 0, redacted: 0, skipped: { sensitivity: 0, unsupported: 0, too_large: 0, failed: 0 } }));
    return c;
  };
  const endpoints = new Map<string, EndpointSpec>([
    [
      'GET /admin/captures',
      jsonEndpoint('admin', 'admin', (_d, call) => {
        const only = new URL(call.ex.req.url ?? '/', 'http://x').searchParams.get('route') ?? undefined;
        const routes = [...counts].filter(([r]) => only === undefined || r === only).map(([route, c]) => ({ route, stored: opts.store.count(route), ...c }));
        return { routes };
      }),
    ],
  ]);
  return {
    name: 'capture',
    endpoints,
    counts: (route) => counts.get(route),
    enabled: (s) => [...s.routes.values()].some((r) => r.capture !== undefined && r.capture.sample > 0),
    stage: (call, next) => {
      const c = call.route?.capture;
      if (c === undefined || call.endpoint !== 'chat' || !isChatRequest(call.request) || call.ex.req.headers[TARGET_HEADER] !== undefined) return next();
      if (!(random() < c.sample)) return next();
      const n = countsFor(call.route!.name);
      n.sampled++;
      if (!capturable(call, call.ex.snapshot, c.tiers)) {
        n.skipped.sensitivity++;
        return next();
      }
      const messages = plainMessages(call.request.messages);
      if (!messages) {
        n.skipped.unsupported++;
        return next();
      }
      const mark = { text: '', messages };
      call[CAPTURE] = mark;
      return next().then((answer) => {
        if (answer.kind === 'response') mark.text = textOf(answer.response);
        return answer;
      });
    },
    tap(call) {
      const mark = call[CAPTURE] as { text: string } | undefined;
      if (!mark) return undefined;
      return (e) => {
        if (e.type === 'text-delta') mark.text += e.text;
      };
    },
    after(call) {
      const mark = call[CAPTURE] as { text: string; messages: CaptureRecord['messages'] } | undefined;
      const c = call.route?.capture;
      if (!mark || !c) return;
      const n = countsFor(call.route!.name);
      if (call.outcome.status !== 200 || call.outcome.error !== undefined || mark.text === '') {
        n.skipped.failed++;
        return;
      }
      const redact = captureRedactor(call.ex.snapshot);
      let redacted = false;
      const clean = (t: string) => {
        const r = redact(t);
        redacted ||= r.changed;
        return r.text;
      };
      const messages = mark.messages.map((m) => ({ role: m.role, content: clean(m.content) }));
      const answer = clean(mark.text);
      if (Buffer.byteLength(JSON.stringify(messages)) + Buffer.byteLength(answer) > c.maxRecordBytes) {
        n.skipped.too_large++;
        return;
      }
      const r: CaptureRecord = { at: now(), requestId: call.ex.requestId, route: call.route!.name, messages, answer, redacted };
      const d = call.outcome.attempt?.deployment.id;
      if (d !== undefined) r.deployment = d;
      if (call.trace.className !== undefined) r.requestClass = call.trace.className;
      if (call.caller.keyId !== undefined) r.keyId = call.caller.keyId;
      if (call.caller.team !== undefined) r.team = call.caller.team;
      const o = optionsOf(call.request as CanonicalRequest);
      if (o) r.options = o;
      opts.store.put(r, { retentionMs: c.retentionMs, maxBytes: c.maxBytes });
      n.captured++;
      if (redacted) n.redacted++;
    },
    close: () => opts.store.close(),
  };
}
