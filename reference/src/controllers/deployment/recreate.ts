// The Recreate strategy (pkg/controller/deployment/recreate.go): stop every
// old pod, wait until none is left, then start the new ones. Old and new
// versions never run side by side, at the price of a gap with no pod at all.
// https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#recreate-deployment

import type { KubeObject } from '../../api/types.ts';
import { desiredReplicas } from './fenceposts.ts';
import { deploymentComplete } from './progress.ts';
import { activeReplicaSets, actualReplicaCount } from './replica-sets.ts';
import type { Rollout } from './rollout.ts';

/** The pods of each of the Deployment's ReplicaSets, by the ReplicaSet's uid, terminating ones included. */
export type PodsByReplicaSet = Map<string, KubeObject[]>;

// LAB(deployments) begin: the Recreate strategy (rolloutRecreate)
export async function rolloutRecreate(r: Rollout, rsList: KubeObject[], pods: PodsByReplicaSet): Promise<void> {
  // The new ReplicaSet is not made yet, or its pods would start beside the old ones.
  let { newRS, oldRSs } = await r.replicaSets(rsList, false);

  // 1. Scale every old ReplicaSet to 0.
  const scaledDown = await r.scaleAll(activeReplicaSets(oldRSs).map((rs) => ({ rs, replicas: 0 })));
  if (scaledDown) return r.syncRolloutStatus([...oldRSs, newRS], newRS);

  // 2. Wait until their pods are gone, not merely terminating.
  if (oldPodsRunning(newRS, oldRSs, pods)) return r.syncRolloutStatus([...oldRSs, newRS], newRS);

  // 3. Only now make the new ReplicaSet, and give it every replica at once.
  if (!newRS) ({ newRS, oldRSs } = await r.replicaSets(rsList, true));
  if (!newRS) return;
  await r.scale(newRS, desiredReplicas(r.d));

  if (deploymentComplete(r.d, r.d.status)) await r.cleanup(oldRSs);
  return r.syncRolloutStatus([...oldRSs, newRS], newRS);
}

/** Whether an old ReplicaSet still reports pods, or any pod of one is not finished (oldPodsRunning). */
export function oldPodsRunning(newRS: KubeObject | undefined, oldRSs: KubeObject[], pods: PodsByReplicaSet): boolean {
  if (actualReplicaCount(oldRSs) > 0) return true;
  for (const [uid, list] of pods) {
    if (uid === newRS?.metadata.uid) continue;
    // A pod that Succeeded or Failed runs nothing; any other phase (Unknown included) may.
    if (list.some((pod) => pod.status?.phase !== 'Succeeded' && pod.status?.phase !== 'Failed')) return true;
  }
  return false;
}
// LAB end
