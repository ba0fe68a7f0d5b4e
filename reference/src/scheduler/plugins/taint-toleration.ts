// Filter TaintToleration (pkg/scheduler/framework/plugins/tainttoleration):
// a node's NoSchedule and NoExecute taints keep away every pod that does not
// tolerate them. PreferNoSchedule taints only discourage, so filtering ignores them.
//
//   taint      {key: gpu, value: "true", effect: NoSchedule}       on the node
//   toleration {key: gpu, operator: Equal, value: "true"}          on the pod

import { SUCCESS, unresolvable, type FilterPlugin, type NodeInfo, type PodInfo, type Status } from '../framework.ts';

export interface Taint {
  key: string;
  value?: string;
  effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
}

export interface Toleration {
  key?: string;
  operator?: 'Equal' | 'Exists';
  value?: string;
  effect?: string;
  tolerationSeconds?: number;
}

// LAB(scheduler) begin: does a toleration match a taint? (core/v1 Toleration.ToleratesTaint)
/**
 * An empty effect matches every effect; an empty key (with Exists) matches every
 * key; Exists ignores the value; Equal (the default operator) wants the same value.
 */
export function toleratesTaint(toleration: Toleration, taint: Taint): boolean {
  if (toleration.effect && toleration.effect !== taint.effect) return false;
  if (toleration.key && toleration.key !== taint.key) return false;
  switch (toleration.operator ?? 'Equal') {
    case 'Exists':
      return true;
    case 'Equal':
      return (toleration.value ?? '') === (taint.value ?? '');
    default:
      return false;
  }
}

/** The first taint with one of these effects that no toleration matches, if any. */
export function findUntoleratedTaint(taints: Taint[], tolerations: Toleration[], effects: readonly string[]): Taint | undefined {
  return taints.find((taint) => effects.includes(taint.effect) && !tolerations.some((t) => toleratesTaint(t, taint)));
}
// LAB end

/** The words kube-scheduler uses, e.g. `node(s) had untolerated taint {dedicated: gpu}`. */
export function untoleratedTaintReason(taint: Taint): string {
  return `node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`;
}

const FILTERED_EFFECTS = ['NoSchedule', 'NoExecute'] as const;

export const taintToleration: FilterPlugin = {
  name: 'TaintToleration',
  filter(pod: PodInfo, node: NodeInfo): Status {
    const taints: Taint[] = node.node?.spec?.taints ?? [];
    if (taints.length === 0) return SUCCESS;
    // LAB(scheduler) begin: the filter itself
    const taint = findUntoleratedTaint(taints, pod.pod.spec?.tolerations ?? [], FILTERED_EFFECTS);
    // No preemption can remove a taint: unresolvable.
    return taint ? unresolvable(untoleratedTaintReason(taint)) : SUCCESS;
    // LAB end
  },
};
