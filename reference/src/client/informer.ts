// An informer: a local, always-fresh copy of one kind of object, kept by the
// list-then-watch pattern every Kubernetes component uses (client-go's
// SharedInformer, much reduced).
//
//   1. LIST the objects; remember the list's resourceVersion;
//   2. WATCH from that resourceVersion: every change after the list arrives,
//      in order, and updates the cache;
//   3. when the watch ends, watch again from the last resourceVersion seen;
//      when the server says 410 Expired (that history is gone), go back to 1.
//
// Handlers only hear about changes; they must not modify the objects they get
// (the cache shares them): copy first.

import type { KubeObject } from '../api/types.ts';
import { ApiStatusError, type ApiClient, type WatchHandle } from './api-client.ts';
import { resourcePath, withQuery, type ResourceRef } from './paths.ts';

export interface InformerOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
}

export interface EventHandlers<T> {
  onAdd?(obj: T): void;
  onUpdate?(oldObj: T, newObj: T): void;
  onDelete?(obj: T): void;
}

/** The cache key of an object: "namespace/name", or "name" for cluster-scoped kinds (client-go's MetaNamespaceKeyFunc). */
export function keyOf(obj: KubeObject): string {
  return obj.metadata.namespace ? `${obj.metadata.namespace}/${obj.metadata.name}` : obj.metadata.name!;
}

export function splitKey(key: string): { namespace?: string; name: string } {
  const slash = key.indexOf('/');
  return slash < 0 ? { name: key } : { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

const RETRY_MS = 1000;

export class Informer<T extends KubeObject = KubeObject> {
  private readonly cache = new Map<string, T>();
  private readonly handlers: EventHandlers<T>[] = [];
  private resourceVersion = '';
  private watch?: WatchHandle;
  private stopped = false;
  private synced = false;
  private syncWaiters: (() => void)[] = [];
  private retryTimer?: NodeJS.Timeout;

  constructor(private readonly client: ApiClient, private readonly resource: ResourceRef, private readonly options: InformerOptions = {}) {}

  addEventHandler(handlers: EventHandlers<T>): void {
    this.handlers.push(handlers);
  }

  /** Starts listing and watching; resolves once the first list is in the cache. */
  start(): Promise<void> {
    void this.relist();
    return this.waitForSync();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.watch?.stop();
  }

  get hasSynced(): boolean {
    return this.synced;
  }

  waitForSync(): Promise<void> {
    if (this.synced) return Promise.resolve();
    return new Promise((resolve) => this.syncWaiters.push(resolve));
  }

  get(key: string): T | undefined {
    return this.cache.get(key);
  }

  list(): T[] {
    return [...this.cache.values()];
  }

  private query(extra: Record<string, string | undefined>): string {
    const path = resourcePath(this.resource, this.options.namespace);
    return withQuery(path, { labelSelector: this.options.labelSelector, fieldSelector: this.options.fieldSelector, ...extra });
  }

  /** Step 1: list, and bring the cache (and the handlers) in line with what the list says. */
  private async relist(): Promise<void> {
    if (this.stopped) return;
    try {
      const list = await this.client.get<{ metadata: { resourceVersion: string }; items: T[] }>(this.query({}));
      const seen = new Set<string>();
      for (const item of list.items) {
        const key = keyOf(item);
        seen.add(key);
        this.apply('MODIFIED', item);
      }
      for (const [key, old] of this.cache) {
        if (!seen.has(key)) this.apply('DELETED', old);
      }
      this.resourceVersion = list.metadata.resourceVersion;
      if (!this.synced) {
        this.synced = true;
        for (const waiter of this.syncWaiters.splice(0)) waiter();
      }
      this.startWatch();
    } catch {
      // The API server may be down (or restarting): keep the cache and try again.
      this.retryLater(() => this.relist());
    }
  }

  /** Step 2: follow every change after the resourceVersion we have. */
  private startWatch(): void {
    if (this.stopped) return;
    const path = this.query({ watch: '1', resourceVersion: this.resourceVersion, allowWatchBookmarks: 'true' });
    this.watch = this.client.watch(
      path,
      (type, object) => {
        if (object?.metadata?.resourceVersion) this.resourceVersion = object.metadata.resourceVersion;
        if (type !== 'BOOKMARK') this.apply(type, object as T);
      },
      (error) => {
        if (this.stopped) return;
        // Step 3: 410 means our resourceVersion is too old to resume from: list again.
        if (error instanceof ApiStatusError && error.code === 410) this.retryLater(() => this.relist(), 0);
        else if (error) this.retryLater(() => this.startWatch());
        else this.startWatch();
      },
    );
  }

  private retryLater(work: () => void, delayMs = RETRY_MS): void {
    if (this.stopped) return;
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(work, delayMs);
  }

  /** Updates the cache and tells the handlers what changed. */
  private apply(type: string, obj: T): void {
    const key = keyOf(obj);
    const old = this.cache.get(key);
    if (type === 'DELETED') {
      if (!old) return;
      this.cache.delete(key);
      for (const h of this.handlers) h.onDelete?.(obj);
      return;
    }
    if (old && old.metadata.resourceVersion === obj.metadata.resourceVersion) return; // a relist of an unchanged object
    this.cache.set(key, obj);
    for (const h of this.handlers) {
      if (old) h.onUpdate?.(old, obj);
      else h.onAdd?.(obj);
    }
  }
}
