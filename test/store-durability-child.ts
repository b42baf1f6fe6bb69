// Child of store-durability.test.ts: puts records into a SQLite responses store as fast as the
// event loop allows and prints `ack <id>` after each put returns (what the gateway would have
// acknowledged to a client), until it is killed. Args: <db path> <durability> <write-behind ms>.
import { SqliteResponsesStore, type ResponsesDurability } from '../src/store/sqlite-responses-store.js';

const [path, durability, windowMs] = process.argv.slice(2);
const store = new SqliteResponsesStore({ path: path!, durability: durability as ResponsesDurability, flushIntervalMs: Number(windowMs) });
let i = 0;
const next = () => {
  const id = `resp_${i++}`;
  store.put({ id, createdAt: 1, model: 'm', input: [{ role: 'user', content: 'x' }], output: [{ type: 'message', content: [] }] });
  // A pipe is written synchronously on Linux: once this returns, the parent can read the ack.
  process.stdout.write(`ack ${id}\n`);
  setImmediate(next);
};
next();
