// Settings read once when the gateway starts. A hot reload swaps the snapshot, but the listening
// socket, the logger, the health registry's thresholds and the responses store were built from
// the first one: an edit to these takes effect on restart, and the reload says so.

import type { Snapshot } from './snapshot.js';

/** Config keys (as written in the YAML) whose edits need a restart. docs/operations.md lists them. */
export const STARTUP_ONLY_SETTINGS: ReadonlyArray<{ key: string; read: (s: Snapshot) => unknown }> = [
  { key: 'server.host', read: (s) => s.server.host },
  { key: 'server.port', read: (s) => s.server.port },
  { key: 'logging.level', read: (s) => s.logging.level },
  { key: 'health', read: (s) => s.health },
  { key: 'storage', read: (s) => s.storage },
  // Connections and the choice of stores are made once (src/cluster/stores.ts).
  { key: 'cluster', read: (s) => s.cluster },
];

/** The start-up-only keys whose values differ between two snapshots. */
export function startupOnlyChanges(before: Snapshot, after: Snapshot): string[] {
  return STARTUP_ONLY_SETTINGS.filter(({ read }) => !sameValue(read(before), read(after))).map(({ key }) => key);
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
