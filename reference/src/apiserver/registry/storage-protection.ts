// Storage Object in Use Protection, the API server's half
// (plugin/pkg/admission/storage/storageobjectinuseprotection in Kubernetes):
// every new PersistentVolumeClaim and PersistentVolume gets a finalizer, so
// that a DELETE only marks it while it is in use. The protection controllers
// (controllers/volumeprotection/) remove the finalizer once nothing uses it:
// no pod mounts the claim, no claim is bound to the volume.

import type { KubeObject } from '../../api/types.ts';

export const PVC_PROTECTION_FINALIZER = 'kubernetes.io/pvc-protection';
export const PV_PROTECTION_FINALIZER = 'kubernetes.io/pv-protection';

/** On create only: a finalizer that a client removed later must not come back on its next update. */
export function addStorageProtectionFinalizer(obj: KubeObject): void {
  const finalizer = obj.kind === 'PersistentVolumeClaim' ? PVC_PROTECTION_FINALIZER
    : obj.kind === 'PersistentVolume' ? PV_PROTECTION_FINALIZER
      : undefined;
  if (!finalizer) return;
  const finalizers = Array.isArray(obj.metadata.finalizers) ? obj.metadata.finalizers : [];
  if (!finalizers.includes(finalizer)) obj.metadata.finalizers = [...finalizers, finalizer];
}
