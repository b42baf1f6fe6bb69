// The in-memory view of every tenant the gateway knows: config-declared and store-managed keys,
// teams, customers and agents, merged, with each key's Principal (hierarchy applied) computed
// once per change instead of once per request. A timer polls the store's change counter (off
// the request path) and rebuilds the view when it moves, so a revocation made by the CLI or the
// admin API is seen within one poll interval.

import type { TenantStore } from '../store/tenant-store.js';
import { KeyIndex } from './keys.js';
import { resolvePrincipal, type Principal } from './hierarchy.js';
import { entityFromStored, keyFromStored, keyStatus, teamFromStored } from './records.js';
import type { EntityRecord, KeyRecord, TeamRecord, TenantSettings } from './types.js';

export const DEFAULT_POLL_MS = 250;

export type KeyVerdict =
  | { ok: true; principal: Principal }
  | { ok: false; reason: 'unknown' | 'revoked' | 'disabled' | 'expired'; key?: KeyRecord };

interface View {
  index: KeyIndex<KeyRecord>;
  principals: Map<string, Principal>;
  teams: Map<string, TeamRecord>;
  customers: Map<string, EntityRecord>;
  agents: Map<string, EntityRecord>;
  keys: KeyRecord[];
}

export interface DirectoryLog {
  error(obj: object, msg: string): void;
}

export class TenantDirectory {
  private view: View;
  private settings: TenantSettings;
  private stored: { keys: KeyRecord[]; teams: TeamRecord[]; customers: EntityRecord[]; agents: EntityRecord[] } = { keys: [], teams: [], customers: [], agents: [] };
  private counter = -1;
  private timer: NodeJS.Timeout | undefined;
  private polling = false;
  private readonly lastUsed = new Map<string, number>();
  private readonly listeners: Array<() => void> = [];

  constructor(
    settings: TenantSettings,
    private readonly store?: TenantStore,
    private readonly log?: DirectoryLog,
    private readonly now: () => number = Date.now,
  ) {
    this.settings = settings;
    this.view = this.build();
  }

  /** Loads the store once (start-up), then polls every `intervalMs`. */
  async start(intervalMs = DEFAULT_POLL_MS): Promise<void> {
    await this.refresh();
    if (!this.store) return;
    this.timer = setInterval(() => void this.poll(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Called when the config snapshot changes. */
  reconfigure(settings: TenantSettings): void {
    this.settings = settings;
    this.view = this.build();
    this.emit();
  }

  /** Runs after every rebuild (budgets and limits re-register their scopes). */
  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  /** Reads the store if its counter moved; resolves once the view is current. */
  async refresh(): Promise<boolean> {
    if (!this.store) return false;
    const counter = await this.store.changeCounter();
    if (counter === this.counter) return false;
    const all = await this.store.list();
    this.stored = {
      keys: all.filter((t) => t.kind === 'key').map(keyFromStored),
      teams: all.filter((t) => t.kind === 'team').map(teamFromStored),
      customers: all.filter((t) => t.kind === 'customer').map(entityFromStored),
      agents: all.filter((t) => t.kind === 'agent').map(entityFromStored),
    };
    this.counter = counter;
    this.view = this.build();
    this.emit();
    return true;
  }

  private async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      await this.refresh();
    } catch (err) {
      this.log?.error({ err: String(err) }, 'tenant store poll failed; the last known tenants keep serving');
    } finally {
      this.polling = false;
    }
  }

  /** The request path: one sha256, one Map lookup. */
  verify(presented: string): KeyVerdict {
    const key = this.view.index.lookup(presented);
    if (!key) return { ok: false, reason: 'unknown' };
    const status = keyStatus(key, this.now());
    if (status !== 'active') return { ok: false, reason: status, key };
    const principal = this.view.principals.get(key.id)!;
    // A key whose team is gone would silently lose the team's limits: refuse it instead.
    if (key.team !== undefined && principal.team === undefined) return { ok: false, reason: 'disabled', key };
    this.lastUsed.set(key.id, this.now());
    return { ok: true, principal };
  }

  lastUsedAt(keyId: string): number | undefined {
    return this.lastUsed.get(keyId);
  }

  get tenants(): TenantSettings {
    return this.settings;
  }

  team(name: string): TeamRecord | undefined {
    return this.view.teams.get(name);
  }

  customer(name: string): EntityRecord | undefined {
    return this.view.customers.get(name);
  }

  agent(name: string): EntityRecord | undefined {
    return this.view.agents.get(name);
  }

  keys(): readonly KeyRecord[] {
    return this.view.keys;
  }

  teams(): Iterable<TeamRecord> {
    return this.view.teams.values();
  }

  entities(kind: 'customer' | 'agent'): Iterable<EntityRecord> {
    return (kind === 'customer' ? this.view.customers : this.view.agents).values();
  }

  private build(): View {
    // Config wins over the store for the same name: GitOps declarations are the source of truth.
    const teams = new Map<string, TeamRecord>();
    for (const t of this.stored.teams) teams.set(t.name, t);
    for (const t of this.settings.teams.values()) teams.set(t.name, t);
    const merge = (stored: EntityRecord[], declared: ReadonlyMap<string, EntityRecord>) => {
      const m = new Map<string, EntityRecord>();
      for (const e of stored) m.set(e.name, e);
      for (const e of declared.values()) m.set(e.name, e);
      return m;
    };
    const keys = [...this.settings.keys, ...this.stored.keys];
    const principals = new Map<string, Principal>();
    for (const k of keys) principals.set(k.id, resolvePrincipal(k, k.team === undefined ? undefined : teams.get(k.team), this.settings.policy));
    return {
      index: new KeyIndex(keys),
      principals,
      teams,
      customers: merge(this.stored.customers, this.settings.customers),
      agents: merge(this.stored.agents, this.settings.agents),
      keys,
    };
  }

  private emit(): void {
    for (const l of this.listeners) l();
  }
}
