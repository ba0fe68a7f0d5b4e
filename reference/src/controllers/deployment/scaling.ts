// Scaling a Deployment, and everything a paused Deployment still does
// (sync, scale and isScalingEvent in pkg/controller/deployment/sync.go).
//
// A change of spec.replicas alone is no rollout: the ReplicaSets are resized,
// and no new one is made. With one active ReplicaSet it simply gets the new
// size. In the middle of a rolling update (several active ReplicaSets), the
// difference is shared among them in proportion to their sizes, so that the
// rollout goes on from where it was ("proportional scaling",
// https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#proportional-scaling).
// The desired-replicas annotation each ReplicaSet carries is how the
// controller notices that spec.replicas changed since it last scaled them.

import type { KubeObject } from '../../api/types.ts';
import { desiredReplicas, isRollingUpdate, maxSurge } from './fenceposts.ts';
import { activeReplicaSets, byCreation, bySizeNewer, bySizeOlder, replicaCount, specReplicas, type Scaling } from './replica-sets.ts';
import { DESIRED_REPLICAS, MAX_REPLICAS } from './revisions.ts';
import type { Rollout } from './rollout.ts';

/** Scales the ReplicaSets to spec.replicas without rolling out a new template (sync). */
export async function syncReplicas(r: Rollout, rsList: KubeObject[]): Promise<void> {
  const { newRS, oldRSs } = await r.replicaSets(rsList, false);
  await r.scaleAll(scaleReplicaSets(r.d, newRS, oldRSs), true);
  // A paused Deployment makes no rollout progress, so its history is cleaned here.
  if (r.d.spec?.paused) await r.cleanup(oldRSs);
  return r.syncDeploymentStatus([...oldRSs, newRS], newRS);
}

/** A non-negative whole number from an annotation, if it holds one. */
function annotationNumber(rs: KubeObject, key: string): number | undefined {
  const text = rs.metadata.annotations?.[key];
  const n = Number(text);
  return text !== undefined && text !== '' && Number.isInteger(n) && n >= 0 ? n : undefined;
}

/** Whether spec.replicas differs from the size an active ReplicaSet was last scaled for (isScalingEvent). */
export function isScalingEvent(d: KubeObject, newRS: KubeObject | undefined, oldRSs: KubeObject[]): boolean {
  return activeReplicaSets([...oldRSs, newRS]).some((rs) => {
    const desired = annotationNumber(rs, DESIRED_REPLICAS);
    return desired !== undefined && desired !== desiredReplicas(d);
  });
}

/** The one ReplicaSet to give every replica to: the only active one, or the newest when none is active (FindActiveOrLatest). */
function activeOrLatest(newRS: KubeObject | undefined, oldRSs: KubeObject[]): KubeObject | undefined {
  const newestFirst = [...oldRSs].sort(byCreation).reverse();
  const active = activeReplicaSets([...newestFirst, newRS]);
  if (active.length === 0) return newRS ?? newestFirst[0];
  return active.length === 1 ? active[0] : undefined;
}

/** The new ReplicaSet has all replicas, all available, for this very size (IsSaturated). */
function isSaturated(d: KubeObject, rs: KubeObject | undefined): boolean {
  if (!rs) return false;
  const replicas = desiredReplicas(d);
  return specReplicas(rs) === replicas && annotationNumber(rs, DESIRED_REPLICAS) === replicas && (rs.status?.availableReplicas ?? 0) === replicas;
}

// LAB(deployments) begin: proportional scaling (scale in sync.go)
/**
 * The sizes to give the ReplicaSets after spec.replicas changed. In the
 * proportional case every active ReplicaSet is listed, so that its size
 * annotations are brought up to date even when its size stays.
 */
export function scaleReplicaSets(d: KubeObject, newRS: KubeObject | undefined, oldRSs: KubeObject[]): Scaling[] {
  const only = activeOrLatest(newRS, oldRSs);
  if (only) return specReplicas(only) === desiredReplicas(d) ? [] : [{ rs: only, replicas: desiredReplicas(d) }];

  // The new ReplicaSet is complete: whatever old ones still run can go.
  if (isSaturated(d, newRS)) return activeReplicaSets(oldRSs).map((rs) => ({ rs, replicas: 0 }));
  if (!isRollingUpdate(d)) return [];

  const rss = activeReplicaSets([...oldRSs, newRS]);
  const allowed = desiredReplicas(d) > 0 ? desiredReplicas(d) + maxSurge(d) : 0;
  const toAdd = allowed - replicaCount(rss);
  // Largest first: the leftover of the rounding goes to it. Of equal sizes, the
  // newer grows first and the older shrinks first.
  if (toAdd > 0) rss.sort(bySizeNewer);
  else if (toAdd < 0) rss.sort(bySizeOlder);

  let added = 0;
  const sizes = rss.map((rs) => {
    if (toAdd === 0) return specReplicas(rs);
    const share = proportion(rs, d, toAdd, added);
    added += share;
    return specReplicas(rs) + share;
  });
  if (toAdd !== 0 && sizes.length) sizes[0] = Math.max(0, sizes[0] + toAdd - added);
  return rss.map((rs, i) => ({ rs, replicas: sizes[i] }));
}

/** rs's share of the `toAdd` replicas (negative: to remove), `added` being given out already (GetReplicaSetProportion). */
export function proportion(rs: KubeObject, d: KubeObject, toAdd: number, added: number): number {
  if (specReplicas(rs) === 0 || toAdd === 0 || toAdd === added) return 0;
  const fraction = replicaSetFraction(rs, d);
  const allowed = toAdd - added;
  // Never give out more than is left to give (or take).
  return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
}

/**
 * How much rs grows (or shrinks) when the Deployment's maximum size goes from
 * what its max-replicas annotation says to replicas + maxSurge now (getReplicaSetFraction).
 */
function replicaSetFraction(rs: KubeObject, d: KubeObject): number {
  if (desiredReplicas(d) === 0) return -specReplicas(rs);
  const maxNow = desiredReplicas(d) + maxSurge(d);
  let maxBefore = annotationNumber(rs, MAX_REPLICAS) ?? 0;
  if (maxBefore === 0) {
    // No annotation (edited by hand, or scaled up from 0): fall back on the pods the Deployment has.
    maxBefore = d.status?.replicas ?? 0;
    if (maxBefore === 0) return 0;
  }
  const exact = (specReplicas(rs) * maxNow) / maxBefore;
  return roundHalfAwayFromZero(exact) - specReplicas(rs);
}

/** integer.RoundToInt32 */
function roundHalfAwayFromZero(x: number): number {
  return x < 0 ? Math.trunc(x - 0.5) : Math.trunc(x + 0.5);
}
// LAB end
