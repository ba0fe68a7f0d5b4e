// A Deployment's rollout, in words, as `kubectl rollout status` says it
// (kubectl/pkg/polymorphichelpers/rollout_status.go, DeploymentStatusViewer).

import type { KubeObject } from './types.ts';

export interface RolloutProgress {
  desired: number;
  updated: number;
  ready: number;
  available: number;
  /** Pods of old ReplicaSets still counted in status.replicas. */
  old: number;
  done: boolean;
  message: string;
}

export function rolloutProgress(deployment: KubeObject): RolloutProgress {
  const spec = deployment.spec ?? {};
  const status = deployment.status ?? {};
  const desired = spec.replicas ?? 1;
  const updated = status.updatedReplicas ?? 0;
  const ready = status.readyReplicas ?? 0;
  const available = status.availableReplicas ?? 0;
  const old = Math.max(0, (status.replicas ?? 0) - updated);
  const progress = { desired, updated, ready, available, old };
  const progressing = (status.conditions ?? []).find((c: any) => c.type === 'Progressing');
  if ((deployment.metadata.generation ?? 0) > (status.observedGeneration ?? 0)) {
    return { ...progress, done: false, message: 'waiting for the controller to see the new spec' };
  }
  if (progressing?.reason === 'ProgressDeadlineExceeded') return { ...progress, done: false, message: 'stuck: progress deadline exceeded' };
  if (spec.paused) return { ...progress, done: false, message: 'paused' };
  if (updated < desired) return { ...progress, done: false, message: `rolling out: ${updated} of ${desired} updated` };
  if (old > 0) return { ...progress, done: false, message: `rolling out: ${old} old pod${old === 1 ? '' : 's'} to go` };
  if (available < updated) return { ...progress, done: false, message: `rolling out: ${available} of ${updated} available` };
  return { ...progress, done: true, message: 'rolled out' };
}
