// What the eviction subresource and the disruption controller both need to know
// about a PodDisruptionBudget.

import { matchesLabels, selectorFromLabelSelector } from './labels.ts';
import type { KubeObject } from './types.ts';

/**
 * Whether a budget covers a pod of its namespace. In policy/v1 an empty selector
 * `{}` selects every pod of the namespace and a missing one selects none
 * (PodDisruptionBudgetSpec.selector); an invalid selector selects nothing.
 */
export function budgetCoversPod(pdb: KubeObject, pod: KubeObject): boolean {
  if (pdb.metadata.namespace !== pod.metadata.namespace) return false;
  try {
    return matchesLabels(selectorFromLabelSelector(pdb.spec?.selector), pod.metadata.labels);
  } catch {
    return false;
  }
}

/** Ready condition True: what a budget counts as a healthy pod. */
export function isPodReadyCondition(pod: KubeObject): boolean {
  return (pod.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True');
}
