// SQLite-specific checks: what the kine log table looks like. The behaviour every
// backend shares is in contract.test.ts.

import Database from 'better-sqlite3';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../reference/src/store/sqlite.ts';

const tempDir = await mkdtemp(join(tmpdir(), 'kubelab-sqlite-test-'));
afterAll(() => rm(tempDir, { recursive: true, force: true }));

/** The log rows, oldest first, as "<id> <name> <created|update|deleted> <value>". */
function rows(file: string): string[] {
  const db = new Database(file, { readonly: true });
  try {
    const all = db.prepare('SELECT * FROM kine ORDER BY id').all() as {
      id: number; name: string; created: number; deleted: number; value: string;
    }[];
    return all.map((row) => `${row.id} ${row.name} ${row.deleted ? 'deleted' : row.created ? 'created' : 'update'} ${row.value}`);
  } finally {
    db.close();
  }
}

describe('SqliteStore log table', () => {
  it('appends one row per write, with the id as the revision', async () => {
    const file = join(tempDir, 'log.db');
    const store = new SqliteStore(file);
    const a = await store.create('/a', '1');
    await store.update('/a', '2', a.modRevision);
    await store.delete('/a');
    await store.close();
    expect(rows(file)).toEqual(['1 /a created 1', '2 /a update 2', '3 /a deleted 2']);
  });

  it('compaction keeps rows from the revision on, and each live key\'s value at it', async () => {
    const file = join(tempDir, 'compact.db');
    const store = new SqliteStore(file);
    let a = await store.create('/a', '1'); // 1
    a = await store.update('/a', '2', a.modRevision); // 2
    await store.create('/b', '1'); // 3
    await store.delete('/b'); // 4
    await store.create('/c', '1'); // 5
    await store.update('/a', '3', a.modRevision); // 6
    await store.compact(5);
    expect(await store.compactedRevision()).toBe(5);
    await store.close();
    // /a's value at revision 5 is row 2; /b was deleted before 5, so it is gone.
    expect(rows(file)).toEqual(['2 /a update 2', '5 /c created 1', '6 /a update 3']);

    // The compacted revision survives a restart.
    const reopened = new SqliteStore(file);
    expect(await reopened.compactedRevision()).toBe(5);
    expect(await reopened.currentRevision()).toBe(6);
    await reopened.close();
  });

  it('commits the writes of one event-loop turn together, each with its own revision; a failed one undoes only itself', async () => {
    const file = join(tempDir, 'group.db');
    const store = new SqliteStore(file);
    const first = await store.create('/k', '0'); // 1
    const events: string[] = [];
    const watch = store.watch('/', first.modRevision, { onEvent: (e) => { events.push(`${e.type} ${e.kv.key} ${e.kv.modRevision}`); }, onError: () => {} });
    // Started together: one batch. The second update carries a stale revision, and /a exists already.
    const results = await Promise.allSettled([
      store.update('/k', '1', first.modRevision), // 2
      store.update('/k', 'lost', first.modRevision), // conflict: /k is at 2 now
      store.create('/a', 'x'), // 3
      store.create('/a', 'again'), // exists
      store.delete('/k'), // 4
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason.name).toBe('ConflictError');
    expect((results[3] as PromiseRejectedResult).reason.name).toBe('KeyExistsError');
    // Watchers hear of the three writes, in order, once they are committed.
    expect(events).toEqual(['put /k 2', 'put /a 3', 'delete /k 2']);
    watch.cancel();
    await store.close();
    expect(rows(file)).toEqual(['1 /k created 0', '2 /k update 1', '3 /a created x', '4 /k deleted 1']);
  });

  it('works with :memory:', async () => {
    const store = new SqliteStore(':memory:');
    await store.create('/a', '1');
    expect((await store.list('/')).items.map((kv) => kv.key)).toEqual(['/a']);
    await store.close();
  });
});
