// Where run-time tenants live: keys, teams, customers and agents created through the admin API
// or the CLI, and the audit trail of every change. An interface, because the embedded SQLite
// store is the first of several (a shared Postgres/Redis store lets replicas agree).
//
// The gateway never calls this on a request: it polls `changeCounter()` from a timer and
// reloads everything into memory when the counter moves.

export type TenantKind = 'key' | 'team' | 'customer' | 'agent';

export interface StoredTenant {
  kind: TenantKind;
  id: string;
  /** The record as JSON-compatible data (governance/types.ts shapes; never a secret). */
  body: Record<string, unknown>;
  updatedAt: number;
}

export interface AuditEntry {
  /** Which credential made the change: `admin-key`, `cli:<user>`, ... never the secret. */
  actor: string;
  action: 'create' | 'update' | 'delete' | 'revoke' | 'rotate';
  kind: TenantKind;
  target: string;
  before?: Record<string, unknown>;
  after?: Record<string, unknown>;
}

export interface AuditRecord extends AuditEntry {
  seq: number;
  at: number;
}

export interface TenantStore {
  /** Increases with every committed change, from any process sharing the store. */
  changeCounter(): Promise<number>;
  list(kind?: TenantKind): Promise<StoredTenant[]>;
  get(kind: TenantKind, id: string): Promise<StoredTenant | undefined>;
  /** Inserts or replaces, bumps the counter and appends the audit entry, in one transaction. */
  put(kind: TenantKind, id: string, body: Record<string, unknown>, audit: AuditEntry): Promise<void>;
  remove(kind: TenantKind, id: string, audit: AuditEntry): Promise<boolean>;
  audit(opts?: { limit?: number; sinceMs?: number; target?: string }): Promise<AuditRecord[]>;
  close(): Promise<void>;
}
