// Cluster mode's gauges on the gateway's /metrics registry: the ledger spool (what waits for
// Postgres, and whether it is past its bound) and whether Redis and Postgres answered the last
// readiness check. Values are read when /metrics is scraped, never on a request.
import { Gauge, type Registry } from 'prom-client';
import type { SharedStores } from './stores.js';

export function registerClusterMetrics(registry: Registry, stores: SharedStores): void {
  const ledger = stores.ledgerStore;
  new Gauge({
    name: 'modelplane_ledger_spool_records',
    help: 'Ledger records in this instance\'s local spool, not yet in Postgres (grows while Postgres is down).',
    registers: [registry],
    collect() {
      this.set(ledger.depth());
    },
  });
  new Gauge({
    name: 'modelplane_ledger_spool_full',
    help: '1 when the spool is past its bound (the instance reports not ready until it drains).',
    registers: [registry],
    collect() {
      this.set(ledger.full() ? 1 : 0);
    },
  });
  new Gauge({
    name: 'modelplane_ledger_shipped_records',
    help: 'Ledger records this process has shipped to Postgres since it started.',
    registers: [registry],
    collect() {
      this.set(ledger.shipped);
    },
  });
  new Gauge({
    name: 'modelplane_cluster_store_up',
    help: 'Whether a shared store answered at scrape time (1) or not (0).',
    labelNames: ['store'],
    registers: [registry],
    async collect() {
      const r = await stores.readiness();
      this.set({ store: 'redis' }, r.redis ? 1 : 0);
      this.set({ store: 'postgres' }, r.postgres ? 1 : 0);
    },
  });
}
