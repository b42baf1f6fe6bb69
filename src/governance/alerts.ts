// Soft-budget alerts: a warn log line and, when configured, a webhook POST signed with
// HMAC-SHA256 (`x-modelplane-signature: sha256=<hex>` over the raw body). Delivery runs on its
// own: the request that crossed the threshold never waits for it. Retries back off
// exponentially; every failure is logged, the last one says the alert was dropped.

import { createHmac } from 'node:crypto';
import type { BudgetState } from './budgets.js';
import type { AlertSettings } from './types.js';

export interface AlertLog {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface BudgetAlert {
  type: 'budget.soft_limit';
  budget: string;
  scope: string;
  name?: string;
  spent_usd: number;
  limit_usd: number;
  threshold: number;
  period: string;
  period_end?: string;
  at: string;
}

export function alertBody(b: BudgetState, now: number): BudgetAlert {
  const [scope, ...rest] = b.id.split(':');
  const out: BudgetAlert = {
    type: 'budget.soft_limit',
    budget: b.id,
    scope: scope!,
    spent_usd: Math.round(b.spent * 1e6) / 1e6,
    limit_usd: b.spec.usd,
    threshold: b.spec.soft,
    period: b.spec.period,
    at: new Date(now).toISOString(),
  };
  if (rest.length > 0) out.name = rest.join(':');
  if (Number.isFinite(b.periodEnd)) out.period_end = new Date(b.periodEnd).toISOString();
  return out;
}

export function sign(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export interface AlertSenderOptions {
  /** First retry delay; doubles per attempt. */
  backoffMs?: number;
  maxBackoffMs?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

export class AlertSender {
  private inFlight = new Set<Promise<void>>();
  private readonly backoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;

  constructor(
    private settings: AlertSettings,
    private readonly log: AlertLog,
    opts: AlertSenderOptions = {},
  ) {
    this.backoffMs = opts.backoffMs ?? 500;
    this.maxBackoffMs = opts.maxBackoffMs ?? 30_000;
    this.sleep = opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms).unref()));
    this.now = opts.now ?? Date.now;
  }

  reconfigure(settings: AlertSettings): void {
    this.settings = settings;
  }

  /** Fire and forget: returns at once. */
  budgetSoftLimit(b: BudgetState): void {
    const body = alertBody(b, this.now());
    this.log.warn({ budget: b.id, spent_usd: body.spent_usd, limit_usd: body.limit_usd, period_end: body.period_end }, `budget ${b.id} passed ${Math.round(b.spec.soft * 100)}% of its limit`);
    const hook = this.settings.webhook;
    if (!hook) return;
    const p = this.deliver(hook, JSON.stringify(body)).finally(() => this.inFlight.delete(p));
    this.inFlight.add(p);
  }

  /**
   * Fire and forget, like budgetSoftLimit: another soft signal (the cache's hit-rate drift) through
   * the same log line and webhook, signed the same way.
   */
  softSignal(body: { type: string; at: string }, message: string, fields: object = {}): void {
    this.log.warn({ ...fields, alert: body.type }, message);
    const hook = this.settings.webhook;
    if (!hook) return;
    const p = this.deliver(hook, JSON.stringify(body)).finally(() => this.inFlight.delete(p));
    this.inFlight.add(p);
  }

  /** Resolves when every delivery in progress has finished (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private async deliver(hook: NonNullable<AlertSettings['webhook']>, payload: string): Promise<void> {
    const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'modelplane-alerts' };
    if (hook.secret !== undefined) headers['x-modelplane-signature'] = sign(hook.secret, payload);
    for (let attempt = 0; attempt <= hook.retries; attempt++) {
      try {
        const res = await fetch(hook.url, { method: 'POST', headers, body: payload, signal: AbortSignal.timeout(hook.timeoutMs) });
        await res.arrayBuffer().catch(() => undefined);
        if (res.ok) return;
        this.log.error({ url: hook.url, status: res.status, attempt: attempt + 1 }, 'alert webhook refused the alert');
      } catch (err) {
        this.log.error({ url: hook.url, err: String(err), attempt: attempt + 1 }, 'alert webhook delivery failed');
      }
      if (attempt < hook.retries) await this.sleep(Math.min(this.maxBackoffMs, this.backoffMs * 2 ** attempt));
    }
    this.log.error({ url: hook.url, attempts: hook.retries + 1 }, 'alert webhook: giving up; the alert is dropped (it stays visible in GET /admin/budgets)');
  }
}
