// Every embedded store opens its SQLite file the same way: the directory made, a busy timeout
// set *before* the switch to WAL (two processes opening one new file race for that switch, and
// without a handler the loser fails at once with "database is locked"), and WAL with
// synchronous = NORMAL: a committed row survives a process crash (SIGKILL, OOM), not a power
// loss. `durability: 'strict'` pays an fsync per commit to survive both.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

export function openSqlite(path: string, opts: { durability?: 'normal' | 'strict' } = {}): Database.Database {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('busy_timeout = 2000');
  db.pragma('journal_mode = WAL');
  db.pragma(opts.durability === 'strict' ? 'synchronous = FULL' : 'synchronous = NORMAL');
  return db;
}
