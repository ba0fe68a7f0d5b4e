// maxSurge and maxUnavailable: how far a rolling update may stray from
// spec.replicas (ResolveFenceposts in pkg/controller/deployment/util/deployment_util.go).
//
// Each is a number of pods or a percentage of spec.replicas. A percentage of
// maxSurge rounds up and one of maxUnavailable rounds down, so that a rollout
// of a small Deployment can still move: 25% of 3 replicas gives a surge of 1
// and an unavailability of 0 (at most 4 pods, at least 3 available).

import type { KubeObject } from '../../api/types.ts';

export type IntOrPercent = number | string;

/**
 * A value for `total` replicas: the number itself, or the percentage of total
 * rounded up or down (intstr.GetScaledValueFromIntOrPercent). A string that
 * is no percentage is invalid; validation refuses it, and the result is 0.
 */
export function scaledValue(value: IntOrPercent | undefined, total: number, roundUp: boolean): number {
  if (value === undefined || value === null) return 0;
  if (typeof value === 'number') return value;
  const match = /^(\d+)%$/.exec(value);
  if (!match) return 0;
  const exact = (Number(match[1]) * total) / 100;
  return roundUp ? Math.ceil(exact) : Math.floor(exact);
}

// LAB(deployments) begin: how many pods above and below spec.replicas (ResolveFenceposts)
/** The surge and the unavailability a rolling update of `desired` replicas allows. */
export function resolveFenceposts(maxSurge: IntOrPercent | undefined, maxUnavailable: IntOrPercent | undefined, desired: number): { surge: number; unavailable: number } {
  const surge = scaledValue(maxSurge ?? 0, desired, true);
  let unavailable = scaledValue(maxUnavailable ?? 0, desired, false);
  // Validation refuses 0 and 0, but rounding down can still get there (25% of 2 is 0):
  // then one pod may be unavailable, since a surge might be impossible (a quota).
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { surge, unavailable };
}
// LAB end

export function isRollingUpdate(d: KubeObject): boolean {
  return (d.spec?.strategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
}

export function desiredReplicas(d: KubeObject): number {
  return d.spec?.replicas ?? 1;
}

/** The surge of this Deployment; 0 for Recreate (MaxSurge). */
export function maxSurge(d: KubeObject): number {
  if (!isRollingUpdate(d)) return 0;
  const ru = d.spec.strategy?.rollingUpdate ?? {};
  return resolveFenceposts(ru.maxSurge, ru.maxUnavailable, desiredReplicas(d)).surge;
}

/** The unavailability of this Deployment, never more than its replicas; 0 for Recreate (MaxUnavailable). */
export function maxUnavailable(d: KubeObject): number {
  const replicas = desiredReplicas(d);
  if (!isRollingUpdate(d) || replicas === 0) return 0;
  const ru = d.spec.strategy?.rollingUpdate ?? {};
  return Math.min(replicas, resolveFenceposts(ru.maxSurge, ru.maxUnavailable, replicas).unavailable);
}
