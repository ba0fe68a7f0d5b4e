// Compaction: forgetting old history so the store does not grow forever.
//
// Like kube-apiserver (--etcd-compaction-interval, 5 minutes by default), every
// interval the store is compacted up to the revision seen one interval earlier.
// History therefore reaches back between one and two intervals, and a watch from
// an older resourceVersion gets 410 Expired: the client must list again.

import type { Store } from '../store/store.ts';

export function startCompactor(store: Store, intervalSeconds: number): () => void {
  let previous: number | undefined;
  const timer = setInterval(async () => {
    try {
      const current = await store.currentRevision();
      if (previous !== undefined && previous > (await store.compactedRevision())) await store.compact(previous);
      previous = current;
    } catch (err) {
      console.error('compaction failed:', (err as Error).message);
    }
  }, intervalSeconds * 1000);
  timer.unref();
  return () => clearInterval(timer);
}
