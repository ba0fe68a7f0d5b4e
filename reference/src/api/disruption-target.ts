// The DisruptionTarget pod condition: whoever is about to delete a pod for a
// reason of its own (a NoExecute taint, an eviction) says so on the pod first,
// so that the pod's owner (a Job's pod failure policy, say) can tell a
// disruption from the pod's own failure.
// https://kubernetes.io/docs/concepts/workloads/pods/disruptions/#pod-disruption-conditions
// (beta and on by default since Kubernetes 1.26, GA in 1.31).

import type { KubeObject } from './types.ts';

export const DISRUPTION_TARGET = 'DisruptionTarget';

export interface DisruptionReason {
  reason: string;
  message: string;
}

/** Set by the taint eviction controller (addConditionAndDeletePod in pkg/controller/tainteviction/taint_eviction.go). */
export const BY_TAINT_MANAGER: DisruptionReason = {
  reason: 'DeletionByTaintManager',
  message: 'Taint manager: deleting due to NoExecute taint',
};

/** Set by the eviction subresource (addConditionAndDeletePod in pkg/registry/core/pod/storage/eviction.go). */
export const BY_EVICTION_API: DisruptionReason = {
  reason: 'EvictionByEvictionAPI',
  message: 'Eviction API: evicting',
};

/**
 * The pod's status with DisruptionTarget=True for this reason, or undefined
 * when the pod already says exactly that. As UpdatePodCondition
 * (pkg/api/v1/pod/util.go) does, the transition time changes only when the
 * condition's status does.
 */
export function withDisruptionTarget(pod: KubeObject, why: DisruptionReason, now: string): Record<string, any> | undefined {
  const conditions: any[] = pod.status?.conditions ?? [];
  const old = conditions.find((c) => c.type === DISRUPTION_TARGET);
  if (old?.status === 'True' && old.reason === why.reason && old.message === why.message) return undefined;
  const lastTransitionTime = old?.status === 'True' && old.lastTransitionTime ? old.lastTransitionTime : now;
  const condition = { type: DISRUPTION_TARGET, status: 'True', lastProbeTime: null, lastTransitionTime, ...why };
  const others = conditions.filter((c) => c.type !== DISRUPTION_TARGET);
  return { ...pod.status, conditions: [...others, condition] };
}
