// Noticing that the cache has not caught up with our own writes
// (pkg/controller/endpoint/endpoints_controller.go staleEndpointsTracker).
//
// A controller that writes an object and reconciles the same key again a
// moment later (a burst of pod events) may still find the old version in its
// informer's cache. Computing from it would only earn a 409 Conflict (or 409
// AlreadyExists after a create). So a controller notes each write here, and
// before the next one asks whether the cache still shows what it replaced;
// if so, it looks again a little later.

import type { KubeObject } from '../api/types.ts';

/** After this long a write counts as seen anyway (an event may be lost, the object deleted meanwhile). */
const FORGET_AFTER_MS = 5000;

export class StaleCache {
  /** object key → the resourceVersion our last write replaced ('' for a create), and when. */
  private readonly replaced = new Map<string, { version: string; at: number }>();

  /** We just wrote the object at `key`, replacing `previous` (undefined for a create). */
  wrote(key: string, previous: KubeObject | undefined): void {
    this.replaced.set(key, { version: previous?.metadata.resourceVersion ?? '', at: Date.now() });
  }

  /** Whether `cached` (the cache's version of the object at key, or undefined) is from before our last write. */
  isStale(key: string, cached: KubeObject | undefined): boolean {
    const entry = this.replaced.get(key);
    if (!entry) return false;
    if ((cached?.metadata.resourceVersion ?? '') === entry.version && Date.now() - entry.at < FORGET_AFTER_MS) return true;
    this.replaced.delete(key);
    return false;
  }

  forget(key: string): void {
    this.replaced.delete(key);
  }
}
