// What controllers ask about a pod (pkg/api/v1/pod/util.go and
// pkg/controller/controller_utils.go in Kubernetes).

import type { KubeObject } from '../api/types.ts';

/** Counts toward a controller's replicas: not being deleted and not finished (IsPodActive). */
export function isPodActive(pod: KubeObject): boolean {
  const phase = pod.status?.phase;
  return !pod.metadata.deletionTimestamp && phase !== 'Succeeded' && phase !== 'Failed';
}

function readyCondition(pod: KubeObject): { status?: string; lastTransitionTime?: string } | undefined {
  return (pod.status?.conditions ?? []).find((c: { type: string }) => c.type === 'Ready');
}

/** The pod's Ready condition is True (IsPodReady). */
export function isPodReady(pod: KubeObject): boolean {
  return readyCondition(pod)?.status === 'True';
}

/** When the pod last became ready, in ms since the epoch (0 when it is not ready). */
export function readySince(pod: KubeObject): number {
  const ready = readyCondition(pod);
  if (ready?.status !== 'True') return 0;
  return ready.lastTransitionTime ? Date.parse(ready.lastTransitionTime) : 0;
}

/**
 * Available: ready, and ready for at least minReadySeconds (IsPodAvailable).
 * minReadySeconds guards against a pod that turns ready and crashes right after.
 */
export function isPodAvailable(pod: KubeObject, minReadySeconds: number, now = Date.now()): boolean {
  if (!isPodReady(pod)) return false;
  if (minReadySeconds <= 0) return true;
  const since = readySince(pod);
  return since > 0 && since + minReadySeconds * 1000 <= now;
}

/** How long until a ready pod becomes available, in ms (0 when it already is or never will be on its own). */
export function msUntilAvailable(pod: KubeObject, minReadySeconds: number, now = Date.now()): number {
  const since = readySince(pod);
  if (since === 0 || minReadySeconds <= 0) return 0;
  return Math.max(0, since + minReadySeconds * 1000 - now);
}

/** The largest restart count among the pod's containers. */
export function maxRestarts(pod: KubeObject): number {
  return Math.max(0, ...(pod.status?.containerStatuses ?? []).map((c: { restartCount?: number }) => c.restartCount ?? 0));
}
