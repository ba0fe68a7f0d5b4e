// Which pods a ReplicaSet deletes first when it has too many: the least
// valuable ones (ActivePodsWithRanks.Less in pkg/controller/controller_utils.go).
// A pod that is not running yet, or not ready, costs less to lose than one
// that serves traffic; among ready pods, the youngest goes first.

import type { KubeObject } from '../../api/types.ts';
import { isPodReady, maxRestarts, readySince } from '../pods.ts';

const PHASE_ORDER: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };
const DELETION_COST = 'controller.kubernetes.io/pod-deletion-cost';

function deletionCost(pod: KubeObject): number {
  const value = Number(pod.metadata.annotations?.[DELETION_COST] ?? 0);
  return Number.isFinite(value) ? value : 0;
}

/**
 * Sorts pods so that the ones to delete first come first. `related` are the
 * owner's other active pods: a pod on a node crowded with its siblings is
 * deleted before one that is alone on its node, to keep the spread.
 */
export function sortForScaleDown(pods: KubeObject[], related: KubeObject[]): KubeObject[] {
  const perNode = new Map<string, number>();
  for (const p of related) {
    if (p.spec?.nodeName) perNode.set(p.spec.nodeName, (perNode.get(p.spec.nodeName) ?? 0) + 1);
  }
  const crowding = (p: KubeObject) => (p.spec?.nodeName ? perNode.get(p.spec.nodeName) ?? 0 : 0);

  const steps: ((a: KubeObject, b: KubeObject) => number)[] = [
    // 1. not yet on a node < on a node
    (a, b) => Number(Boolean(a.spec?.nodeName)) - Number(Boolean(b.spec?.nodeName)),
    // 2. Pending < Unknown < Running
    (a, b) => (PHASE_ORDER[a.status?.phase] ?? 0) - (PHASE_ORDER[b.status?.phase] ?? 0),
    // 3. not ready < ready
    (a, b) => Number(isPodReady(a)) - Number(isPodReady(b)),
    // 4. lower pod-deletion-cost first
    (a, b) => deletionCost(a) - deletionCost(b),
    // 5. more siblings on the same node first
    (a, b) => crowding(b) - crowding(a),
    // 6. both ready: ready for a shorter time first
    (a, b) => (isPodReady(a) && isPodReady(b) ? readySince(b) - readySince(a) : 0),
    // 7. more container restarts first
    (a, b) => maxRestarts(b) - maxRestarts(a),
    // 8. newer first
    (a, b) => Date.parse(b.metadata.creationTimestamp ?? '') - Date.parse(a.metadata.creationTimestamp ?? ''),
  ];
  return [...pods].sort((a, b) => {
    for (const step of steps) {
      const order = step(a, b);
      if (order !== 0) return order;
    }
    return 0;
  });
}
