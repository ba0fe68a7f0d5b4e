// The SQLite store: the Store interface in one database file, the way k3s's kine
// puts Kubernetes on SQL databases instead of etcd.
//
// The kine idea: do not store "the current value of each key" at all. Store a log.
// Every write (create, update or delete) appends one row to the `kine` table, and
// the row's auto-increment id IS the revision. So:
//   - the current revision is the largest id;
//   - a key's current value is its newest row, unless that row is a delete;
//   - the state at revision N is, per key, the newest row with id <= N;
//   - a watch from revision N is "SELECT ... WHERE id > N ORDER BY id".
// A delete row keeps the deleted value, so a watcher can be told what was deleted.
// Compaction deletes old rows, except the row that gives each key its value at the
// compaction revision, and remembers that revision in the `meta` table.
//
// Only the process that opened the file writes to it, so live watch events come
// from the write methods themselves, right after each commit; only the replay of
// history reads the table.

import Database from 'better-sqlite3';
import {
  CompactedError,
  ConflictError,
  KeyExistsError,
  NotFoundError,
  type KeyValue,
  type ListOptions,
  type ListResult,
  type Store,
  type Watch,
  type WatchEvent,
  type WatchHandlers,
} from './store.ts';
import { WatchQueue } from './watch-queue.ts';

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS kine (
    id              INTEGER PRIMARY KEY AUTOINCREMENT, -- the revision of this write
    name            TEXT    NOT NULL,                  -- the key
    created         INTEGER NOT NULL,                  -- 1 if this write created the key
    deleted         INTEGER NOT NULL,                  -- 1 if this write deleted the key
    create_revision INTEGER NOT NULL,
    prev_revision   INTEGER NOT NULL,                  -- id of the key's previous row, 0 if none
    value           TEXT    NOT NULL                   -- for a delete: the value that was deleted
  );
  CREATE INDEX IF NOT EXISTS kine_name_id ON kine (name, id);
  CREATE TABLE IF NOT EXISTS meta (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
  );
`;

/** One row of the kine table. */
interface Row {
  id: number;
  name: string;
  created: number;
  deleted: number;
  create_revision: number;
  prev_revision: number;
  value: string;
}

/** A row as a value: its id is the revision that wrote it. */
function toKeyValue(row: Row): KeyValue {
  return { key: row.name, value: row.value, createRevision: row.create_revision, modRevision: row.id };
}

/** A delete row describes the value as it was before the delete. */
function deletedKeyValue(row: Row): KeyValue {
  return { key: row.name, value: row.value, createRevision: row.create_revision, modRevision: row.prev_revision };
}

// "name starts with @prefix", written with substr so that no character in a key
// (such as % or _ for LIKE) has a special meaning.
const UNDER_PREFIX = 'substr(name, 1, length(@prefix)) = @prefix';

interface Watcher {
  prefix: string;
  queue: WatchQueue;
}

/** A write waiting for the next commit: what it does, and whom to tell how it went. */
interface PendingWrite {
  work: () => { result: unknown; event: WatchEvent };
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

export class SqliteStore implements Store {
  private readonly db: Database.Database;
  private readonly watchers = new Set<Watcher>();
  private readonly statements = new Map<string, Database.Statement>();
  /** Writes waiting for the next commit, in the order they came (write()). */
  private pending: PendingWrite[] = [];

  /** path: the database file (created if missing), or ':memory:'. */
  constructor(path: string) {
    this.db = new Database(path);
    // WAL lets readers and the writer work at the same time. synchronous=FULL makes
    // every commit wait until the log is on disk, so a write we acknowledged survives
    // a crash or power cut; with NORMAL the last commits could be lost on power loss.
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.exec(SCHEMA);
  }

  /** The prepared statement of this SQL, made once: preparing parses and plans it, which cost more than most queries. */
  private sql(text: string): Database.Statement {
    let statement = this.statements.get(text);
    if (!statement) this.statements.set(text, (statement = this.db.prepare(text)));
    return statement;
  }

  async currentRevision(): Promise<number> {
    return this.revision();
  }

  async get(key: string): Promise<KeyValue | undefined> {
    const row = this.latestRow(key);
    return row && !row.deleted ? toKeyValue(row) : undefined;
  }

  async list(prefix: string, options: ListOptions = {}): Promise<ListResult> {
    const current = this.revision();
    const revision = options.revision ?? current;
    const compacted = this.compacted();
    if (revision < compacted) throw new CompactedError(revision, compacted);
    if (revision > current) {
      throw new Error(`revision ${revision} is in the future (current revision ${current})`);
    }
    // Per key, the newest row at or before the revision; then drop the deleted keys.
    // One row more than the limit tells us whether there are more.
    const rows = this
      .sql(
        `SELECT kine.* FROM kine
         JOIN (SELECT MAX(id) AS id FROM kine
               WHERE id <= @revision AND ${UNDER_PREFIX} AND name > @startAfter
               GROUP BY name) AS newest USING (id)
         WHERE kine.deleted = 0
         ORDER BY kine.name
         LIMIT @limit`,
      )
      .all({
        revision,
        prefix,
        startAfter: options.startAfter ?? '',
        limit: options.limit === undefined ? -1 : options.limit + 1,
      }) as Row[];
    const more = options.limit !== undefined && rows.length > options.limit;
    const items = (more ? rows.slice(0, options.limit) : rows).map(toKeyValue);
    return { items, revision, more };
  }

  async create(key: string, value: string): Promise<KeyValue> {
    return this.write(() => {
      const old = this.latestRow(key);
      if (old && !old.deleted) throw new KeyExistsError(key);
      const id = this.insert({ name: key, created: 1, deleted: 0, create_revision: 0, prev_revision: old?.id ?? 0, value });
      // A new key's create revision is its own revision, known only after the insert.
      this.sql('UPDATE kine SET create_revision = id WHERE id = ?').run(id);
      const kv = toKeyValue(this.rowById(id)!);
      return { result: kv, event: { type: 'put', kv } };
    });
  }

  async update(key: string, value: string, expectedModRevision: number): Promise<KeyValue> {
    return this.write(() => {
      const old = this.latestRow(key);
      if (!old || old.deleted) throw new NotFoundError(key);
      if (old.id !== expectedModRevision) throw new ConflictError(key, expectedModRevision, old.id);
      const id = this.insert({
        name: key, created: 0, deleted: 0, create_revision: old.create_revision, prev_revision: old.id, value,
      });
      const kv = toKeyValue(this.rowById(id)!);
      return { result: kv, event: { type: 'put', kv, prevKv: toKeyValue(old) } };
    });
  }

  async delete(key: string, expectedModRevision?: number): Promise<{ kv: KeyValue; revision: number }> {
    return this.write(() => {
      const old = this.latestRow(key);
      if (!old || old.deleted) throw new NotFoundError(key);
      if (expectedModRevision !== undefined && old.id !== expectedModRevision) {
        throw new ConflictError(key, expectedModRevision, old.id);
      }
      const id = this.insert({
        name: key, created: 0, deleted: 1, create_revision: old.create_revision, prev_revision: old.id, value: old.value,
      });
      const row = this.rowById(id)!;
      return { result: { kv: deletedKeyValue(row), revision: row.id }, event: { type: 'delete', kv: deletedKeyValue(row), revision: row.id } };
    });
  }

  /**
   * Runs a write in the next commit. The writes that arrive in the same turn of
   * the event loop (the API server serves many requests at once) share one
   * transaction, so one wait for the disk makes all of them durable: a group
   * commit, as databases do, and as etcd does ("to increase throughput, etcd
   * batches multiple requests together and submits them to Raft":
   * https://etcd.io/docs/v3.6/op-guide/performance/). Each write still runs on its own, in
   * order, with its own revision, inside a savepoint, so one that fails (a
   * conflict) undoes only itself; and none is acknowledged, or told to a
   * watcher, before the commit is on disk.
   */
  private write<T>(work: () => { result: T; event: WatchEvent }): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ work, resolve: resolve as (value: unknown) => void, reject });
      if (this.pending.length === 1) setImmediate(() => this.commitPending());
    });
  }

  /** Commits the writes waiting in `pending` (see write()), then answers each and tells the watchers. */
  private commitPending(): void {
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    const outcomes: ({ done: { result: unknown; event: WatchEvent } } | { error: unknown })[] = [];
    try {
      this.db.transaction(() => {
        for (const write of batch) {
          try {
            outcomes.push({ done: this.db.transaction(write.work)() });
          } catch (error) {
            outcomes.push({ error });
          }
        }
      })();
    } catch (error) {
      // The commit itself failed (a full disk): none of the writes happened.
      for (const write of batch) write.reject(error);
      return;
    }
    batch.forEach((write, i) => {
      const outcome = outcomes[i];
      if ('error' in outcome) return write.reject(outcome.error);
      this.notify(outcome.done.event);
      write.resolve(outcome.done.result);
    });
  }

  watch(prefix: string, afterRevision: number, handlers: WatchHandlers): Watch {
    const watcher: Watcher = { prefix, queue: new WatchQueue(handlers, () => this.watchers.delete(watcher)) };
    const compacted = this.compacted();
    if (afterRevision + 1 < compacted) {
      watcher.queue.fail(new CompactedError(afterRevision + 1, compacted));
      return watcher.queue;
    }
    // better-sqlite3 is synchronous and this process is the only writer, so no write
    // can happen between this query and adding the watcher below: no gap, no duplicate.
    const rows = this
      .sql(`SELECT * FROM kine WHERE id > @after AND ${UNDER_PREFIX} ORDER BY id`)
      .all({ after: afterRevision, prefix }) as Row[];
    for (const row of rows) watcher.queue.push(this.eventFor(row));
    this.watchers.add(watcher);
    return watcher.queue;
  }

  async compact(revision: number): Promise<void> {
    this.db.transaction(() => {
      const current = this.revision();
      if (revision > current) {
        throw new Error(`cannot compact at revision ${revision}: current revision is ${current}`);
      }
      if (revision <= this.compacted()) return;
      // Keep every row from `revision` on, and for each key the newest older row if it
      // is not a delete: that row is the key's value at `revision`.
      this
        .sql(
          `DELETE FROM kine WHERE id < @revision AND (
             deleted = 1 OR id NOT IN (SELECT MAX(id) FROM kine WHERE id < @revision GROUP BY name)
           )`,
        )
        .run({ revision });
      this
        .sql(`INSERT INTO meta (name, value) VALUES ('compact_revision', ?)
                  ON CONFLICT (name) DO UPDATE SET value = excluded.value`)
        .run(revision);
    })();
  }

  async compactedRevision(): Promise<number> {
    return this.compacted();
  }

  async close(): Promise<void> {
    this.commitPending();
    for (const watcher of [...this.watchers]) watcher.queue.cancel();
    this.db.close();
  }

  private revision(): number {
    const { revision } = this.sql('SELECT COALESCE(MAX(id), 0) AS revision FROM kine').get() as { revision: number };
    return revision;
  }

  private compacted(): number {
    const row = this.sql(`SELECT value FROM meta WHERE name = 'compact_revision'`).get() as
      | { value: number }
      | undefined;
    return row?.value ?? 0;
  }

  private rowById(id: number): Row | undefined {
    return this.sql('SELECT * FROM kine WHERE id = ?').get(id) as Row | undefined;
  }

  private latestRow(key: string): Row | undefined {
    return this.sql('SELECT * FROM kine WHERE name = ? ORDER BY id DESC LIMIT 1').get(key) as Row | undefined;
  }

  /** Appends a row and returns its id, which is the new revision. */
  private insert(row: Omit<Row, 'id'>): number {
    const result = this
      .sql(
        `INSERT INTO kine (name, created, deleted, create_revision, prev_revision, value)
         VALUES (@name, @created, @deleted, @create_revision, @prev_revision, @value)`,
      )
      .run(row);
    return Number(result.lastInsertRowid);
  }

  /** The watch event for a logged row (used for replay). */
  private eventFor(row: Row): WatchEvent {
    if (row.deleted) return { type: 'delete', kv: deletedKeyValue(row), revision: row.id };
    // An update's previous value is the row it replaced, unless compaction removed it.
    const prev = row.created ? undefined : this.rowById(row.prev_revision);
    return prev ? { type: 'put', kv: toKeyValue(row), prevKv: toKeyValue(prev) } : { type: 'put', kv: toKeyValue(row) };
  }

  /** Hands a committed write to the watchers of its prefix. */
  private notify(event: WatchEvent): void {
    for (const watcher of this.watchers) {
      if (event.kv.key.startsWith(watcher.prefix)) watcher.queue.push(event);
    }
  }
}
