// Revisions: the history of a Deployment is its ReplicaSets, numbered.
// (SetNewReplicaSetAnnotations, MaxRevision and friends in
// pkg/controller/deployment/util/deployment_util.go; cleanupDeployment in sync.go.)
//
// - Each ReplicaSet carries `deployment.kubernetes.io/revision`; the current
//   one always has the highest number, and the Deployment carries it too.
// - A template that comes back (`kubectl rollout undo` copies an old one into
//   the Deployment) brings back its old ReplicaSet, renumbered max+1; its
//   former numbers are kept in `deployment.kubernetes.io/revision-history`.
// - `desired-replicas` and `max-replicas` remember the Deployment's size when
//   each ReplicaSet was last scaled, for proportional scaling (scaling.ts).
// - spec.revisionHistoryLimit old ReplicaSets are kept for rollbacks; older
//   ones that no longer run pods are deleted.

import type { KubeObject } from '../../api/types.ts';
import { desiredReplicas, maxSurge } from './fenceposts.ts';
import { findNewReplicaSet } from './pod-template-hash.ts';
import { byCreation, specReplicas } from './replica-sets.ts';

export const REVISION = 'deployment.kubernetes.io/revision';
export const REVISION_HISTORY = 'deployment.kubernetes.io/revision-history';
export const DESIRED_REPLICAS = 'deployment.kubernetes.io/desired-replicas';
export const MAX_REPLICAS = 'deployment.kubernetes.io/max-replicas';
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
const DEPRECATED_ROLLBACK_TO = 'deprecated.deployment.rollback.to';

/** The Deployment's annotations that are not copied to its ReplicaSets (annotationsToSkip). */
const NOT_COPIED = new Set([LAST_APPLIED, REVISION, REVISION_HISTORY, DESIRED_REPLICAS, MAX_REPLICAS, DEPRECATED_ROLLBACK_TO]);

/** revision-history stops growing past this many characters (the controller's maxRevHistoryLengthInChars). */
const MAX_REVISION_HISTORY_CHARS = 2000;

/** The revision number of a ReplicaSet; 0 without a valid one. */
export function revisionOf(rs: KubeObject | undefined): number {
  const n = Number(rs?.metadata.annotations?.[REVISION]);
  return Number.isInteger(n) && n > 0 ? n : 0;
}

export function maxRevision(rss: KubeObject[]): number {
  return Math.max(0, ...rss.map(revisionOf));
}

/** Every ReplicaSet of the Deployment but its current one (FindOldReplicaSets). */
export function findOldReplicaSets(d: KubeObject, rsList: KubeObject[]): KubeObject[] {
  const current = findNewReplicaSet(d, rsList);
  return rsList.filter((rs) => rs.metadata.uid !== current?.metadata.uid);
}

/** Sets desired-replicas and max-replicas on rs (a copy); whether they changed (SetReplicasAnnotations). */
export function setReplicasAnnotations(rs: KubeObject, desired: number, max: number): boolean {
  const annotations = (rs.metadata.annotations ??= {});
  const changed = annotations[DESIRED_REPLICAS] !== String(desired) || annotations[MAX_REPLICAS] !== String(max);
  annotations[DESIRED_REPLICAS] = String(desired);
  annotations[MAX_REPLICAS] = String(max);
  return changed;
}

/** Whether a scaling of rs must also rewrite its size annotations (ReplicasAnnotationsNeedUpdate). */
export function replicasAnnotationsNeedUpdate(rs: KubeObject, d: KubeObject): boolean {
  const annotations = rs.metadata.annotations ?? {};
  return annotations[DESIRED_REPLICAS] !== String(desiredReplicas(d)) || annotations[MAX_REPLICAS] !== String(desiredReplicas(d) + maxSurge(d));
}

// LAB(deployments) begin: numbering the current ReplicaSet (SetNewReplicaSetAnnotations)
/**
 * Brings the annotations of the current ReplicaSet `rs` (a copy, changed in
 * place) up to date: the Deployment's own annotations (such as
 * kubernetes.io/change-cause), the revision `newRevision` when it has a lower
 * one, the numbers it had before in revision-history, and, for a ReplicaSet
 * about to be created, its size annotations. Returns whether anything changed.
 */
export function setNewReplicaSetAnnotations(d: KubeObject, rs: KubeObject, newRevision: number, exists: boolean): boolean {
  const annotations = (rs.metadata.annotations ??= {});
  let changed = false;
  for (const [key, value] of Object.entries(d.metadata.annotations ?? {})) {
    if (NOT_COPIED.has(key) || annotations[key] === value) continue;
    annotations[key] = value;
    changed = true;
  }

  const oldText = annotations[REVISION];
  const oldRevision = oldText === undefined ? 0 : Number(oldText);
  if (!Number.isInteger(oldRevision)) return false; // not a number: leave it to a person
  if (oldRevision < newRevision) {
    annotations[REVISION] = String(newRevision);
    changed = true;
    // It had a number already: an old template came back (a rollback). Remember the old number.
    if (oldText !== undefined) {
      const history = annotations[REVISION_HISTORY] ? annotations[REVISION_HISTORY].split(',') : [];
      history.push(oldText);
      while (history.join(',').length > MAX_REVISION_HISTORY_CHARS && history.length > 1) history.shift();
      annotations[REVISION_HISTORY] = history.join(',');
    }
  }
  if (!exists && setReplicasAnnotations(rs, desiredReplicas(d), desiredReplicas(d) + maxSurge(d))) changed = true;
  return changed;
}
// LAB end

/**
 * The old ReplicaSets to delete so that at most spec.revisionHistoryLimit
 * remain, oldest revision first, skipping any that still has pods or whose
 * controller has not caught up with it (cleanupDeployment in sync.go).
 */
export function replicaSetsToDelete(d: KubeObject, oldRSs: KubeObject[]): KubeObject[] {
  const limit = d.spec?.revisionHistoryLimit;
  if (limit === undefined || limit === null) return [];
  const alive = oldRSs.filter((rs) => !rs.metadata.deletionTimestamp);
  const surplus = alive.length - limit;
  if (surplus <= 0) return [];
  const oldestFirst = [...alive].sort((a, b) => revisionOf(a) - revisionOf(b) || byCreation(a, b));
  return oldestFirst.slice(0, surplus).filter((rs) => (rs.status?.replicas ?? 0) === 0 && specReplicas(rs) === 0
    && (rs.metadata.generation ?? 0) <= (rs.status?.observedGeneration ?? 0));
}
