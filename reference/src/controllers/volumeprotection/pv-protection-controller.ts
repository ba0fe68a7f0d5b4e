// PersistentVolume protection: a volume bound to a claim is not removed from
// under it (pkg/controller/volume/pvprotection/pv_protection_controller.go).
//
// The API server gives every new volume the finalizer kubernetes.io/pv-protection
// (registry/storage-protection.ts). reconcile(volume name):
//   - being deleted, and not Bound: remove the finalizer, and the volume is
//     gone; a Bound volume stays Terminating until its claim lets it go;
//   - not being deleted and without the finalizer: add it.

import { keyOf, type Informer } from '../../client/informer.ts';
import { PERSISTENT_VOLUMES, resourcePath } from '../../client/paths.ts';
import { WorkQueue } from '../../client/workqueue.ts';
import { PV_PROTECTION_FINALIZER } from '../../apiserver/registry/storage-protection.ts';
import type { Controller, ControllerContext } from '../controller.ts';
import { hasFinalizer, setFinalizer } from './finalizers.ts';

export class PvProtectionController implements Controller {
  readonly name = 'persistentvolume-protection-controller';
  readonly queue = new WorkQueue();
  private readonly volumes: Informer;

  constructor(private readonly ctx: ControllerContext) {
    this.volumes = ctx.informers.for(PERSISTENT_VOLUMES);
    this.volumes.addEventHandler({
      onAdd: (pv) => this.queue.add(keyOf(pv)),
      onUpdate: (_old, pv) => this.queue.add(keyOf(pv)),
    });
  }

  async reconcile(key: string): Promise<void> {
    const volume = this.volumes.get(key);
    if (!volume) return;
    const path = resourcePath(PERSISTENT_VOLUMES, undefined, volume.metadata.name);
    const protectedNow = hasFinalizer(volume, PV_PROTECTION_FINALIZER);
    if (volume.metadata.deletionTimestamp) {
      // The binder keeps the phase: Bound means a claim still uses the volume.
      if (protectedNow && volume.status?.phase !== 'Bound') await setFinalizer(this.ctx.client, path, volume, PV_PROTECTION_FINALIZER, false);
    } else if (!protectedNow) {
      await setFinalizer(this.ctx.client, path, volume, PV_PROTECTION_FINALIZER, true);
    }
  }
}
