// `modelplane serve --workers N|auto`: N gateway processes on one machine through node:cluster,
// sharing one port (the primary accepts and hands connections to workers). Every worker is a full
// cluster-mode instance with its own stores, registry entry and ledger spool (under
// `<data_dir>/worker-<n>`, stable per slot, so a replacement worker ships what a dead one left).
// Requires cluster mode: without Redis and Postgres each worker would enforce limits alone.
import cluster from 'node:cluster';
import { availableParallelism } from 'node:os';

export const WORKER_SLOT_ENV = 'MODELPLANE_WORKER_SLOT';

/** `auto` = one per core; otherwise a positive integer. */
export function parseWorkers(value: string): number | undefined {
  if (value === 'auto') return availableParallelism();
  if (!/^[1-9]\d{0,3}$/.test(value)) return undefined;
  return Number(value);
}

/** The worker's slot (0..N-1) when this process is a worker, else undefined. */
export function workerSlot(): string | undefined {
  return cluster.isWorker ? process.env[WORKER_SLOT_ENV] : undefined;
}

export interface PrimaryLog {
  (line: string): void;
}

/**
 * Runs the primary: forks `n` workers, replaces one that dies (unless shutting down), and on
 * SIGTERM/SIGINT passes the signal on and resolves once every worker has exited.
 */
export function runPrimary(n: number, log: PrimaryLog, signal: Promise<unknown>): Promise<number> {
  let stopping = false;
  const slots = new Map<number, number>(); // worker id -> slot
  const fork = (slot: number) => {
    const w = cluster.fork({ [WORKER_SLOT_ENV]: String(slot) });
    slots.set(w.id, slot);
  };
  for (let i = 0; i < n; i++) fork(i);
  cluster.on('exit', (w, code, sig) => {
    const slot = slots.get(w.id);
    slots.delete(w.id);
    if (stopping || slot === undefined) return;
    log(`modelplane: worker ${slot} (pid ${w.process.pid}) exited (${sig ?? code}); starting a replacement`);
    fork(slot);
  });
  return signal.then(
    () =>
      new Promise<number>((resolve) => {
        stopping = true;
        const workers = Object.values(cluster.workers ?? {}).filter((w) => w !== undefined);
        if (workers.length === 0) return resolve(0);
        let left = workers.length;
        for (const w of workers) {
          w.once('exit', () => {
            if (--left === 0) resolve(0);
          });
          w.process.kill('SIGTERM');
        }
      }),
  );
}
