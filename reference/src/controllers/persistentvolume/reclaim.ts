// Reclaiming a Released volume's storage, for persistentVolumeReclaimPolicy Delete.
//
// Kubernetes asks the volume's plugin for a "deleter". The hostPath plugin's
// deleter (hostPathDeleter.Delete in pkg/volume/hostpath/host_path.go) removes
// the folder, but only under /tmp: a hostPath volume is a folder of the machine
// the controller runs on, and removing anything else could wipe that machine.
// Other kinds of volume have no deleter here, so their deletion fails, and the
// binder marks the volume Failed with the error, as pv_controller.go does.
//
// In the reference every node and the controller manager share one machine, so
// a hostPath volume is the same folder for all of them.

import { rm } from 'node:fs/promises';
import { posix } from 'node:path';
import type { KubeObject } from '../../api/types.ts';

/** Removes the storage behind the volume; throws with Kubernetes' message when it cannot. */
export async function deleteVolumeStorage(volume: KubeObject): Promise<void> {
  const path: unknown = volume.spec?.hostPath?.path;
  if (typeof path !== 'string') {
    throw new Error(`error getting deleter volume plugin for volume "${volume.metadata.name}": no deletable volume plugin matched`);
  }
  // Kubernetes matches /tmp/.+ anywhere in the path as given; here the path,
  // normalised first so that /tmp/../etc is not under /tmp, must start with it.
  if (!/^\/tmp\/.+/.test(posix.normalize(path))) {
    throw new Error(`host_path deleter only supports /tmp/.+ but received provided ${path}`);
  }
  await rm(path, { recursive: true, force: true });
}
