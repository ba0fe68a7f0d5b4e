// The in-memory store: the Store interface with plain maps and arrays, nothing saved.
//
// It follows etcd's model (see store.ts): one global revision counter, bumped by
// every write. Each key keeps its list of changes, oldest first, so the store can
// answer "what did this prefix look like at revision N?" and can replay every
// change after N to a new watcher. compact(rev) throws away changes older than
// rev, as etcd does, except the value each key had at rev.
//
// Good for tests and quick experiments; everything is lost when the process exits.

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

/** One write to one key, kept in that key's history. */
interface Change {
  revision: number;
  /** The event a watcher sees for this write (it carries the values it needs). */
  event: WatchEvent;
}

interface Watcher {
  prefix: string;
  queue: WatchQueue;
}

export class MemoryStore implements Store {
  private revision = 0;
  private compacted = 0;
  /** key → its changes, oldest first. */
  private readonly history = new Map<string, Change[]>();
  private readonly watchers = new Set<Watcher>();

  async currentRevision(): Promise<number> {
    return this.revision;
  }

  async get(key: string): Promise<KeyValue | undefined> {
    const kv = this.valueAt(key, this.revision);
    return kv && { ...kv };
  }

  async list(prefix: string, options: ListOptions = {}): Promise<ListResult> {
    const revision = options.revision ?? this.revision;
    if (revision < this.compacted) throw new CompactedError(revision, this.compacted);
    if (revision > this.revision) {
      throw new Error(`revision ${revision} is in the future (current revision ${this.revision})`);
    }
    const keys = [...this.history.keys()]
      .filter((key) => key.startsWith(prefix))
      .filter((key) => options.startAfter === undefined || key > options.startAfter)
      .sort();
    const items: KeyValue[] = [];
    for (const key of keys) {
      const kv = this.valueAt(key, revision);
      if (!kv) continue;
      if (options.limit !== undefined && items.length === options.limit) {
        return { items, revision, more: true };
      }
      items.push({ ...kv });
    }
    return { items, revision, more: false };
  }

  async create(key: string, value: string): Promise<KeyValue> {
    if (this.valueAt(key, this.revision)) throw new KeyExistsError(key);
    const revision = this.revision + 1;
    const kv: KeyValue = { key, value, createRevision: revision, modRevision: revision };
    this.record(key, revision, { type: 'put', kv });
    return { ...kv };
  }

  async update(key: string, value: string, expectedModRevision: number): Promise<KeyValue> {
    const old = this.valueAt(key, this.revision);
    if (!old) throw new NotFoundError(key);
    if (old.modRevision !== expectedModRevision) {
      throw new ConflictError(key, expectedModRevision, old.modRevision);
    }
    const revision = this.revision + 1;
    const kv: KeyValue = { key, value, createRevision: old.createRevision, modRevision: revision };
    this.record(key, revision, { type: 'put', kv, prevKv: old });
    return { ...kv };
  }

  async delete(key: string, expectedModRevision?: number): Promise<{ kv: KeyValue; revision: number }> {
    const old = this.valueAt(key, this.revision);
    if (!old) throw new NotFoundError(key);
    if (expectedModRevision !== undefined && old.modRevision !== expectedModRevision) {
      throw new ConflictError(key, expectedModRevision, old.modRevision);
    }
    const revision = this.revision + 1;
    this.record(key, revision, { type: 'delete', kv: old, revision });
    return { kv: { ...old }, revision };
  }

  watch(prefix: string, afterRevision: number, handlers: WatchHandlers): Watch {
    const watcher: Watcher = { prefix, queue: new WatchQueue(handlers, () => this.watchers.delete(watcher)) };
    if (afterRevision + 1 < this.compacted) {
      watcher.queue.fail(new CompactedError(afterRevision + 1, this.compacted));
      return watcher.queue;
    }
    // Replay and subscribe in one synchronous step: no write can run in between,
    // so the watcher gets every change exactly once.
    const replay: Change[] = [];
    for (const [key, changes] of this.history) {
      if (!key.startsWith(prefix)) continue;
      replay.push(...changes.filter((change) => change.revision > afterRevision));
    }
    replay.sort((a, b) => a.revision - b.revision);
    for (const change of replay) watcher.queue.push(change.event);
    this.watchers.add(watcher);
    return watcher.queue;
  }

  async compact(revision: number): Promise<void> {
    if (revision > this.revision) {
      throw new Error(`cannot compact at revision ${revision}: current revision is ${this.revision}`);
    }
    if (revision <= this.compacted) return;
    for (const [key, changes] of this.history) {
      const newer = changes.filter((change) => change.revision >= revision);
      const older = changes.filter((change) => change.revision < revision);
      // The newest older change is the key's value at `revision`, unless it was a delete.
      const valueAtRevision = older.at(-1);
      const kept = valueAtRevision?.event.type === 'put' ? [valueAtRevision, ...newer] : newer;
      if (kept.length === 0) this.history.delete(key);
      else this.history.set(key, kept);
    }
    this.compacted = revision;
  }

  async compactedRevision(): Promise<number> {
    return this.compacted;
  }

  async close(): Promise<void> {
    for (const watcher of [...this.watchers]) watcher.queue.cancel();
  }

  /** The key's value as of revision, or undefined if it did not exist then. */
  private valueAt(key: string, revision: number): KeyValue | undefined {
    const changes = this.history.get(key) ?? [];
    const latest = changes.filter((change) => change.revision <= revision).at(-1);
    return latest?.event.type === 'put' ? latest.event.kv : undefined;
  }

  /** Appends a write to the key's history and tells the watchers of its prefix. */
  private record(key: string, revision: number, event: WatchEvent): void {
    this.revision = revision;
    const changes = this.history.get(key) ?? [];
    changes.push({ revision, event });
    this.history.set(key, changes);
    for (const watcher of this.watchers) {
      if (key.startsWith(watcher.prefix)) watcher.queue.push(event);
    }
  }
}
