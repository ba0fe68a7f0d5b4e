// What the Deployment controller asks about a list of its ReplicaSets: sizes,
// sums, and the orders it walks them in (pkg/controller/deployment/util and
// pkg/controller/controller_utils.go in Kubernetes).
//
// Two numbers per ReplicaSet matter and must not be confused:
// - spec.replicas, what the Deployment asked of it: the controller plans with
//   these, because they are what it decided and they are never stale;
// - status.replicas / availableReplicas, what its own controller reports:
//   pods that exist and pods that serve.

import type { KubeObject } from '../../api/types.ts';

/** One step of a plan: set this ReplicaSet's spec.replicas to `replicas`. */
export interface Scaling {
  rs: KubeObject;
  replicas: number;
}

export function specReplicas(rs: KubeObject | undefined): number {
  return rs?.spec?.replicas ?? 1;
}

const present = (rss: (KubeObject | undefined)[]) => rss.filter((rs): rs is KubeObject => rs !== undefined);

/** Σ spec.replicas (GetReplicaCountForReplicaSets). */
export function replicaCount(rss: (KubeObject | undefined)[]): number {
  return present(rss).reduce((n, rs) => n + specReplicas(rs), 0);
}

/** Σ status.replicas: the pods that exist (GetActualReplicaCountForReplicaSets). */
export function actualReplicaCount(rss: (KubeObject | undefined)[]): number {
  return present(rss).reduce((n, rs) => n + (rs.status?.replicas ?? 0), 0);
}

export function readyReplicaCount(rss: (KubeObject | undefined)[]): number {
  return present(rss).reduce((n, rs) => n + (rs.status?.readyReplicas ?? 0), 0);
}

export function availableReplicaCount(rss: (KubeObject | undefined)[]): number {
  return present(rss).reduce((n, rs) => n + (rs.status?.availableReplicas ?? 0), 0);
}

/**
 * The pods a ReplicaSet may still have: its size, or more while its
 * controller has not yet removed the surplus of a scale-down (its status
 * still counts them). Kubernetes counts spec.replicas alone (see rolling.ts).
 */
export function podsAtMost(rs: KubeObject): number {
  return Math.max(specReplicas(rs), rs.status?.replicas ?? 0);
}

/**
 * The available pods a ReplicaSet keeps: never more than its size, even while
 * its status still counts available pods that it is about to delete.
 * Kubernetes counts status.availableReplicas alone (see rolling.ts).
 */
export function availableAtLeast(rs: KubeObject): number {
  return Math.min(specReplicas(rs), rs.status?.availableReplicas ?? 0);
}

/** The ReplicaSets asked for at least one pod (FilterActiveReplicaSets). */
export function activeReplicaSets(rss: (KubeObject | undefined)[]): KubeObject[] {
  return present(rss).filter((rs) => specReplicas(rs) > 0);
}

const created = (rs: KubeObject) => Date.parse(rs.metadata.creationTimestamp ?? '') || 0;

/** Oldest first, then by name (ReplicaSetsByCreationTimestamp). */
export function byCreation(a: KubeObject, b: KubeObject): number {
  return created(a) - created(b) || (a.metadata.name! < b.metadata.name! ? -1 : a.metadata.name! > b.metadata.name! ? 1 : 0);
}

/** Largest first; of equal size the newest first: scaling up favours the newer (ReplicaSetsBySizeNewer). */
export function bySizeNewer(a: KubeObject, b: KubeObject): number {
  return specReplicas(b) - specReplicas(a) || byCreation(b, a);
}

/** Largest first; of equal size the oldest first: scaling down favours the older (ReplicaSetsBySizeOlder). */
export function bySizeOlder(a: KubeObject, b: KubeObject): number {
  return specReplicas(b) - specReplicas(a) || byCreation(a, b);
}
