// How many pods a budget should expect when it is written as a percentage or as
// maxUnavailable: the scale of the controllers that own the pods, not the pods
// that happen to exist right now (getExpectedScale and the finders
// getPodReplicaSet / getPodDeployment in pkg/controller/disruption/disruption.go).
// A pod evicted a moment ago is gone from the list, but its ReplicaSet still
// wants it: counting pods would let every eviction shrink the budget.

import type { KubeObject } from '../../api/types.ts';
import type { Informer } from '../../client/informer.ts';
import { controllerOf } from '../owners.ts';

export interface ScaleSources {
  replicaSets: Informer;
  deployments: Informer;
}

/**
 * The controller a pod counts against and its desired replicas: a ReplicaSet's
 * own Deployment when it has one (the Deployment's scale is what the user set),
 * else the ReplicaSet. undefined when the pod's controller is not one we know.
 */
function scaleOf(pod: KubeObject, sources: ScaleSources): { uid: string; replicas: number } | undefined {
  const ref = controllerOf(pod);
  if (ref?.kind !== 'ReplicaSet') return undefined;
  const rs = sources.replicaSets.get(`${pod.metadata.namespace}/${ref.name}`);
  if (!rs || rs.metadata.uid !== ref.uid) return undefined;
  const rsRef = controllerOf(rs);
  if (rsRef?.kind === 'Deployment') {
    const deployment = sources.deployments.get(`${pod.metadata.namespace}/${rsRef.name}`);
    if (deployment && deployment.metadata.uid === rsRef.uid) return { uid: deployment.metadata.uid!, replicas: deployment.spec?.replicas ?? 0 };
  }
  return { uid: rs.metadata.uid!, replicas: rs.spec?.replicas ?? 0 };
}

/**
 * The sum of the desired replicas of the pods' controllers, each counted once.
 * Pods without a controller are left out (Kubernetes warns about them). Throws
 * when a pod's controller cannot be found or has no scale: Kubernetes then
 * refuses every disruption for the budget (failSafe) rather than guess.
 */
export function expectedScale(pods: KubeObject[], sources: ScaleSources): number {
  const scales = new Map<string, number>();
  for (const pod of pods) {
    if (!controllerOf(pod)) continue;
    const scale = scaleOf(pod, sources);
    if (!scale) throw new Error(`found no controllers for pod "${pod.metadata.name}"`);
    scales.set(scale.uid, scale.replicas);
  }
  return [...scales.values()].reduce((sum, n) => sum + n, 0);
}
