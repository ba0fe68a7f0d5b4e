// The store contract: one set of tests that every backend must pass unchanged.
//
// The API server relies on exactly these behaviours (revisions, compare-and-swap,
// list at a revision, watch from a revision, compaction), so a backend that passes
// here can sit under it. Revisions are compared relative to currentRevision() at the
// start of each test, because the etcd backend shares one etcd (and its global
// revision counter) between tests, each with its own key prefix.

import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EtcdStore } from '../../reference/src/store/etcd.ts';
import { MemoryStore } from '../../reference/src/store/memory.ts';
import { SqliteStore } from '../../reference/src/store/sqlite.ts';
import {
  CompactedError,
  ConflictError,
  KeyExistsError,
  NotFoundError,
  type Store,
  type WatchEvent,
} from '../../reference/src/store/store.ts';
import { startEtcd } from '../support/etcd.ts';

interface Backend {
  name: string;
  /** Set when the backend cannot run here; the suite is skipped with this reason. */
  skip?: string;
  /** A fresh, empty store. */
  open(): Promise<Store>;
}

const tempDir = await mkdtemp(join(tmpdir(), 'kubelab-store-test-'));
const etcd = await startEtcd();
afterAll(async () => {
  if (!('skipped' in etcd)) await etcd.stop();
  await rm(tempDir, { recursive: true, force: true });
});
if ('skipped' in etcd) console.warn(`etcd store tests skipped: ${etcd.skipped}`);

let storeCount = 0;
const backends: Backend[] = [
  { name: 'memory', open: async () => new MemoryStore() },
  { name: 'sqlite', open: async () => new SqliteStore(join(tempDir, `store-${++storeCount}.db`)) },
  'skipped' in etcd
    ? { name: `etcd (skipped: ${etcd.skipped})`, skip: etcd.skipped, open: () => Promise.reject(new Error(etcd.skipped)) }
    : { name: 'etcd', open: async () => new EtcdStore(etcd.endpoint, `/contract-${++storeCount}`) },
];

/** Waits until condition() holds, polling; fails with `what` after a few seconds. */
async function waitUntil(condition: () => boolean, what: () => string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting: ${what()}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A short text for an event, easy to compare: "put /k=v@5" or "delete /k@6". */
function describeEvent(event: WatchEvent): string {
  return event.type === 'put'
    ? `put ${event.kv.key}=${event.kv.value}@${event.kv.modRevision}`
    : `delete ${event.kv.key}@${event.revision}`;
}

/** Starts a watch that records what it receives. */
function record(store: Store, prefix: string, afterRevision: number) {
  const events: WatchEvent[] = [];
  const errors: Error[] = [];
  const watch = store.watch(prefix, afterRevision, {
    onEvent: (event) => events.push(event),
    onError: (error) => errors.push(error),
  });
  return {
    events,
    errors,
    watch,
    seen: () => events.map(describeEvent),
    waitForEvents: (count: number) =>
      waitUntil(
        () => events.length >= count || errors.length > 0,
        () => `${count} events, got ${JSON.stringify(events.map(describeEvent))}`,
      ).then(() => {
        if (errors.length > 0) throw errors[0];
      }),
    waitForError: () => waitUntil(() => errors.length > 0, () => 'a watch error').then(() => errors[0]!),
  };
}

describe.each(backends)('store contract: $name', (backend) => {
  describe.skipIf(backend.skip !== undefined)(backend.skip ? `SKIPPED: ${backend.skip}` : 'Store interface', () => {
    let store: Store;
    beforeEach(async () => {
      store = await backend.open();
    });
    afterEach(async () => {
      await store.close();
    });

    it('bumps the revision by one per write and returns the new revision', async () => {
      const r0 = await store.currentRevision();
      const a = await store.create('/r/a', '1');
      expect(a).toEqual({ key: '/r/a', value: '1', createRevision: r0 + 1, modRevision: r0 + 1 });
      const a2 = await store.update('/r/a', '2', a.modRevision);
      expect(a2).toEqual({ key: '/r/a', value: '2', createRevision: r0 + 1, modRevision: r0 + 2 });
      const b = await store.create('/r/b', '1');
      expect(b.modRevision).toBe(r0 + 3);
      const deleted = await store.delete('/r/a');
      expect(deleted.revision).toBe(r0 + 4);
      expect(await store.currentRevision()).toBe(r0 + 4);

      // A failed write changes nothing, not even the revision.
      await expect(store.create('/r/b', 'again')).rejects.toBeInstanceOf(KeyExistsError);
      expect(await store.currentRevision()).toBe(r0 + 4);
    });

    it('gets the current value of a key, undefined when missing', async () => {
      const a = await store.create('/g/a', 'one');
      await store.update('/g/a', 'two', a.modRevision);
      expect(await store.get('/g/a')).toMatchObject({ key: '/g/a', value: 'two', createRevision: a.createRevision });
      expect(await store.get('/g/missing')).toBeUndefined();
      await store.delete('/g/a');
      expect(await store.get('/g/a')).toBeUndefined();
    });

    it('lists the keys under a prefix, in key order, at the current revision', async () => {
      for (const key of ['/l/b', '/l/a', '/lx/a', '/m/a', '/l/c']) await store.create(key, key);
      const list = await store.list('/l/');
      expect(list.items.map((kv) => kv.key)).toEqual(['/l/a', '/l/b', '/l/c']);
      expect(list.items[0]).toMatchObject({ value: '/l/a' });
      expect(list.revision).toBe(await store.currentRevision());
      expect(list.more).toBe(false);
      // A prefix is a plain string prefix, not a path.
      expect((await store.list('/l')).items.map((kv) => kv.key)).toEqual(['/l/a', '/l/b', '/l/c', '/lx/a']);
      expect(await store.list('/none/')).toMatchObject({ items: [], more: false });
    });

    it('pages a list with startAfter and limit, and reports more', async () => {
      for (const n of [1, 2, 3, 4, 5]) await store.create(`/p/${n}`, `${n}`);
      const keys = (items: { key: string }[]) => items.map((kv) => kv.key);

      const page1 = await store.list('/p/', { limit: 2 });
      expect(keys(page1.items)).toEqual(['/p/1', '/p/2']);
      expect(page1.more).toBe(true);

      // Changes after page 1 do not show in later pages read at page 1's revision.
      await store.delete('/p/3');
      await store.create('/p/6', '6');

      const page2 = await store.list('/p/', { startAfter: '/p/2', limit: 2, revision: page1.revision });
      expect(keys(page2.items)).toEqual(['/p/3', '/p/4']);
      expect(page2.more).toBe(true);
      const page3 = await store.list('/p/', { startAfter: '/p/4', limit: 2, revision: page1.revision });
      expect(keys(page3.items)).toEqual(['/p/5']);
      expect(page3.more).toBe(false);

      // At the current revision, and with a limit that exactly fits.
      const now = await store.list('/p/', { limit: 5 });
      expect(keys(now.items)).toEqual(['/p/1', '/p/2', '/p/4', '/p/5', '/p/6']);
      expect(now.more).toBe(false);
    });

    it('lists the state as it was at an older revision', async () => {
      const a1 = await store.create('/o/a', '1');
      const a2 = await store.update('/o/a', '2', a1.modRevision);
      const b = await store.create('/o/b', '1');
      const deleted = await store.delete('/o/a');

      const at1 = await store.list('/o/', { revision: a1.modRevision });
      expect(at1.revision).toBe(a1.modRevision);
      expect(at1.items).toEqual([a1]);
      expect((await store.list('/o/', { revision: b.modRevision })).items).toEqual([a2, b]);
      expect((await store.list('/o/', { revision: deleted.revision })).items).toEqual([b]);
    });

    it('create fails with KeyExistsError on an existing key, and works again after a delete', async () => {
      const first = await store.create('/k/a', '1');
      const error = await store.create('/k/a', '2').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(KeyExistsError);
      expect((error as KeyExistsError).key).toBe('/k/a');
      await store.delete('/k/a');
      const again = await store.create('/k/a', '3');
      expect(again.createRevision).toBeGreaterThan(first.createRevision);
      expect(again.createRevision).toBe(again.modRevision);
    });

    it('update is a compare-and-swap on modRevision', async () => {
      const v1 = await store.create('/u/a', '1');
      const v2 = await store.update('/u/a', '2', v1.modRevision);
      expect(v2.value).toBe('2');

      const stale = await store.update('/u/a', '3', v1.modRevision).catch((e: unknown) => e);
      expect(stale).toBeInstanceOf(ConflictError);
      expect(stale).toMatchObject({ key: '/u/a', expected: v1.modRevision, actual: v2.modRevision });
      expect((await store.get('/u/a'))?.value).toBe('2');

      await expect(store.update('/u/missing', 'x', v1.modRevision)).rejects.toBeInstanceOf(NotFoundError);
      // 0 is what a missing key "has"; an update must still not create it.
      await expect(store.update('/u/missing', 'x', 0)).rejects.toBeInstanceOf(NotFoundError);
      expect(await store.get('/u/missing')).toBeUndefined();
    });

    it('delete returns the old value and the delete revision, with an optional expected revision', async () => {
      const v1 = await store.create('/d/a', '1');
      const v2 = await store.update('/d/a', '2', v1.modRevision);

      const stale = await store.delete('/d/a', v1.modRevision).catch((e: unknown) => e);
      expect(stale).toBeInstanceOf(ConflictError);
      expect(stale).toMatchObject({ expected: v1.modRevision, actual: v2.modRevision });
      expect(await store.get('/d/a')).toEqual(v2);

      const deleted = await store.delete('/d/a', v2.modRevision);
      expect(deleted).toEqual({ kv: v2, revision: v2.modRevision + 1 });
      expect(await store.get('/d/a')).toBeUndefined();

      await expect(store.delete('/d/a')).rejects.toBeInstanceOf(NotFoundError);
      await expect(store.delete('/d/missing', 5)).rejects.toBeInstanceOf(NotFoundError);
    });

    it('watch replays every change after a revision in order, then follows live changes', async () => {
      const r0 = await store.currentRevision();
      const a1 = await store.create('/w/a', '1');
      const a2 = await store.update('/w/a', '2', a1.modRevision);
      const b1 = await store.create('/w/b', '1');
      await store.delete('/w/a');

      const watcher = record(store, '/w/', r0);
      await watcher.waitForEvents(4);
      expect(watcher.events).toEqual([
        { type: 'put', kv: a1 },
        { type: 'put', kv: a2, prevKv: a1 },
        { type: 'put', kv: b1 },
        { type: 'delete', kv: a2, revision: r0 + 4 },
      ]);

      const b2 = await store.update('/w/b', '2', b1.modRevision);
      await watcher.waitForEvents(5);
      expect(watcher.events[4]).toEqual({ type: 'put', kv: b2, prevKv: b1 });

      // Starting later skips what came before.
      const later = record(store, '/w/', r0 + 3);
      await later.waitForEvents(2);
      expect(later.seen()).toEqual([`delete /w/a@${r0 + 4}`, `put /w/b=2@${r0 + 5}`]);

      // Starting at the current revision: only live changes.
      const live = record(store, '/w/', await store.currentRevision());
      await store.create('/w/c', '1');
      await live.waitForEvents(1);
      expect(live.seen()).toEqual([`put /w/c=1@${r0 + 6}`]);
      for (const w of [watcher, later, live]) w.watch.cancel();
    });

    it('watch only sees keys under its prefix', async () => {
      const r0 = await store.currentRevision();
      const watcher = record(store, '/wp/', r0);
      await store.create('/wp/a', '1');
      await store.create('/wpx/a', '1');
      await store.create('/other/a', '1');
      await store.create('/wp/z', '1');
      // Events arrive in order, so once /wp/z is in, anything else would be too.
      await watcher.waitForEvents(2);
      await sleep(20);
      expect(watcher.seen()).toEqual([`put /wp/a=1@${r0 + 1}`, `put /wp/z=1@${r0 + 4}`]);
      watcher.watch.cancel();
    });

    it('a watch misses nothing and repeats nothing when writes happen during its replay', async () => {
      const r0 = await store.currentRevision();
      for (let i = 0; i < 20; i++) await store.create(`/wr/${i}`, 'before');
      const watcher = record(store, '/wr/', r0);
      // Do not wait: these writes race with the replay of the first twenty.
      await Promise.all(Array.from({ length: 20 }, (_, i) => store.create(`/wr/${20 + i}`, 'during')));
      await watcher.waitForEvents(40);
      await sleep(20);
      const revisions = watcher.events.map((event) => (event.type === 'put' ? event.kv.modRevision : event.revision));
      expect(revisions).toEqual(Array.from({ length: 40 }, (_, i) => r0 + 1 + i));
      watcher.watch.cancel();
    });

    it('cancel stops the events, and is safe to call twice', async () => {
      const r0 = await store.currentRevision();
      const watcher = record(store, '/x/', r0);
      await store.create('/x/a', '1');
      await watcher.waitForEvents(1);
      watcher.watch.cancel();
      watcher.watch.cancel();
      await store.create('/x/b', '1');
      // A second watch tells us when /x/b has been delivered.
      const witness = record(store, '/x/', r0);
      await witness.waitForEvents(2);
      await sleep(20);
      expect(watcher.seen()).toEqual([`put /x/a=1@${r0 + 1}`]);
      expect(watcher.errors).toEqual([]);
      witness.watch.cancel();
    });

    it('compaction: old reads and watches fail with CompactedError, current values stay', async () => {
      const r0 = await store.currentRevision();
      expect(await store.compactedRevision()).toBeLessThanOrEqual(Math.max(r0, 1));
      const a1 = await store.create('/c/a', '1'); // r0+1
      await store.create('/c/b', '1'); // r0+2
      const a2 = await store.update('/c/a', '2', a1.modRevision); // r0+3
      await store.delete('/c/b'); // r0+4
      const c1 = await store.create('/c/c', '1'); // r0+5
      const compactAt = a2.modRevision;

      await store.compact(compactAt);
      expect(await store.compactedRevision()).toBe(compactAt);

      const listError = await store.list('/c/', { revision: compactAt - 1 }).catch((e: unknown) => e);
      expect(listError).toBeInstanceOf(CompactedError);
      expect(listError).toMatchObject({ requested: compactAt - 1, compacted: compactAt });

      // Reading at the compacted revision itself still works, and so does now.
      expect((await store.list('/c/', { revision: compactAt })).items.map((kv) => `${kv.key}=${kv.value}`)).toEqual([
        '/c/a=2',
        '/c/b=1',
      ]);
      expect((await store.list('/c/')).items).toEqual([a2, c1]);
      expect(await store.get('/c/a')).toEqual(a2);

      // A watch that needs revision compactAt - 1 fails; one that starts at compactAt works.
      const tooOld = record(store, '/c/', compactAt - 2);
      const error = await tooOld.waitForError();
      expect(error).toBeInstanceOf(CompactedError);
      expect(error).toMatchObject({ requested: compactAt - 1, compacted: compactAt });
      expect(tooOld.events).toEqual([]);

      const fromCompacted = record(store, '/c/', compactAt - 1);
      await fromCompacted.waitForEvents(3);
      expect(fromCompacted.seen()).toEqual([`put /c/a=2@${r0 + 3}`, `delete /c/b@${r0 + 4}`, `put /c/c=1@${r0 + 5}`]);
      fromCompacted.watch.cancel();

      // Compacting at an older revision again changes nothing; the future is refused.
      await store.compact(compactAt - 1);
      expect(await store.compactedRevision()).toBe(compactAt);
      await expect(store.compact((await store.currentRevision()) + 10)).rejects.toThrow();
    });

    it('many concurrent creates of one key: exactly one wins', async () => {
      const r0 = await store.currentRevision();
      const results = await Promise.allSettled(
        Array.from({ length: 25 }, (_, i) => store.create('/race/key', `writer-${i}`)),
      );
      const winners = results.filter((result) => result.status === 'fulfilled');
      const losers = results.filter((result) => result.status === 'rejected');
      expect(winners).toHaveLength(1);
      for (const loser of losers) expect(loser.reason).toBeInstanceOf(KeyExistsError);
      const winner = winners[0]!.value;
      expect(winner.modRevision).toBe(r0 + 1);
      expect(await store.get('/race/key')).toEqual(winner);
      expect(await store.currentRevision()).toBe(r0 + 1);
    });
  });
});

describe('durability: sqlite', () => {
  it('keeps every acknowledged write when the writing process is killed', async () => {
    const file = join(tempDir, 'crash.db');
    const writer = fileURLToPath(new URL('./helpers/crash-writer.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', writer, file], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    // Read acknowledgements until there are enough, then kill the writer mid-stream.
    const acknowledged = new Map<string, number>();
    let buffered = '';
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop()!; // an incomplete last line is not an acknowledgement
      for (const line of lines) {
        const [key, revision] = line.split(' ');
        acknowledged.set(key!, Number(revision));
      }
      if (acknowledged.size >= 200) child.kill('SIGKILL');
    });
    await exited;
    expect(acknowledged.size).toBeGreaterThanOrEqual(200);

    const store = new SqliteStore(file);
    try {
      for (const [key, revision] of acknowledged) {
        expect(await store.get(key), key).toMatchObject({ key, modRevision: revision });
      }
      const lastAcknowledged = Math.max(...acknowledged.values());
      const current = await store.currentRevision();
      expect(current).toBeGreaterThanOrEqual(lastAcknowledged);
      const next = await store.create('/after-restart', 'x');
      expect(next.modRevision).toBe(current + 1);
    } finally {
      await store.close();
    }
  });
});

describe.skipIf('skipped' in etcd)(`durability: etcd${'skipped' in etcd ? ` (skipped: ${etcd.skipped})` : ''}`, () => {
  it('keeps every acknowledged write across an etcd crash and restart', async () => {
    const own = await startEtcd();
    if ('skipped' in own) throw new Error(own.skipped);
    try {
      let store = new EtcdStore(own.endpoint, '/durable');
      const written = [];
      for (let i = 0; i < 50; i++) written.push(await store.create(`/k/${i}`, `value-${i}`));
      await store.close();

      await own.restart(); // SIGKILL, then start again on the same data dir

      store = new EtcdStore(own.endpoint, '/durable');
      try {
        expect((await store.list('/k/')).items).toHaveLength(50);
        for (const kv of written) expect(await store.get(kv.key)).toEqual(kv);
        const last = written.at(-1)!.modRevision;
        expect(await store.currentRevision()).toBe(last);
        expect((await store.create('/after-restart', 'x')).modRevision).toBe(last + 1);
      } finally {
        await store.close();
      }
    } finally {
      await own.stop();
    }
  });
});
