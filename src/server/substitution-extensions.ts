// The substitution capabilities (issue 12) as the gateway ships them: the eval target pin,
// graduated promotion, shadow traffic and body capture, in that stage order (a promotion may move a request to
// the candidate; the shadow then sees which deployment really served it). Registered from
// defaultExtensions with one line.
import { targetPin } from '../evals/target-pin.js';
import { bodyCapture } from '../evals/capture-extension.js';
import { SqliteCaptureStore } from '../evals/capture-store.js';
import type { Extension } from '../gateway/extension.js';
import { promotions } from '../promotion/extension.js';
import { SqlitePromotionStore } from '../promotion/store.js';
import { substitutionDbPath } from '../shadow/data-dir.js';
import { shadowTraffic } from '../shadow/extension.js';
import { shadowLedgerRecord } from '../shadow/ledger-spend.js';
import type { LedgerRecord } from '../store/ledger-store.js';
import { MemoryShadowStore, SqliteShadowStore, type ShadowStore } from '../shadow/store.js';
import type { ExtensionContext } from './extensions.js';

export interface SubstitutionWiring {
  /** The spend ledger's write-behind sink (the tenancy's), for shadow spend; none: not recorded. */
  ledger?: { record(r: LedgerRecord): void };
}

export function substitutionExtensions(ctx: ExtensionContext, wiring: SubstitutionWiring = {}): Extension[] {
  // Beside the responses store, so shadow results and promotion state survive a restart and a
  // hot reload that adds `shadow:` or `promotion:` to a route finds its store ready.
  const path = substitutionDbPath(ctx.snapshot.storage, ctx.configFile);
  const persist = path !== undefined;
  const onError = (err: unknown, lost: number) => ctx.log.error({ err: String(err), lost }, 'substitution store write failed');
  const shadowStore: ShadowStore = persist ? new SqliteShadowStore(path, onError) : new MemoryShadowStore();
  const ledger = wiring.ledger;
  const shadow = shadowTraffic({ log: ctx.log, store: shadowStore, ...(ledger ? { onSpend: (s) => ledger.record(shadowLedgerRecord(s)) } : {}) });
  const promotion = promotions({ log: ctx.log, snapshot: ctx.snapshot, shadow: shadow.aggregates, ...(persist ? { store: new SqlitePromotionStore(path, onError) } : {}) });
  // Body capture (route `capture:`) shares the file; without one its captures live in memory.
  const capture = bodyCapture({ store: new SqliteCaptureStore(path ?? ':memory:', onError) });
  return [targetPin(), promotion, shadow, capture];
}
