// What a Postgres-backed store throws when it cannot reach Postgres, kept apart from the stores so
// the admin API can map it to 503 without loading any database code.

/** Postgres could not be reached: the admin API maps this to 503 (a retryable state, not bad input). */
export class PostgresUnavailableError extends Error {
  readonly status = 503;
  constructor(cause: unknown) {
    super(`the shared store (Postgres) is unavailable, try again shortly: ${(cause as Error)?.message ?? String(cause)}`);
    this.name = 'PostgresUnavailableError';
  }
}

/** Errors that mean "cannot talk to Postgres" rather than "this statement is wrong". */
export function isConnectionError(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  if (typeof e?.code === 'string' && (/^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|ENOTFOUND)$/.test(e.code) || e.code.startsWith('08') || e.code === '57P01' || e.code === '57P03')) return true;
  return /timeout|terminat|Connection|closed/i.test(e?.message ?? '');
}

