// The status a PodDisruptionBudget reports (trySync, getExpectedPodCount,
// countHealthyPods, buildDisruptedPodMap and updatePdbStatus in
// pkg/controller/disruption/disruption.go). The eviction subresource trusts
// these numbers: it lets a pod go only while disruptionsAllowed > 0.

import type { KubeObject } from '../../api/types.ts';
import { isPodReady } from '../pods.ts';
import { apiTime } from '../../api/time.ts';

/** How long an eviction stays noted in disruptedPods waiting for its pod to go (DeletionTimeout). */
export const DISRUPTION_TIMEOUT_MS = 2 * 60 * 1000;

export interface BudgetCounts {
  expectedPods: number;
  desiredHealthy: number;
}

/** A percentage of `total`, rounded up ("50%" of 3 is 2), or the int itself (GetScaledValueFromIntOrPercent). */
export function scaled(value: number | string, total: number): number {
  if (typeof value === 'number') return value;
  return Math.ceil((parseInt(value, 10) * total) / 100);
}

/**
 * How many pods the budget expects and how many of them must stay healthy.
 * expectedScale is only asked for when the budget needs it (a percentage or
 * maxUnavailable); minAvailable as a number just counts the matching pods.
 */
export function budgetCounts(pdb: KubeObject, pods: KubeObject[], expectedScale: () => number): BudgetCounts {
  const { minAvailable, maxUnavailable } = pdb.spec ?? {};
  if (maxUnavailable != null) {
    const expectedPods = expectedScale();
    return { expectedPods, desiredHealthy: Math.max(0, expectedPods - scaled(maxUnavailable, expectedPods)) };
  }
  if (typeof minAvailable === 'string') {
    const expectedPods = expectedScale();
    return { expectedPods, desiredHealthy: scaled(minAvailable, expectedPods) };
  }
  return { expectedPods: pods.length, desiredHealthy: minAvailable ?? 0 };
}

// LAB(failures) begin: a PodDisruptionBudget's status: how many disruptions it allows now (updatePdbStatus)
/**
 * The budget's new status. pods: the pods its selector matches. A pod the
 * eviction subresource let go recently (status.disruptedPods) is not counted as
 * healthy, even if its deletion has not shown up yet: otherwise the same
 * disruption could be spent twice. An entry is dropped once its pod is being
 * deleted or gone, or after DISRUPTION_TIMEOUT_MS (the eviction's delete must
 * have failed). recheckAfterMs says when the oldest kept entry expires.
 */
export function budgetStatus(pdb: KubeObject, pods: KubeObject[], counts: BudgetCounts, now = Date.now()): { status: Record<string, unknown>; recheckAfterMs?: number } {
  const noted: Record<string, string> = pdb.status?.disruptedPods ?? {};
  const disruptedPods: Record<string, string> = {};
  let recheckAfterMs: number | undefined;
  for (const pod of pods) {
    const since = noted[pod.metadata.name!];
    if (!since || pod.metadata.deletionTimestamp) continue;
    const expiresIn = Date.parse(since) + DISRUPTION_TIMEOUT_MS - now;
    if (expiresIn <= 0) continue;
    disruptedPods[pod.metadata.name!] = since;
    recheckAfterMs = Math.min(recheckAfterMs ?? expiresIn, expiresIn);
  }
  const currentHealthy = pods.filter((p) => !p.metadata.deletionTimestamp && isPodReady(p) && !disruptedPods[p.metadata.name!]).length;
  // A budget that expects no pods allows nothing (updatePdbStatus).
  const disruptionsAllowed = counts.expectedPods <= 0 ? 0 : Math.max(0, currentHealthy - counts.desiredHealthy);
  const status: Record<string, unknown> = {
    observedGeneration: pdb.metadata.generation,
    ...(Object.keys(disruptedPods).length ? { disruptedPods } : {}),
    disruptionsAllowed,
    currentHealthy,
    desiredHealthy: counts.desiredHealthy,
    expectedPods: counts.expectedPods,
    conditions: [disruptionAllowedCondition(pdb, disruptionsAllowed > 0 ? 'True' : 'False', disruptionsAllowed > 0 ? 'SufficientPods' : 'InsufficientPods', '', now)],
  };
  return { status, recheckAfterMs };
}
// LAB end

/**
 * The status of a budget whose expected count cannot be worked out (a pod
 * without a controller, for a percentage budget): no disruption is allowed
 * (failSafe in disruption.go, condition reason SyncFailed).
 */
export function failSafeStatus(pdb: KubeObject, message: string, now = Date.now()): Record<string, unknown> {
  return {
    ...pdb.status,
    observedGeneration: pdb.metadata.generation,
    disruptionsAllowed: 0,
    conditions: [disruptionAllowedCondition(pdb, 'False', 'SyncFailed', message, now)],
  };
}

/** The DisruptionAllowed condition; its lastTransitionTime moves only when its status does. */
function disruptionAllowedCondition(pdb: KubeObject, status: 'True' | 'False', reason: string, message: string, now: number) {
  const previous = (pdb.status?.conditions ?? []).find((c: { type: string }) => c.type === 'DisruptionAllowed');
  return {
    type: 'DisruptionAllowed', status, reason, message,
    observedGeneration: pdb.metadata.generation,
    lastTransitionTime: previous?.status === status ? previous.lastTransitionTime : apiTime(now),
  };
}
