// The status a ReplicaSet reports (calculateStatus in
// pkg/controller/replicaset/replica_set_utils.go). Deployments, `kubectl get rs`
// and `kubectl rollout status` read these numbers.

import type { KubeObject } from '../../api/types.ts';
import { isPodAvailable, isPodReady } from '../pods.ts';
import { hasLabels } from '../selectors.ts';
import { apiTime } from '../../api/time.ts';

export interface ReplicaFailure {
  reason: 'FailedCreate' | 'FailedDelete';
  message: string;
}

// LAB(replicasets) begin: a ReplicaSet's status from its pods (calculateStatus)
/** pods: the active pods the ReplicaSet owns. */
export function replicaSetStatus(rs: KubeObject, pods: KubeObject[], failure: ReplicaFailure | undefined, now = Date.now()): Record<string, unknown> {
  const minReadySeconds = rs.spec?.minReadySeconds ?? 0;
  const templateLabels = rs.spec?.template?.metadata?.labels ?? {};
  const status: Record<string, unknown> = {
    replicas: pods.length,
    fullyLabeledReplicas: pods.filter((p) => hasLabels(p, templateLabels)).length,
    readyReplicas: pods.filter(isPodReady).length,
    availableReplicas: pods.filter((p) => isPodAvailable(p, minReadySeconds, now)).length,
    observedGeneration: rs.metadata.generation,
  };
  // A failed create or delete (a quota, a bad template) shows as a ReplicaFailure condition until it works again.
  const previous = (rs.status?.conditions ?? []).find((c: { type: string }) => c.type === 'ReplicaFailure');
  if (failure) {
    const same = previous?.reason === failure.reason && previous?.message === failure.message;
    status.conditions = [{
      type: 'ReplicaFailure', status: 'True', reason: failure.reason, message: failure.message,
      lastTransitionTime: same ? previous.lastTransitionTime : apiTime(now),
    }];
  }
  return status;
}
// LAB end
