// DefaultTolerationSeconds, an admission plugin of the API server
// (plugin/pkg/admission/defaulttolerationseconds/admission.go in Kubernetes):
// every new pod tolerates the two taints the node lifecycle controller puts on
// a failed node, `not-ready` and `unreachable` (NoExecute), for a while
// (300 s by default; the profile's defaultTolerationSeconds here). So a pod is
// not evicted the moment its node misses a heartbeat, but it is not kept
// forever on a dead node either.

import type { KubeObject } from '../../api/types.ts';

export const NOT_READY_TAINT = 'node.kubernetes.io/not-ready';
export const UNREACHABLE_TAINT = 'node.kubernetes.io/unreachable';

interface Toleration {
  key?: string;
  operator?: string;
  effect?: string;
  tolerationSeconds?: number;
}

/**
 * Adds the default toleration for each of the two taints that no toleration of
 * the pod covers already. Like the plugin, a toleration covers the taint when
 * its key is the taint's (or empty: every key) and its effect is NoExecute (or
 * empty: every effect); the pod's own tolerations are kept as they are.
 */
export function addDefaultTolerations(pod: KubeObject, seconds: number): void {
  if (pod.kind !== 'Pod') return;
  pod.spec ??= {};
  const tolerations: Toleration[] = Array.isArray(pod.spec.tolerations) ? pod.spec.tolerations : [];
  const covers = (key: string) => tolerations.some((t) => (!t.key || t.key === key) && (!t.effect || t.effect === 'NoExecute'));
  const added = [NOT_READY_TAINT, UNREACHABLE_TAINT]
    .filter((key) => !covers(key))
    .map((key) => ({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: seconds }));
  if (added.length) pod.spec.tolerations = [...tolerations, ...added];
}
