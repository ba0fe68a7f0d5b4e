// Is the rollout moving? The Progressing condition and the progress deadline
// (pkg/controller/deployment/progress.go; DeploymentComplete,
// DeploymentProgressing and DeploymentTimedOut in util/deployment_util.go;
// https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#deployment-status).
//
// Progressing is True while the rollout makes progress: a new ReplicaSet was
// created or found (NewReplicaSetCreated, FoundNewReplicaSet), or pods were
// added, became ready or available, or old pods went (ReplicaSetUpdated, whose
// lastUpdateTime moves each time). When the rollout completes it says
// NewReplicaSetAvailable and stays so until the next one. When nothing moved
// for spec.progressDeadlineSeconds since lastUpdateTime, it turns False
// ProgressDeadlineExceeded; the controller keeps trying anyway. A paused
// Deployment says Unknown DeploymentPaused, and DeploymentResumed after, so
// that the time spent paused never counts against the deadline.

import type { KubeObject } from '../../api/types.ts';
import { desiredReplicas } from './fenceposts.ts';
import {
  calculateStatus, getCondition, newCondition, removeCondition, setCondition, type DeploymentCondition, type DeploymentStatus,
} from './status.ts';

export const NEW_RS_CREATED = 'NewReplicaSetCreated';
export const FOUND_NEW_RS = 'FoundNewReplicaSet';
export const RS_UPDATED = 'ReplicaSetUpdated';
export const NEW_RS_AVAILABLE = 'NewReplicaSetAvailable';
export const TIMED_OUT = 'ProgressDeadlineExceeded';
export const RS_CREATE_ERROR = 'ReplicaSetCreateError';
export const PAUSED = 'DeploymentPaused';
export const RESUMED = 'DeploymentResumed';

/** progressDeadlineSeconds is set and not "forever" (MaxInt32) (HasProgressDeadline). */
export function hasProgressDeadline(d: KubeObject): boolean {
  const seconds = d.spec?.progressDeadlineSeconds;
  return typeof seconds === 'number' && seconds !== 2147483647;
}

/** Every wanted pod is updated and available, no old pod is left, and the spec was seen. */
export function deploymentComplete(d: KubeObject, status: DeploymentStatus | undefined): boolean {
  const replicas = desiredReplicas(d);
  return (status?.updatedReplicas ?? 0) === replicas && (status?.replicas ?? 0) === replicas
    && (status?.availableReplicas ?? 0) === replicas && (status?.observedGeneration ?? 0) >= (d.metadata.generation ?? 0);
}

/** Compared with the status the Deployment had: more updated, ready or available pods, or fewer old ones. */
export function deploymentProgressing(d: KubeObject, next: DeploymentStatus): boolean {
  const before: DeploymentStatus = d.status ?? {};
  const n = (v: number | undefined) => v ?? 0;
  const oldBefore = n(before.replicas) - n(before.updatedReplicas);
  const oldNow = n(next.replicas) - n(next.updatedReplicas);
  return n(next.updatedReplicas) > n(before.updatedReplicas) || oldNow < oldBefore
    || n(next.readyReplicas) > n(before.readyReplicas) || n(next.availableReplicas) > n(before.availableReplicas);
}

/** No progress reported for progressDeadlineSeconds since the Progressing condition's lastUpdateTime. */
export function deploymentTimedOut(d: KubeObject, status: DeploymentStatus, now: number): boolean {
  if (!hasProgressDeadline(d)) return false;
  const condition = getCondition(status, 'Progressing');
  if (!condition) return false;
  // A finished rollout cannot time out; the next rollout changes the condition first.
  if (condition.reason === NEW_RS_AVAILABLE) return false;
  if (condition.reason === TIMED_OUT) return true;
  return Date.parse(condition.lastUpdateTime) + d.spec.progressDeadlineSeconds * 1000 < now;
}

// LAB(deployments) begin: the Progressing condition of a rollout (syncRolloutStatus)
/** The status of a Deployment in the middle of a rollout: calculateStatus plus Progressing and ReplicaFailure. */
export function rolloutStatus(d: KubeObject, allRSs: (KubeObject | undefined)[], newRS: KubeObject | undefined, now = Date.now()): DeploymentStatus {
  const status = calculateStatus(allRSs, newRS, d, now);
  if (!hasProgressDeadline(d)) removeCondition(status, 'Progressing');

  const current = getCondition(d.status, 'Progressing');
  const alreadyComplete = status.replicas === status.updatedReplicas && current?.reason === NEW_RS_AVAILABLE;
  if (hasProgressDeadline(d) && !alreadyComplete) {
    const subject = newRS ? `ReplicaSet "${newRS.metadata.name}"` : `Deployment "${d.metadata.name}"`;
    if (deploymentComplete(d, status)) {
      setCondition(status, newCondition('Progressing', 'True', NEW_RS_AVAILABLE, `${subject} has successfully progressed.`, now));
    } else if (deploymentProgressing(d, status)) {
      // Unlike other conditions, this one is rewritten on every progress: its lastUpdateTime is
      // when the deadline counts from. Only lastTransitionTime stays while it remains True.
      const condition = newCondition('Progressing', 'True', RS_UPDATED, `${subject} is progressing.`, now);
      if (current?.status === 'True') condition.lastTransitionTime = current.lastTransitionTime;
      removeCondition(status, 'Progressing');
      setCondition(status, condition);
    } else if (deploymentTimedOut(d, status, now)) {
      setCondition(status, newCondition('Progressing', 'False', TIMED_OUT, `${subject} has timed out progressing.`, now));
    }
  }

  // A ReplicaSet that cannot make pods (a quota, a bad template) shows on the Deployment too.
  const failure = replicaFailure(allRSs, newRS);
  if (failure) setCondition(status, failure);
  else removeCondition(status, 'ReplicaFailure');
  return status;
}
// LAB end

/** The ReplicaFailure condition of the new ReplicaSet, or else of an old one (getReplicaFailures). */
function replicaFailure(allRSs: (KubeObject | undefined)[], newRS: KubeObject | undefined): DeploymentCondition | undefined {
  const failureOf = (rs: KubeObject | undefined) => (rs?.status?.conditions ?? []).find((c: { type: string }) => c.type === 'ReplicaFailure');
  const c = failureOf(newRS) ?? allRSs.map(failureOf).find(Boolean);
  if (!c) return undefined;
  return { type: 'ReplicaFailure', status: c.status, lastUpdateTime: c.lastTransitionTime, lastTransitionTime: c.lastTransitionTime, reason: c.reason, message: c.message };
}

/**
 * When to look at the Deployment again to see whether its deadline passed, in
 * ms, or undefined when there is no deadline to watch: nothing else would wake
 * the controller when a rollout simply stalls (requeueStuckDeployment).
 *
 * Only a rollout under way has a deadline. A finished one (NewReplicaSetAvailable)
 * keeps that reason until the next rollout, even when pods become unavailable
 * later, and cannot time out (deploymentTimedOut): looking again would change
 * nothing, and with its lastUpdateTime long past it would mean looking again
 * at once, forever. (Kubernetes does not skip it here; its rate-limited queue
 * only slows that loop down.)
 */
export function progressCheckDelay(d: KubeObject, status: DeploymentStatus, now = Date.now()): number | undefined {
  const current = getCondition(d.status, 'Progressing');
  if (!hasProgressDeadline(d) || !current) return undefined;
  if (current.reason === NEW_RS_AVAILABLE || current.reason === TIMED_OUT) return undefined;
  if (deploymentComplete(d, status)) return undefined;
  const after = Date.parse(current.lastUpdateTime) + d.spec.progressDeadlineSeconds * 1000 - now;
  // One second after the deadline, so that it has surely passed when we look; and
  // never sooner than in a second, so that no clock skew can make this a busy loop.
  return Math.max(after, 0) + 1000;
}

/**
 * The status with the Progressing condition a pause or a resume calls for, or
 * undefined when it already has it (checkPausedConditions in sync.go). A
 * deadline already reported is not overwritten.
 */
export function pausedStatus(d: KubeObject, now = Date.now()): DeploymentStatus | undefined {
  if (!hasProgressDeadline(d)) return undefined;
  const current = getCondition(d.status, 'Progressing');
  if (current?.reason === TIMED_OUT) return undefined;
  const pausedNoted = current?.reason === PAUSED;
  const status: DeploymentStatus = structuredClone(d.status ?? {});
  if (d.spec.paused && !pausedNoted) {
    setCondition(status, newCondition('Progressing', 'Unknown', PAUSED, 'Deployment is paused', now));
  } else if (!d.spec.paused && pausedNoted) {
    setCondition(status, newCondition('Progressing', 'Unknown', RESUMED, 'Deployment is resumed', now));
  } else {
    return undefined;
  }
  return status;
}
