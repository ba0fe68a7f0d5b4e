// Expectations: what a controller is still waiting to see in its cache.
//
// A controller creates pods through the API, but it counts them in its
// informer's cache, which hears of them a moment later. Without expectations a
// second reconcile in that moment would see too few pods and create more. So
// the ReplicaSet controller writes down "3 creations, 1 deletion to come" and
// does not count again until the cache has caught up (or a long time passed,
// in case an event was lost). (client-go: pkg/controller/controller_utils.go
// ControllerExpectations, with its 5-minute ExpectationsTimeout.)

const TIMEOUT_MS = 5 * 60 * 1000;

interface Pending {
  creations: number;
  /** The keys of the pods we deleted and have not yet seen go. */
  deletions: Set<string>;
  since: number;
}

export class Expectations {
  private readonly pending = new Map<string, Pending>();

  /** Expects `creations` new objects and the deletion of `deletions`, for the controller key. */
  expect(key: string, creations: number, deletions: string[] = []): void {
    this.pending.set(key, { creations, deletions: new Set(deletions), since: Date.now() });
  }

  creationObserved(key: string): void {
    const p = this.pending.get(key);
    if (p && p.creations > 0) p.creations--;
  }

  deletionObserved(key: string, objectKey: string): void {
    this.pending.get(key)?.deletions.delete(objectKey);
  }

  /** Whether the cache has seen everything expected, so counting it now is safe. */
  satisfied(key: string): boolean {
    const p = this.pending.get(key);
    if (!p) return true;
    if ((p.creations <= 0 && p.deletions.size === 0) || Date.now() - p.since > TIMEOUT_MS) {
      this.pending.delete(key);
      return true;
    }
    return false;
  }

  forget(key: string): void {
    this.pending.delete(key);
  }
}
