// Run-time tenant management, shared by the admin API and the CLI: validates input (errors
// name the field), refuses a key wider than its team, writes the store with an audit entry
// (before/after, never a secret), and returns public views.

import { z } from 'zod';
import { keyBindings, scopedFrom } from '../config/compile-tenants.js';
import { budgetSchema, limitsSchema, TENANT_NAME } from '../config/tenants-schema.js';
import { formatPath } from '../config/load.js';
import type { AuditEntry, TenantKind, TenantStore } from '../store/tenant-store.js';
import { wideningProblems } from './hierarchy.js';
import { generateKey, generateKeyId, hashKey, keyPrefix } from './keys.js';
import { entityFromStored, keyFromStored, teamFromStored, toBody } from './records.js';
import type { EntityRecord, KeyRecord, PolicySettings, Scoped, TeamRecord } from './types.js';

const name = z.string().regex(TENANT_NAME, 'expected 1-64 letters, digits, _ . : @ -');
const list = z.array(z.string().min(1));

const scopedInput = {
  budget: budgetSchema.optional(),
  limits: limitsSchema.optional(),
  sensitivity: name.optional(),
  routes: list.optional(),
  tiers: list.optional(),
  providers: list.optional(),
  metadata: z.record(z.string(), z.string()).optional(),
};

const keyInput = z.strictObject({
  name: name.optional(),
  team: name.optional(),
  customer: name.optional(),
  agent: name.optional(),
  enabled: z.boolean().optional(),
  expires_at: z.string().datetime({ offset: true }).optional(),
  ...scopedInput,
});
const teamInput = z.strictObject({ name, ...scopedInput });
const teamPatch = z.strictObject({ ...scopedInput });
const entityInput = z.strictObject({ name, budget: scopedInput.budget, limits: scopedInput.limits, sensitivity: scopedInput.sensitivity });
const entityPatch = entityInput.omit({ name: true });

/** A validation failure: the admin API answers 400 with `field`; the CLI prints it. */
export class TenantInputError extends Error {
  constructor(
    message: string,
    readonly field?: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = 'TenantInputError';
  }
}

function parse<T>(schema: z.ZodType<T>, input: unknown): T {
  const r = schema.safeParse(input ?? {});
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const field = formatPath(issue.path);
  const msg = issue.code === 'unrecognized_keys' ? `unknown field(s) ${issue.keys.map((k) => `"${k}"`).join(', ')}` : issue.message;
  throw new TenantInputError(`${field}: ${msg}`, issue.code === 'unrecognized_keys' ? issue.keys[0] : field);
}

/** What the admin needs from the config: declared teams and the sensitivity policy. */
export interface TenantContext {
  configTeams: ReadonlyMap<string, TeamRecord>;
  configKeyIds: ReadonlySet<string>;
  policy: PolicySettings;
}

export class TenantAdmin {
  constructor(
    readonly store: TenantStore,
    private readonly context: () => TenantContext,
    private readonly now: () => number = Date.now,
  ) {}

  // ---- keys ----

  async createKey(input: unknown, actor: string): Promise<{ record: KeyRecord; key: string }> {
    const k = parse(keyInput, input);
    const key = generateKey();
    const record: KeyRecord = {
      id: generateKeyId(),
      name: k.name ?? k.agent ?? k.customer ?? 'key',
      hash: hashKey(key),
      prefix: keyPrefix(key),
      enabled: k.enabled ?? true,
      createdAt: this.now(),
      source: 'store',
      ...scopedFrom(k),
      ...keyBindings(k),
    };
    await this.checkKey(record);
    await this.write('key', record.id, record, { actor, action: 'create', kind: 'key', target: record.id, after: publicBody(record) });
    return { record, key };
  }

  async listKeys(): Promise<KeyRecord[]> {
    return (await this.store.list('key')).map(keyFromStored);
  }

  async getKey(id: string): Promise<KeyRecord> {
    const t = await this.store.get('key', id);
    if (!t) throw this.missing('key', id);
    return keyFromStored(t);
  }

  async updateKey(id: string, patch: unknown, actor: string): Promise<KeyRecord> {
    const before = await this.getKey(id);
    const p = parse(keyInput, patch);
    const after: KeyRecord = { ...before, ...scopedFrom(p) };
    if (p.name !== undefined) after.name = p.name;
    if (p.team !== undefined) after.team = p.team;
    if (p.customer !== undefined) after.customer = p.customer;
    if (p.agent !== undefined) after.agent = p.agent;
    if (p.enabled !== undefined) after.enabled = p.enabled;
    if (p.expires_at !== undefined) after.expiresAt = Date.parse(p.expires_at);
    await this.checkKey(after);
    await this.write('key', id, after, { actor, action: 'update', kind: 'key', target: id, before: publicBody(before), after: publicBody(after) });
    return after;
  }

  /** Revoked keys stay in the store (the ledger names them) but never authenticate again. */
  async revokeKey(id: string, actor: string): Promise<KeyRecord> {
    const before = await this.getKey(id);
    const after: KeyRecord = { ...before, enabled: false, revokedAt: before.revokedAt ?? this.now() };
    await this.write('key', id, after, { actor, action: 'revoke', kind: 'key', target: id, before: publicBody(before), after: publicBody(after) });
    return after;
  }

  /** A new secret for the same key id (budgets, limits and ledger history stay with the id). */
  async rotateKey(id: string, actor: string): Promise<{ record: KeyRecord; key: string }> {
    const before = await this.getKey(id);
    if (before.revokedAt !== undefined) throw new TenantInputError(`key ${id} is revoked; create a new key instead`, 'id', 409);
    const key = generateKey();
    const after: KeyRecord = { ...before, hash: hashKey(key), prefix: keyPrefix(key) };
    await this.write('key', id, after, { actor, action: 'rotate', kind: 'key', target: id, before: publicBody(before), after: publicBody(after) });
    return { record: after, key };
  }

  // ---- teams ----

  async listTeams(): Promise<TeamRecord[]> {
    const stored = (await this.store.list('team')).map(teamFromStored);
    const names = new Set(stored.map((t) => t.name));
    return [...[...this.context().configTeams.values()].filter((t) => !names.has(t.name)), ...stored];
  }

  async createTeam(input: unknown, actor: string): Promise<TeamRecord> {
    const t = parse(teamInput, input);
    if (this.context().configTeams.has(t.name)) throw new TenantInputError(`name: team "${t.name}" is declared in the config file; edit it there`, 'name', 409);
    if (await this.store.get('team', t.name)) throw new TenantInputError(`name: team "${t.name}" exists`, 'name', 409);
    const record: TeamRecord = { name: t.name, source: 'store', createdAt: this.now(), ...scopedFrom(t) };
    this.checkTier(record.sensitivity);
    await this.write('team', t.name, record, { actor, action: 'create', kind: 'team', target: t.name, after: toBody(record) });
    return record;
  }

  async getTeam(teamName: string): Promise<TeamRecord> {
    const t = (await this.listTeams()).find((x) => x.name === teamName);
    if (!t) throw this.missing('team', teamName);
    return t;
  }

  async updateTeam(teamName: string, patch: unknown, actor: string): Promise<TeamRecord> {
    const before = await this.getTeam(teamName);
    if (before.source === 'config') throw new TenantInputError(`team "${teamName}" is declared in the config file; edit it there`, 'name', 409);
    const after: TeamRecord = { ...before, ...scopedFrom(parse(teamPatch, patch)) };
    this.checkTier(after.sensitivity);
    await this.write('team', teamName, after, { actor, action: 'update', kind: 'team', target: teamName, before: toBody(before), after: toBody(after) });
    return after;
  }

  async deleteTeam(teamName: string, actor: string): Promise<void> {
    const before = await this.getTeam(teamName);
    if (before.source === 'config') throw new TenantInputError(`team "${teamName}" is declared in the config file; remove it there`, 'name', 409);
    const members = (await this.listKeys()).filter((k) => k.team === teamName && k.revokedAt === undefined);
    if (members.length > 0) throw new TenantInputError(`team "${teamName}" still has ${members.length} active key(s): revoke or move them first`, 'name', 409);
    await this.store.remove('team', teamName, { actor, action: 'delete', kind: 'team', target: teamName, before: toBody(before) });
  }

  // ---- customers and agents ----

  async listEntities(kind: 'customer' | 'agent'): Promise<EntityRecord[]> {
    return (await this.store.list(kind)).map(entityFromStored);
  }

  async putEntity(kind: 'customer' | 'agent', input: unknown, actor: string, entityName?: string): Promise<EntityRecord> {
    const e = entityName === undefined ? parse(entityInput, input) : { name: entityName, ...parse(entityPatch, input) };
    const prior = await this.store.get(kind, e.name);
    if (entityName !== undefined && !prior) throw this.missing(kind, entityName);
    const before = prior ? entityFromStored(prior) : undefined;
    const record: EntityRecord = { ...(before ?? {}), kind, name: e.name, source: 'store', createdAt: before?.createdAt ?? this.now(), ...scopedFrom(e) };
    this.checkTier(record.sensitivity);
    await this.write(kind, e.name, record, { actor, action: before ? 'update' : 'create', kind, target: e.name, ...(before ? { before: toBody(before) } : {}), after: toBody(record) });
    return record;
  }

  async deleteEntity(kind: 'customer' | 'agent', entityName: string, actor: string): Promise<void> {
    const prior = await this.store.get(kind, entityName);
    if (!prior) throw this.missing(kind, entityName);
    await this.store.remove(kind, entityName, { actor, action: 'delete', kind, target: entityName, before: prior.body });
  }

  // ---- helpers ----

  private async write(kind: TenantKind, id: string, record: object, audit: AuditEntry): Promise<void> {
    await this.store.put(kind, id, toBody(record), audit);
  }

  private missing(kind: string, id: string): TenantInputError {
    return new TenantInputError(`no ${kind} "${id}"`, 'id', 404);
  }

  private checkTier(tier: string | undefined): void {
    if (tier === undefined) return;
    const tiers = this.context().policy.tiers.map((t) => t.name);
    if (!tiers.includes(tier)) throw new TenantInputError(`sensitivity: unknown tier "${tier}" (policy.sensitivity defines: ${tiers.join(', ') || 'none'})`, 'sensitivity');
  }

  private async checkKey(k: KeyRecord): Promise<void> {
    this.checkTier(k.sensitivity);
    let team: TeamRecord | undefined;
    if (k.team !== undefined) {
      team = (await this.listTeams()).find((t) => t.name === k.team);
      if (!team) throw new TenantInputError(`team: unknown team "${k.team}"`, 'team');
    }
    const wide = wideningProblems(k, team, this.context().policy);
    if (wide.length > 0) throw new TenantInputError(`a key may narrow its team's settings, never widen them: ${wide.join('; ')}`, wide[0]!.split(':')[0]);
  }
}

/** The audit trail's view of a key: no hash. */
function publicBody(k: KeyRecord): Record<string, unknown> {
  const { hash: _hash, ...rest } = toBody(k);
  return rest;
}
