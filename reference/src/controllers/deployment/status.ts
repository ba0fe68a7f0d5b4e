// The status a Deployment reports, summed from its ReplicaSets, and its
// conditions (calculateStatus in pkg/controller/deployment/sync.go; the
// condition helpers of pkg/controller/deployment/util/deployment_util.go).
// `kubectl get deploy`, `kubectl rollout status` and `kubectl wait` read these.

import { jsonEqual } from '../../api/objects.ts';
import type { KubeObject } from '../../api/types.ts';
import { desiredReplicas, maxUnavailable } from './fenceposts.ts';
import { actualReplicaCount, availableReplicaCount, readyReplicaCount, replicaCount } from './replica-sets.ts';
import { apiTime } from '../../api/time.ts';

export interface DeploymentCondition {
  type: 'Available' | 'Progressing' | 'ReplicaFailure';
  status: 'True' | 'False' | 'Unknown';
  lastUpdateTime: string;
  lastTransitionTime: string;
  reason: string;
  message: string;
}

export interface DeploymentStatus {
  observedGeneration?: number;
  replicas?: number;
  updatedReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  unavailableReplicas?: number;
  collisionCount?: number;
  conditions?: DeploymentCondition[];
}

/** Times as Kubernetes writes them: RFC 3339, whole seconds. */
export function timestamp(now: number): string {
  return apiTime(now);
}

export function newCondition(type: DeploymentCondition['type'], status: DeploymentCondition['status'], reason: string, message: string, now: number): DeploymentCondition {
  const time = timestamp(now);
  return { type, status, lastUpdateTime: time, lastTransitionTime: time, reason, message };
}

export function getCondition(status: DeploymentStatus | undefined, type: DeploymentCondition['type']): DeploymentCondition | undefined {
  return (status?.conditions ?? []).find((c) => c.type === type);
}

export function removeCondition(status: DeploymentStatus, type: DeploymentCondition['type']): void {
  status.conditions = (status.conditions ?? []).filter((c) => c.type !== type);
  if (!status.conditions.length) delete status.conditions;
}

/**
 * Puts `condition` in status, unless one of its type already says the same
 * (same status and reason). A condition whose status stays keeps its
 * lastTransitionTime. The new one goes last (SetDeploymentCondition).
 */
export function setCondition(status: DeploymentStatus, condition: DeploymentCondition): void {
  const current = getCondition(status, condition.type);
  if (current && current.status === condition.status && current.reason === condition.reason) return;
  const next = { ...condition };
  if (current && current.status === condition.status) next.lastTransitionTime = current.lastTransitionTime;
  status.conditions = [...(status.conditions ?? []).filter((c) => c.type !== condition.type), next];
}

/** Equal statuses, a count of 0 being the same as none (Go compares structs, where a missing count is 0). */
export function sameStatus(a: DeploymentStatus | undefined, b: DeploymentStatus | undefined): boolean {
  const normal = (s: DeploymentStatus | undefined) => Object.fromEntries(Object.entries(s ?? {})
    .filter(([key, value]) => value !== undefined && value !== null && !(value === 0 && key !== 'collisionCount')
      && !(key === 'conditions' && Array.isArray(value) && value.length === 0)));
  return jsonEqual(normal(a), normal(b));
}

// LAB(deployments) begin: a Deployment's status from its ReplicaSets (calculateStatus)
/**
 * The status of Deployment d, whose ReplicaSets are allRSs and whose current
 * one is newRS. Counts of 0 are left out, as Kubernetes' JSON leaves them out.
 */
export function calculateStatus(allRSs: (KubeObject | undefined)[], newRS: KubeObject | undefined, d: KubeObject, now = Date.now()): DeploymentStatus {
  const available = availableReplicaCount(allRSs);
  // More available than asked for happens while scaling down: nothing is unavailable then.
  const unavailable = Math.max(0, replicaCount(allRSs) - available);
  const counts: Record<string, number | undefined> = {
    observedGeneration: d.metadata.generation,
    replicas: actualReplicaCount(allRSs),
    updatedReplicas: actualReplicaCount([newRS]),
    readyReplicas: readyReplicaCount(allRSs),
    availableReplicas: available,
    unavailableReplicas: unavailable,
  };
  const status: DeploymentStatus = {};
  for (const [field, value] of Object.entries(counts)) if (value) (status as Record<string, number>)[field] = value;
  if (d.status?.collisionCount !== undefined) status.collisionCount = d.status.collisionCount;
  if (d.status?.conditions?.length) status.conditions = d.status.conditions.map((c: DeploymentCondition) => ({ ...c }));

  // Available: enough pods serve, counting the unavailability a rolling update allows.
  if (available >= desiredReplicas(d) - maxUnavailable(d)) {
    setCondition(status, newCondition('Available', 'True', 'MinimumReplicasAvailable', 'Deployment has minimum availability.', now));
  } else {
    setCondition(status, newCondition('Available', 'False', 'MinimumReplicasUnavailable', 'Deployment does not have minimum availability.', now));
  }
  return status;
}
// LAB end
