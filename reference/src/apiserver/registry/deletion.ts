// What a DELETE does to an object: remove it now, or only mark it.
//
// Kubernetes deletes in two phases when something still has to happen first
// (k8s.io/apiserver/pkg/registry/generic/registry/store.go, Delete):
// - finalizers: the object gets a deletionTimestamp and stays until every
//   finalizer has been removed by the controller that added it;
// - propagationPolicy Foreground / Orphan adds the garbage collector's
//   finalizer (foregroundDeletion / orphan), so the collector acts first;
// - a pod bound to a node is deleted gracefully: it gets a deletionTimestamp
//   and its grace period, and the node agent removes it once its containers
//   stopped (pkg/registry/core/pod/strategy.go CheckGracefulDelete);
// - a namespace becomes Terminating until the namespace controller emptied it.

import type { KubeObject } from '../../api/types.ts';
import { apiTime } from '../../api/time.ts';

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  preconditions?: { uid?: string; resourceVersion?: string };
  orphanDependents?: boolean;
}

export type DeletionPlan = { kind: 'remove' } | { kind: 'mark'; object: KubeObject };

/** The finalizers the garbage collector acts on (metav1.FinalizerOrphanDependents, FinalizerDeleteDependents). */
export const ORPHAN_FINALIZER = 'orphan';
export const FOREGROUND_FINALIZER = 'foregroundDeletion';

function podGracePeriod(pod: KubeObject, options: DeleteOptions): number {
  // An unscheduled pod, or one that already finished, has no containers to stop.
  if (!pod.spec?.nodeName) return 0;
  if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') return 0;
  return options.gracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? 30;
}

export function deletionPlan(current: KubeObject, options: DeleteOptions, timestamp: string): DeletionPlan {
  const obj = structuredClone(current);
  const meta = obj.metadata;
  const finalizers = [...(meta.finalizers ?? [])];
  const policy = options.propagationPolicy ?? (options.orphanDependents ? 'Orphan' : undefined);
  if (policy === 'Orphan' && !finalizers.includes(ORPHAN_FINALIZER)) finalizers.push(ORPHAN_FINALIZER);
  if (policy === 'Foreground' && !finalizers.includes(FOREGROUND_FINALIZER)) finalizers.push(FOREGROUND_FINALIZER);

  if (obj.kind === 'Namespace') {
    // The first DELETE only marks it. A later one goes through once nothing holds
    // it any more (REST Delete in pkg/registry/core/namespace/storage/storage.go).
    const specFinalizers = obj.spec?.finalizers ?? [];
    if (meta.deletionTimestamp && specFinalizers.length === 0 && finalizers.length === 0) return { kind: 'remove' };
    meta.deletionTimestamp ??= timestamp;
    meta.deletionGracePeriodSeconds ??= 0;
    meta.finalizers = finalizers.length ? finalizers : meta.finalizers;
    obj.status = { ...obj.status, phase: 'Terminating' };
    return { kind: 'mark', object: obj };
  }

  const grace = obj.kind === 'Pod' ? podGracePeriod(obj, options) : 0;
  if (finalizers.length === 0 && grace === 0) return { kind: 'remove' };

  meta.finalizers = finalizers.length ? finalizers : undefined;
  if (!meta.finalizers) delete meta.finalizers;
  if (grace > 0) {
    // A deletionTimestamp may only move earlier, never later.
    const deadline = apiTime(Date.parse(timestamp) + grace * 1000);
    if (!meta.deletionTimestamp || deadline < meta.deletionTimestamp) {
      meta.deletionTimestamp = deadline;
      meta.deletionGracePeriodSeconds = grace;
    }
  } else if (meta.deletionTimestamp && finalizers.length === 0) {
    return { kind: 'remove' };
  } else {
    meta.deletionTimestamp ??= timestamp;
    meta.deletionGracePeriodSeconds = 0;
  }
  return { kind: 'mark', object: obj };
}
