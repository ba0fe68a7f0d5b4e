// The binder's own writes, until its informers show them.
//
// Binding writes four times in a row (the volume, its status, the claim, its
// status), and each write comes back through the informers a moment later.
// Until it does, the informer still holds the older version: a reconcile that
// read it would find a half-bound pair and "finish" it again with a stale
// resourceVersion, which the API server refuses with 409 Conflict. So the
// binder remembers what it wrote and reads whichever version is newer, as
// pv_controller.go does with its own caches (storeObjectUpdate).

import type { KubeObject } from '../../api/types.ts';
import { keyOf } from '../../client/informer.ts';

/** resourceVersion as a number: Kubernetes calls it opaque, but storeObjectUpdate compares it so too. */
function revision(obj: KubeObject): number {
  return Number(obj.metadata.resourceVersion ?? 0);
}

export class OwnWrites {
  private readonly written = new Map<string, KubeObject>();

  /** An object as the API server returned it after our write. */
  remember(obj: KubeObject): KubeObject {
    this.written.set(keyOf(obj), obj);
    return obj;
  }

  /** The object is gone (deleted, or a write found it missing): nothing to remember. */
  forget(key: string): void {
    this.written.delete(key);
  }

  /** The newer of the informer's copy and our last write; once the informer has caught up, ours is dropped. */
  newest(key: string, cached: KubeObject | undefined): KubeObject | undefined {
    const mine = this.written.get(key);
    if (!mine) return cached;
    if (cached && revision(cached) >= revision(mine)) {
      this.written.delete(key);
      return cached;
    }
    return mine;
  }
}
