// `node dist/bench/durability.js [records]`: the cost of `storage.responses.durability: strict`
// against the default write-behind, as the time a put() adds to the response that stores it
// (issue 15 §6). Writes to a temporary directory on the same disk as the system tmpdir.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { SqliteResponsesStore, type ResponsesDurability } from '../src/store/sqlite-responses-store.js';

export interface DurabilityCost {
  durability: ResponsesDurability;
  records: number;
  /** Median and 99th percentile time of one put(), in microseconds. */
  p50Us: number;
  p99Us: number;
}

export function measure(durability: ResponsesDurability, records: number): DurabilityCost {
  const dir = mkdtempSync(join(tmpdir(), 'mp-durability-bench-'));
  const store = new SqliteResponsesStore({ path: join(dir, 'r.sqlite'), durability });
  const output = [{ type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'x'.repeat(800) }] }];
  const times: number[] = [];
  try {
    for (let i = 0; i < records; i++) {
      const t0 = process.hrtime.bigint();
      store.put({ id: `resp_${i}`, createdAt: i, model: 'm', input: [{ role: 'user', content: 'y'.repeat(400) }], output });
      times.push(Number(process.hrtime.bigint() - t0) / 1000);
    }
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => Math.round(times[Math.min(times.length - 1, Math.floor(q * times.length))]! * 10) / 10;
  return { durability, records, p50Us: at(0.5), p99Us: at(0.99) };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const n = Number(process.argv[2] ?? 2_000);
  for (const d of ['write-behind', 'strict'] as const) {
    const r = measure(d, n);
    process.stdout.write(`${d}: ${r.records} puts, p50 ${r.p50Us} µs, p99 ${r.p99Us} µs per put\n`);
  }
}
