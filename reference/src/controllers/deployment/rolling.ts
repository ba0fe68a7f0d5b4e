// The RollingUpdate strategy (pkg/controller/deployment/rolling.go): replace
// pods a few at a time, so that while the template changes
//
//   pods (not terminating)  ≤  replicas + maxSurge
//   available pods          ≥  replicas − maxUnavailable
//
// Each reconcile makes one move: scale the new ReplicaSet up as far as the
// surge allows; if it cannot grow, scale old ReplicaSets down as far as
// availability allows; then report status. Pods becoming available (seen in
// the ReplicaSets' status) wake the controller for the next move.
// https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#rolling-update-deployment
//
// The controller sees pods only through the ReplicaSets' status, which lags:
// just after a scale-down, a ReplicaSet's status still counts the pods its
// controller is about to delete. Kubernetes plans with spec.replicas and
// status.availableReplicas as they are, and so may, for a moment, start a new
// pod before an old one is gone or count an old pod as available twice. Here
// a ReplicaSet counts as max(spec, status.replicas) pods and as at most
// spec.replicas available ones (podsAtMost, availableAtLeast), which keeps both
// bounds at every moment (reference/DEVIATIONS.md).

import type { KubeObject } from '../../api/types.ts';
import { desiredReplicas, maxSurge, maxUnavailable } from './fenceposts.ts';
import { deploymentComplete } from './progress.ts';
import { activeReplicaSets, availableAtLeast, byCreation, podsAtMost, specReplicas, type Scaling } from './replica-sets.ts';
import type { Rollout } from './rollout.ts';

export async function rolloutRolling(r: Rollout, rsList: KubeObject[]): Promise<void> {
  const { newRS, oldRSs } = await r.replicaSets(rsList, true);
  if (!newRS) return;
  const allRSs = [...oldRSs, newRS];

  const target = newReplicaSetTarget(r.d, allRSs, newRS);
  if (target !== undefined && (await r.scale(newRS, target))) return r.syncRolloutStatus(allRSs, newRS);

  const steps = oldReplicaSetsScaleDown(r.d, allRSs, activeReplicaSets(oldRSs), newRS);
  if (await r.scaleAll(steps)) return r.syncRolloutStatus(allRSs, newRS);

  // Nothing left to move: old ReplicaSets beyond the history limit can go.
  if (deploymentComplete(r.d, r.d.status)) await r.cleanup(oldRSs);
  return r.syncRolloutStatus(allRSs, newRS);
}

// LAB(deployments) begin: one step of a rolling update (NewRSNewReplicas, reconcileOldReplicaSets)
/**
 * The size the new ReplicaSet may grow to now: up to spec.replicas, as long
 * as all ReplicaSets together have at most replicas + maxSurge pods
 * (NewRSNewReplicas). Counting what the ReplicaSets were asked for, not the
 * pods seen, is what keeps the bound while pods are still being created.
 */
export function newReplicaSetReplicas(d: KubeObject, allRSs: KubeObject[], newRS: KubeObject): number {
  if (d.spec?.strategy?.type === 'Recreate') return desiredReplicas(d);
  const maxTotal = desiredReplicas(d) + maxSurge(d);
  const current = allRSs.reduce((n, rs) => n + podsAtMost(rs), 0);
  if (current >= maxTotal) return specReplicas(newRS);
  const scaleUp = Math.min(maxTotal - current, desiredReplicas(d) - specReplicas(newRS));
  return specReplicas(newRS) + scaleUp;
}

/** The new size of the new ReplicaSet, or undefined when it stays (reconcileNewReplicaSet). */
export function newReplicaSetTarget(d: KubeObject, allRSs: KubeObject[], newRS: KubeObject): number | undefined {
  const size = specReplicas(newRS);
  if (size === desiredReplicas(d)) return undefined;
  if (size > desiredReplicas(d)) return desiredReplicas(d); // someone scaled it by hand: back to spec.replicas
  const target = newReplicaSetReplicas(d, allRSs, newRS);
  return target === size ? undefined : target;
}

/**
 * How to scale old ReplicaSets down now, in order (reconcileOldReplicaSets).
 * Pods of the new ReplicaSet that are not available yet count against the
 * budget, so that a new version that never becomes ready cannot eat up the
 * old one. First the old pods that are not available anyway (they cost no
 * availability: cleanupUnhealthyReplicas), then, oldest ReplicaSet first,
 * available ones while more than replicas − maxUnavailable remain
 * (scaleDownOldReplicaSetsForRollingUpdate).
 */
export function oldReplicaSetsScaleDown(d: KubeObject, allRSs: KubeObject[], oldRSs: KubeObject[], newRS: KubeObject): Scaling[] {
  const size = (rss: KubeObject[]) => rss.reduce((n, rs) => n + specReplicas(rs), 0);
  if (size(oldRSs) === 0) return [];
  const minAvailable = desiredReplicas(d) - maxUnavailable(d);
  const newUnavailable = specReplicas(newRS) - availableAtLeast(newRS);
  const maxScaledDown = size(allRSs) - minAvailable - newUnavailable;
  if (maxScaledDown <= 0) return [];

  const steps: Scaling[] = [];
  const sizes = new Map<KubeObject, number>();
  const sorted = [...oldRSs].sort(byCreation);

  // 1. Unhealthy pods first: removing them lowers no availability.
  let cleaned = 0;
  for (const rs of sorted) {
    if (cleaned >= maxScaledDown) break;
    const unhealthy = specReplicas(rs) - availableAtLeast(rs);
    if (unhealthy === 0) continue;
    const count = Math.min(maxScaledDown - cleaned, unhealthy);
    sizes.set(rs, specReplicas(rs) - count);
    steps.push({ rs, replicas: specReplicas(rs) - count });
    cleaned += count;
  }

  // 2. Then available pods, as long as enough stay available.
  const available = allRSs.reduce((n, rs) => n + availableAtLeast(rs), 0);
  if (available <= minAvailable) return steps;
  const budget = available - minAvailable;
  let scaledDown = 0;
  for (const rs of sorted) {
    if (scaledDown >= budget) break;
    const current = sizes.get(rs) ?? specReplicas(rs);
    if (current === 0) continue;
    const count = Math.min(current, budget - scaledDown);
    steps.push({ rs, replicas: current - count });
    scaledDown += count;
  }
  return steps;
}
// LAB end
