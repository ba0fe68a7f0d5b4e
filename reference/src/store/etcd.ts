// The etcd store: the Store interface on a real etcd, which is what Kubernetes uses.
//
// There is little to translate, because store.ts copies etcd's model: etcd keeps one
// global revision, every key carries create_revision and mod_revision, and reads,
// watches and compaction all take revisions. The revisions returned here are etcd's
// own, so mod_revision becomes an object's metadata.resourceVersion unchanged.
//
// Conditional writes are etcd transactions: "if <compare> then <ops> else <ops>",
// applied atomically. That is exactly how the Kubernetes API server talks to etcd
// (k8s.io/apiserver/pkg/storage/etcd3/store.go).
//
// keyPrefix lets several stores share one etcd (tests use one prefix per store); the
// prefix is added to every key on the way in and removed on the way out.

import { Etcd3, Range, type IEvent, type IKeyValue, type Namespace, type Watcher } from 'etcd3';
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

/** A key no one writes: reading it tells the current revision (every response carries it). */
const PROBE_KEY = 'kubelab-revision-probe';

function isCompactedError(error: unknown): boolean {
  return error instanceof Error && error.message.includes('required revision has been compacted');
}

/** etcd sends numbers as strings and bytes as Buffers. */
function toKeyValue(key: string, kv: IKeyValue): KeyValue {
  return {
    key,
    value: kv.value.toString(),
    createRevision: Number(kv.create_revision),
    modRevision: Number(kv.mod_revision),
  };
}

function toWatchEvent(event: IEvent): WatchEvent {
  const key = event.kv.key.toString();
  if (event.type === 'Put') {
    const kv = toKeyValue(key, event.kv);
    return event.prev_kv ? { type: 'put', kv, prevKv: toKeyValue(key, event.prev_kv) } : { type: 'put', kv };
  }
  // etcd's delete event carries a tombstone (no value) at the delete's revision; the
  // value that was deleted is in prev_kv (missing only if compaction removed it).
  const revision = Number(event.kv.mod_revision);
  const kv = event.prev_kv
    ? toKeyValue(key, event.prev_kv)
    : { key, value: '', createRevision: 0, modRevision: 0 };
  return { type: 'delete', kv, revision };
}

export class EtcdStore implements Store {
  private readonly client: Etcd3;
  /** The client seen through keyPrefix. */
  private readonly kv: Namespace;
  private readonly watchers = new Set<Watcher>();

  /** endpoint: e.g. http://127.0.0.1:2379. keyPrefix: prepended to every key. */
  constructor(endpoint: string, keyPrefix = '') {
    this.client = new Etcd3({ hosts: endpoint });
    this.kv = this.client.namespace(keyPrefix);
  }

  async currentRevision(): Promise<number> {
    const response = await this.kv.get(PROBE_KEY).exec();
    return Number(response.header.revision);
  }

  async get(key: string): Promise<KeyValue | undefined> {
    const response = await this.kv.get(key).exec();
    const kv = response.kvs[0];
    return kv && toKeyValue(key, kv);
  }

  async list(prefix: string, options: ListOptions = {}): Promise<ListResult> {
    // etcd reads a key range [start, end). All keys under prefix: Range.prefix.
    // Only keys after startAfter: start at startAfter + "\0", the smallest key after it.
    const range = Range.prefix(prefix);
    let start = range.start;
    if (options.startAfter !== undefined) {
      const after = Buffer.from(options.startAfter + '\0');
      if (Buffer.compare(after, start) > 0) start = after;
    }
    const request = this.kv.getAll().inRange({ start, end: range.end });
    if (options.revision !== undefined) request.revision(options.revision);
    if (options.limit !== undefined) request.limit(options.limit);
    try {
      const response = await request.exec();
      return {
        items: response.kvs.map((kv) => toKeyValue(kv.key.toString(), kv)),
        revision: options.revision ?? Number(response.header.revision),
        more: response.more,
      };
    } catch (error) {
      if (isCompactedError(error)) {
        throw new CompactedError(options.revision ?? 0, await this.compactedRevision());
      }
      throw error;
    }
  }

  async create(key: string, value: string): Promise<KeyValue> {
    // A key that does not exist has create_revision 0.
    const result = await this.kv
      .if(key, 'Create', '==', 0)
      .then(this.kv.put(key).value(value))
      .commit();
    if (!result.succeeded) throw new KeyExistsError(key);
    const revision = Number(result.header.revision);
    return { key, value, createRevision: revision, modRevision: revision };
  }

  async update(key: string, value: string, expectedModRevision: number): Promise<KeyValue> {
    // A missing key has mod_revision 0, so also require that it exists (version > 0):
    // an update must never create a key.
    const result = await this.kv
      .if(key, 'Mod', '==', expectedModRevision)
      .and(key, 'Version', '>', 0)
      .then(this.kv.put(key).value(value), this.kv.get(key)) // the get sees the put: ops run in order
      .else(this.kv.get(key))
      .commit();
    if (result.succeeded) return toKeyValue(key, result.responses[1].response_range.kvs[0]);
    const current = result.responses[0].response_range.kvs[0];
    if (!current) throw new NotFoundError(key);
    throw new ConflictError(key, expectedModRevision, Number(current.mod_revision));
  }

  async delete(key: string, expectedModRevision?: number): Promise<{ kv: KeyValue; revision: number }> {
    let txn = this.kv.if(key, 'Version', '>', 0);
    if (expectedModRevision !== undefined) txn = txn.and(key, 'Mod', '==', expectedModRevision);
    // Read the value in the same transaction, just before deleting it.
    const result = await txn
      .then(this.kv.get(key), this.kv.delete().key(key))
      .else(this.kv.get(key))
      .commit();
    const current = result.responses[0].response_range.kvs[0];
    if (!current) throw new NotFoundError(key);
    if (!result.succeeded) throw new ConflictError(key, expectedModRevision ?? 0, Number(current.mod_revision));
    return { kv: toKeyValue(key, current), revision: Number(result.header.revision) };
  }

  watch(prefix: string, afterRevision: number, handlers: WatchHandlers): Watch {
    let next = afterRevision + 1; // the oldest revision this watch still needs
    let stopped = false;
    // watcher() rather than create(): create() resolves only after etcd confirms the
    // watch, and events sent right behind that confirmation could arrive before we
    // had attached our listeners.
    const watcher = this.kv.watch().prefix(prefix).startRevision(String(next)).withPreviousKV().watcher();
    this.watchers.add(watcher);

    watcher.on('data', (response) => {
      for (const event of response.events) {
        if (stopped) return;
        const watchEvent = toWatchEvent(event);
        next = (watchEvent.type === 'put' ? watchEvent.kv.modRevision : watchEvent.revision) + 1;
        handlers.onEvent(watchEvent);
      }
    });

    // etcd cancels a watch whose start revision was compacted, without saying why in
    // the message; the client reports it as "Watcher canceled". Check for that case.
    watcher.on('error', (error: Error) => {
      if (stopped) return;
      stopped = true;
      this.watchers.delete(watcher);
      this.explainWatchError(error, next).then((explained) => handlers.onError(explained));
    });

    return {
      cancel: () => {
        if (stopped) return;
        stopped = true;
        this.watchers.delete(watcher);
        watcher.cancel().catch(() => {});
      },
    };
  }

  async compact(revision: number): Promise<void> {
    try {
      // physical: wait until etcd has really dropped the old revisions.
      await this.client.kv.compact({ revision, physical: true });
    } catch (error) {
      // Already compacted at or past this revision: nothing to do.
      if (isCompactedError(error)) return;
      throw error;
    }
  }

  /**
   * etcd has no call that returns its compacted revision, but a read at a compacted
   * revision fails. So this searches for the oldest revision that can still be read,
   * halving the interval each time (about 20 reads for a million revisions).
   */
  async compactedRevision(): Promise<number> {
    let low = 1;
    let high = await this.currentRevision(); // the current revision can always be read
    while (low < high) {
      const middle = Math.floor((low + high) / 2);
      if (await this.canReadAt(middle)) high = middle;
      else low = middle + 1;
    }
    return low;
  }

  async close(): Promise<void> {
    const watchers = [...this.watchers];
    this.watchers.clear();
    await Promise.all(watchers.map((watcher) => watcher.cancel().catch(() => {})));
    this.client.close();
  }

  private async canReadAt(revision: number): Promise<boolean> {
    try {
      await this.kv.get(PROBE_KEY).revision(revision).exec();
      return true;
    } catch (error) {
      if (isCompactedError(error)) return false;
      throw error;
    }
  }

  private async explainWatchError(error: Error, needed: number): Promise<Error> {
    try {
      const compacted = await this.compactedRevision();
      return needed < compacted ? new CompactedError(needed, compacted) : error;
    } catch {
      return error;
    }
  }
}
