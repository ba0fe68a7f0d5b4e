// Child process for the SQLite durability test: opens the store file given on the
// command line and creates keys /crash/0, /crash/1, ... as fast as it can, printing
// "<key> <revision>" after each write returns (that line is the acknowledgement).
// It never stops by itself: the test kills it with SIGKILL mid-stream, like a crash.

import { SqliteStore } from '../../../reference/src/store/sqlite.ts';

const store = new SqliteStore(process.argv[2]!);
for (let i = 0; ; i++) {
  const kv = await store.create(`/crash/${i}`, `value-${i}`);
  process.stdout.write(`${kv.key} ${kv.modRevision}\n`);
  // Let the event loop run now and then so the acknowledgements reach the parent.
  if (i % 10 === 9) await new Promise((resolve) => setImmediate(resolve));
}
