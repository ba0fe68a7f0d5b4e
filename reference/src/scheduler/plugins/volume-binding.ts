// PreFilter VolumeBinding (pkg/scheduler/framework/plugins/volumebinding): a
// pod that mounts a PersistentVolumeClaim cannot run anywhere until the claim
// exists and is bound to a volume. The PersistentVolume binder (a controller)
// binds claims; until it has, the pod waits, and every node is turned down
// for the same reason, said once:
//
//   0/2 nodes are available: pod has unbound immediate PersistentVolumeClaims. …
//   0/2 nodes are available: persistentvolumeclaim "data" not found. …
//
// The scheduler tries such pods again when a claim is added or changes.
// (Kubernetes also binds claims of WaitForFirstConsumer storage classes here,
// and checks the node affinity of local volumes; the reference serves no
// StorageClasses and checks neither.)

import type { KubeObject } from '../../api/types.ts';
import { SUCCESS, unresolvable, type PodInfo, type PreFilterPlugin, type Status } from '../framework.ts';

/** A claim by namespace and name, from the scheduler's informer. */
export type ClaimLister = (namespace: string, name: string) => KubeObject | undefined;

/** Bound means: a volume named, and the binder done with it (isPVCFullyBound). */
function isBound(claim: KubeObject): boolean {
  return !!claim.spec?.volumeName && claim.metadata.annotations?.['pv.kubernetes.io/bind-completed'] !== undefined;
}

export function volumeBinding(claims: ClaimLister): PreFilterPlugin {
  return {
    name: 'VolumeBinding',
    preFilter(pod: PodInfo): Status {
      const namespace = pod.pod.metadata.namespace ?? '';
      let unbound = false;
      // A claim that is missing, being deleted or Lost ends the search at once (podHasPVCs).
      for (const volume of pod.pod.spec?.volumes ?? []) {
        const name: string | undefined = volume?.persistentVolumeClaim?.claimName;
        if (name === undefined) continue;
        const claim = claims(namespace, name);
        if (!claim) return unresolvable(`persistentvolumeclaim "${name}" not found`);
        if (claim.status?.phase === 'Lost') {
          return unresolvable(`persistentvolumeclaim "${name}" bound to non-existent persistentvolume "${claim.spec?.volumeName ?? ''}"`);
        }
        if (claim.metadata.deletionTimestamp) return unresolvable(`persistentvolumeclaim "${name}" is being deleted`);
        if (!isBound(claim)) unbound = true;
      }
      return unbound ? unresolvable('pod has unbound immediate PersistentVolumeClaims') : SUCCESS;
    },
  };
}
