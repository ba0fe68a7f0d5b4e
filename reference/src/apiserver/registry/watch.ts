// WATCH: a stream of ADDED / MODIFIED / DELETED events for one kind, from a
// resourceVersion on (k8s.io/apiserver/pkg/storage/etcd3/watcher.go).
//
// - resourceVersion unset or "0": first an ADDED event for every existing object,
//   then every change after that ("Get State and Start at Most Recent").
// - resourceVersion N: only changes after N, replayed from the store's history,
//   so a client that reconnects with the last version it saw misses nothing.
// - N older than the compacted history: one ERROR event with a 410 Expired Status;
//   the client must list again.
// With a selector, an object that stops matching is sent as DELETED, and one that
// starts matching as ADDED, so a filtered watcher's view stays consistent.

import type { KubeObject } from '../../api/types.ts';
import { CompactedError, type KeyValue, type Store, type WatchEvent } from '../../store/store.ts';
import { badRequest, expired } from '../errors.ts';
import { storagePrefix, type ResourceType } from '../resources.ts';
import { decode } from './codec.ts';
import type { ObjectFilter } from './filter.ts';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'ERROR' | 'BOOKMARK';

export interface WatchSink {
  send(type: WatchEventType, object: unknown): void;
  /** The stream is over (an error was sent, or the store watch ended). */
  end(): void;
}

export interface WatchQuery {
  filter: ObjectFilter;
  resourceVersion?: string;
}

export function parseResourceVersion(rv: string): number {
  const n = Number(rv);
  if (!/^\d+$/.test(rv) || !Number.isSafeInteger(n)) {
    throw badRequest(`resourceVersion: Invalid value: "${rv}": must be a non-negative integer`);
  }
  return n;
}

/**
 * The store hands the same change to every watcher of a kind (the scheduler,
 * the controller manager, node agents…): it is decoded once for all of them,
 * not once per watcher. Watchers only read the objects they are given.
 */
const decodedOnce = new WeakMap<KeyValue, KubeObject>();

function decodeShared(kv: KeyValue, revision = kv.modRevision): KubeObject {
  const known = decodedOnce.get(kv);
  if (known?.metadata.resourceVersion === String(revision)) return known;
  const obj = decode(kv, revision);
  decodedOnce.set(kv, obj);
  return obj;
}

/** Turns one store change into the watch event a client of this filter should see, if any. */
function toWatchEvent(event: WatchEvent, filter: ObjectFilter): { type: WatchEventType; object: KubeObject } | undefined {
  if (event.type === 'delete') {
    // The deleted object as it was last, stamped with the revision of the delete.
    const obj = decodeShared(event.kv, event.revision);
    return filter.matches(obj) ? { type: 'DELETED', object: obj } : undefined;
  }
  const obj = decodeShared(event.kv);
  const matchesNow = filter.matches(obj);
  const matchedBefore = event.prevKv ? filter.matches(decodeShared(event.prevKv)) : false;
  if (!event.prevKv) return matchesNow ? { type: 'ADDED', object: obj } : undefined;
  if (matchesNow && matchedBefore) return { type: 'MODIFIED', object: obj };
  if (matchesNow) return { type: 'ADDED', object: obj };
  if (matchedBefore) return { type: 'DELETED', object: obj };
  return undefined;
}

/** Starts a watch; returns the function that stops it. */
export async function watchObjects(store: Store, resource: ResourceType, namespace: string | undefined, query: WatchQuery, sink: WatchSink): Promise<() => void> {
  const prefix = storagePrefix(resource, namespace);
  const rv = query.resourceVersion;
  let after: number;
  if (rv === undefined || rv === '' || rv === '0') {
    const { items, revision } = await store.list(prefix);
    for (const kv of items) {
      const obj = decode(kv);
      if (query.filter.matches(obj)) sink.send('ADDED', obj);
    }
    after = revision;
  } else {
    after = parseResourceVersion(rv);
  }

  const watch = store.watch(prefix, after, {
    onEvent(event) {
      const out = toWatchEvent(event, query.filter);
      if (out) sink.send(out.type, out.object);
    },
    onError(error) {
      if (error instanceof CompactedError) {
        sink.send('ERROR', expired(`too old resource version: ${after} (${error.compacted})`).status);
      } else {
        sink.send('ERROR', { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: error.message, reason: 'InternalError', code: 500 });
      }
      sink.end();
    },
  });
  return () => watch.cancel();
}
