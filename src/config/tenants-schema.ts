// The tenant half of the config contract: teams, keys, customers, agents, data-sensitivity
// policy, global budget and alert delivery. Kept apart from schema.ts so the data-plane
// contract and the tenancy contract can each be read on their own; schema.ts spreads these in.

import { z } from 'zod';
import { isTimeZone } from '../governance/periods.js';

export const BUDGET_PERIODS = ['day', 'week', 'month', 'total'] as const;
export const RETENTION = ['none', 'limited', 'standard'] as const;

/** Names of teams, customers, agents, workflows and keys: what attribution headers may carry. */
export const TENANT_NAME = /^[A-Za-z0-9_.:@-]{1,64}$/;
const name = z.string().regex(TENANT_NAME, 'expected 1-64 letters, digits, _ . : @ -');

const timeZone = z.string().refine(isTimeZone, 'expected an IANA time zone such as UTC, Europe/Berlin or America/New_York');

const budgetObject = z.strictObject({
  usd: z.number().positive(),
  period: z.enum(BUDGET_PERIODS).optional(),
  /** Fraction of the cap at which the soft alert fires once per period (default 0.8). */
  soft: z.number().gt(0).max(1).optional(),
  /** false: a shadow budget that records what it would have refused, without refusing. */
  enforce: z.boolean().optional(),
  /** When a request's cost cannot be estimated (no price, no output limit). */
  on_unknown_cost: z.enum(['reserve', 'refuse', 'allow']).optional(),
  /** Streams are charged as they run: cut one off (well-formed error event) once it has used its reservation. */
  cutoff: z.boolean().optional(),
  /** IANA zone of this budget's day/week/month boundaries (default: budget_time_zone, else UTC). */
  time_zone: timeZone.optional(),
});

/** `50/day`, `500/month`, `20/total`, or the object form. */
export const budgetSchema = z.union([
  budgetObject,
  z
    .string()
    .regex(/^\$?\d+(\.\d+)?\s*\/\s*(day|week|month|total)$/, 'expected a budget such as 50/day, 500/month or { usd: 50, period: day }')
    .transform((s) => {
      const m = /^\$?(\d+(?:\.\d+)?)\s*\/\s*(day|week|month|total)$/.exec(s)!;
      return { usd: Number(m[1]), period: m[2] as (typeof BUDGET_PERIODS)[number] };
    }),
]);

export const limitsSchema = z.strictObject({
  rpm: z.number().int().positive().optional(),
  tpm: z.number().int().positive().optional(),
  concurrency: z.number().int().positive().optional(),
});

/** What a team, key, customer or agent may carry (keys and teams add a few fields). */
const governed = {
  budget: budgetSchema.optional(),
  limits: limitsSchema.optional(),
  sensitivity: name.optional(),
};

const scoped = {
  ...governed,
  /** Route names or globs (`support-*`); default: every route. */
  routes: z.array(z.string().min(1)).optional(),
  /** Deployment tiers the caller may reach; default: every tier. */
  tiers: z.array(z.string().min(1)).optional(),
  /** Provider names the caller may reach; default: every provider. */
  providers: z.array(z.string().min(1)).optional(),
  /** Attribution defaults (workflow, customer, agent) applied when the request names none. */
  metadata: z.record(z.string(), z.string()).optional(),
};

export const teamSchema = z.strictObject({ ...scoped });

export const keySchema = z
  .strictObject({
    ...scoped,
    /** The key itself (from the environment: `key: ${TRIAGE_BOT_KEY}`). */
    key: z.string().min(1).optional(),
    /** Or only its hash: `sha256:<64 hex>`. */
    key_hash: z.string().regex(/^sha256:[0-9a-f]{64}$/, 'expected sha256:<64 lowercase hex digits>').optional(),
    team: name.optional(),
    customer: name.optional(),
    agent: name.optional(),
    enabled: z.boolean().optional(),
    /** ISO date-time after which the key is refused. */
    expires_at: z.string().datetime({ offset: true }).optional(),
  })
  .refine((k) => (k.key === undefined) !== (k.key_hash === undefined), { message: 'a config key needs exactly one of `key` or `key_hash`' });

export const entitySchema = z.strictObject({ ...governed });

const tierRuleSchema = z.strictObject({
  providers: z.array(z.string().min(1)).optional(),
  jurisdictions: z.array(z.string().min(1)).optional(),
  retention: z.array(z.enum(RETENTION)).optional(),
  /** false: exclude providers that train on submitted data. */
  trains_on_data: z.boolean().optional(),
});

export const policySchema = z.strictObject({
  /** Tiers in order of increasing sensitivity: a request may move to a later tier, never an earlier one. */
  sensitivity: z.record(name, tierRuleSchema).optional(),
  default: name.optional(),
});

export const alertsSchema = z.strictObject({
  webhook: z
    .strictObject({
      url: z.url({ message: 'expected an absolute http(s) URL' }),
      secret: z.string().min(1).optional(),
      timeout: z.union([z.number().positive(), z.string()]).optional(),
      retries: z.number().int().min(0).max(10).optional(),
    })
    .optional(),
});

export const tenantConfigFields = {
  teams: z.record(name, teamSchema).optional(),
  keys: z.record(name, keySchema).optional(),
  customers: z.record(name, entitySchema).optional(),
  agents: z.record(name, entitySchema).optional(),
  policy: policySchema.optional(),
  /** One budget over all traffic. */
  budget: budgetSchema.optional(),
  /** IANA zone for budget periods (calendar day, week, month); default UTC. */
  budget_time_zone: timeZone.optional(),
  alerts: alertsSchema.optional(),
  /** Per-route behaviour under governance lives on routes; this is gateway-wide. */
  ledger: z
    .strictObject({
      enabled: z.boolean().optional(),
      /** Days of ledger kept; older records are deleted at start-up and daily. */
      retention_days: z.number().int().positive().optional(),
      /** How long a record may wait to be batched (default 100ms): a crash loses at most this much. */
      write_behind: z.union([z.number().positive(), z.string().regex(/^\d+(\.\d+)?\s*(ms|s)$/, 'expected a duration such as 50ms or 1s')]).optional(),
    })
    .optional(),
};

export type BudgetConfig = z.output<typeof budgetSchema>;
export type LimitsConfig = z.output<typeof limitsSchema>;
export type TeamConfig = z.output<typeof teamSchema>;
export type KeyConfig = z.output<typeof keySchema>;
export type EntityConfig = z.output<typeof entitySchema>;
export type PolicyConfig = z.output<typeof policySchema>;
export type AlertsConfig = z.output<typeof alertsSchema>;
