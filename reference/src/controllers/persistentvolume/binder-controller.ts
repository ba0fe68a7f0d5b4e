// The PersistentVolume binder: gives each claim a volume, and takes the volume
// back when the claim goes (pkg/controller/volume/persistentvolume/pv_controller.go
// in Kubernetes, where it is the "persistentvolume-binder" controller).
//
// Claims and volumes share one queue: a claim's key is "namespace/name", a
// volume's key is its name alone, since volumes belong to no namespace.
//
// reconcile(claim key):
//   not yet bound   find the volume that fits best (matching.ts) and bind the
//                   two; when none fits, the claim stays Pending, an event says
//                   why, and it is tried again whenever a volume becomes Available;
//   bound           check that its volume still exists and still points back
//                   at it; if not, the claim is Lost.
// reconcile(volume key):
//   no claimRef            Available;
//   its claim points back  Bound;
//   its claim is gone      Released (claimRef kept, uid and all, so a new claim
//                          of the same name does not get the old data), then
//                          reclaimed by policy: Retain keeps it, Delete removes
//                          the storage and then the PersistentVolume.
//
// Binding is four writes, not one transaction: binding.ts makes them, and says
// how a bind that stopped halfway is finished by the next reconcile.

import type { KubeObject } from '../../api/types.ts';
import { isNotFound } from '../../client/api-client.ts';
import type { EventRecorder } from '../../client/events.ts';
import { keyOf, type Informer } from '../../client/informer.ts';
import { PERSISTENT_VOLUMES, PERSISTENT_VOLUME_CLAIMS, resourcePath } from '../../client/paths.ts';
import { WorkQueue } from '../../client/workqueue.ts';
import type { Controller, ControllerContext } from '../controller.ts';
import { ANN_BIND_COMPLETED, BindingWrites, hasAnnotation } from './binding.ts';
import { findMatchingVolume, isVolumeBoundToClaim, storageClassOf, volumeMismatch } from './matching.ts';
import { OwnWrites } from './own-writes.ts';
import { deleteVolumeStorage } from './reclaim.ts';

/** The component its events come from, as in Kubernetes. */
const EVENT_SOURCE = 'persistentvolume-controller';

export class PersistentVolumeBinderController implements Controller {
  readonly name = 'persistentvolume-binder-controller';
  readonly queue = new WorkQueue();
  private readonly volumes: Informer;
  private readonly claims: Informer;
  private readonly events: EventRecorder;
  private readonly ownWrites = new OwnWrites();
  private readonly writes: BindingWrites;

  constructor(private readonly ctx: ControllerContext) {
    this.volumes = ctx.informers.for(PERSISTENT_VOLUMES);
    this.claims = ctx.informers.for(PERSISTENT_VOLUME_CLAIMS);
    this.events = ctx.recorder(EVENT_SOURCE);
    this.writes = new BindingWrites(ctx.client, this.ownWrites);

    this.volumes.addEventHandler({
      onAdd: (pv) => this.volumeChanged(pv),
      onUpdate: (_old, pv) => this.volumeChanged(pv),
      onDelete: (pv) => {
        this.ownWrites.forget(keyOf(pv));
        // Its claim, if bound, has lost its volume.
        const ref = pv.spec?.claimRef;
        if (ref?.namespace && ref.name) this.queue.add(`${ref.namespace}/${ref.name}`);
      },
    });
    this.claims.addEventHandler({
      onAdd: (pvc) => this.queue.add(keyOf(pvc)),
      onUpdate: (_old, pvc) => this.queue.add(keyOf(pvc)),
      onDelete: (pvc) => {
        this.ownWrites.forget(keyOf(pvc));
        // The volumes that point at it are Released now.
        for (const pv of this.volumes.list()) {
          if (pv.spec?.claimRef?.uid === pvc.metadata.uid || pv.metadata.name === pvc.spec?.volumeName) this.queue.add(keyOf(pv));
        }
      },
    });
  }

  // ---- event handlers: only work out which keys to look at ----

  private volumeChanged(pv: KubeObject): void {
    this.queue.add(keyOf(pv));
    // A volume that became Available may fit a claim that is waiting. Kubernetes
    // finds out on its 15-second resync of all claims; here the event is enough.
    if (pv.status?.phase !== 'Available') return;
    for (const pvc of this.claims.list()) {
      if (!hasAnnotation(pvc, ANN_BIND_COMPLETED)) this.queue.add(keyOf(pvc));
    }
  }

  // ---- the caches, with our own latest writes on top ----

  private volume(name: string): KubeObject | undefined {
    return this.ownWrites.newest(name, this.volumes.get(name));
  }

  private claim(key: string): KubeObject | undefined {
    return this.ownWrites.newest(key, this.claims.get(key));
  }

  private volumeList(): KubeObject[] {
    return this.volumes.list().map((pv) => this.ownWrites.newest(keyOf(pv), pv)!);
  }

  // ---- reconcile ----

  async reconcile(key: string): Promise<void> {
    if (key.includes('/')) await this.syncClaim(key);
    else await this.syncVolume(key);
  }

  private async syncClaim(key: string): Promise<void> {
    const claim = this.claim(key);
    if (!claim) return; // deleted: its volume's sync releases the volume
    if (hasAnnotation(claim, ANN_BIND_COMPLETED)) await this.syncBoundClaim(claim);
    else await this.syncUnboundClaim(claim);
  }

  /** A claim that has never finished binding (syncUnboundClaim). */
  private async syncUnboundClaim(claim: KubeObject): Promise<void> {
    const wanted: string | undefined = claim.spec?.volumeName;
    if (!wanted) {
      const volume = findMatchingVolume(claim, this.volumeList());
      if (volume) return this.writes.bind(volume, claim);
      const storageClass = storageClassOf(claim);
      if (storageClass) {
        // Kubernetes would ask the class's provisioner for a new volume; the reference serves no StorageClasses.
        this.events.warning(claim, 'ProvisioningFailed', `storageclass.storage.k8s.io "${storageClass}" not found`);
      } else {
        this.events.normal(claim, 'FailedBinding', 'no persistent volumes available for this claim and no storage class is set');
      }
      await this.writes.updateClaimStatus(claim, 'Pending');
      return;
    }

    // The claim names its volume (spec.volumeName set by its creator).
    const volume = this.volume(wanted);
    if (!volume) {
      await this.writes.updateClaimStatus(claim, 'Pending'); // it may be created later
      return;
    }
    if (!volume.spec?.claimRef) {
      const mismatch = volumeMismatch(volume, claim);
      if (!mismatch) return this.writes.bind(volume, claim);
      this.events.warning(claim, 'VolumeMismatch', `Cannot bind to requested volume "${wanted}": ${mismatch}`);
      await this.writes.updateClaimStatus(claim, 'Pending');
      return;
    }
    // Pointing back already: a bind that stopped halfway, finish it.
    if (isVolumeBoundToClaim(volume, claim)) return this.writes.bind(volume, claim);
    await this.writes.updateClaimStatus(claim, 'Pending'); // the volume is someone else's; wait until it is free
  }

  /** A claim that was bound once (syncBoundClaim). */
  private async syncBoundClaim(claim: KubeObject): Promise<void> {
    const volumeName: string | undefined = claim.spec?.volumeName;
    if (!volumeName) {
      await this.claimLost(claim, 'ClaimLost', 'Bound claim has lost reference to PersistentVolume. Data on the volume is lost!');
      return;
    }
    const volume = this.volume(volumeName);
    if (!volume) {
      await this.claimLost(claim, 'ClaimLost', 'Bound claim has lost its PersistentVolume. Data on the volume is lost!');
      return;
    }
    const ref = volume.spec?.claimRef;
    // Still (or again) a pair: make sure every write of the bind is there.
    if (!ref || ref.uid === claim.metadata.uid) return this.writes.bind(volume, claim);
    await this.claimLost(claim, 'ClaimMisbound', 'Two claims are bound to the same volume, this one is bound incorrectly');
  }

  private async syncVolume(name: string): Promise<void> {
    const volume = this.volume(name);
    if (!volume) return;
    const ref = volume.spec?.claimRef;
    // Free, or reserved by its creator for a claim by name: the claim's sync binds it.
    if (!ref || !ref.uid) {
      await this.writes.updateVolumePhase(volume, 'Available');
      return;
    }
    let claim = await this.claimOf(ref);
    if (claim && claim.metadata.uid !== ref.uid) claim = undefined; // a new claim with the old name: the old one is gone

    if (!claim) {
      const released = volume.status?.phase === 'Released' || volume.status?.phase === 'Failed'
        ? volume
        : await this.writes.updateVolumePhase(volume, 'Released');
      await this.reclaim(released);
      return;
    }
    if (!claim.spec?.volumeName) {
      this.queue.add(keyOf(claim)); // bound halfway: the claim's sync finishes it
      return;
    }
    if (claim.spec.volumeName === volume.metadata.name) {
      await this.writes.updateVolumePhase(volume, 'Bound');
      return;
    }
    // The claim went to another volume (two binds raced): let this one go.
    await this.writes.unbindVolume(volume);
  }

  /** The claim a claimRef names: from the cache, or from the API server when the cache has not seen it yet. */
  private async claimOf(ref: { namespace: string; name: string }): Promise<KubeObject | undefined> {
    const cached = this.claim(`${ref.namespace}/${ref.name}`);
    if (cached) return cached;
    try {
      return await this.ctx.client.get(resourcePath(PERSISTENT_VOLUME_CLAIMS, ref.namespace, ref.name));
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  private async claimLost(claim: KubeObject, reason: string, message: string): Promise<void> {
    if (claim.status?.phase === 'Lost') return;
    await this.writes.updateClaimStatus(claim, 'Lost');
    this.events.warning(claim, reason, message);
  }

  // ---- reclaiming a Released volume ----

  private async reclaim(volume: KubeObject): Promise<void> {
    switch (volume.spec?.persistentVolumeReclaimPolicy) {
      case 'Retain':
        return; // the data stays until an administrator deals with it
      case 'Delete':
        return this.deleteVolume(volume);
      default:
        // Recycle (deprecated in Kubernetes) is not done by the reference.
        await this.volumeFailed(volume, 'VolumeUnknownReclaimPolicy', 'Volume has unrecognized PersistentVolumeReclaimPolicy');
    }
  }

  /** Deletes the storage, then the PersistentVolume (deleteVolumeOperation). A failure leaves the volume Failed, with the reason. */
  private async deleteVolume(volume: KubeObject): Promise<void> {
    // Look at the API server's copy: another reconcile may have deleted or rebound it meanwhile.
    let current: KubeObject;
    try {
      current = await this.ctx.client.get(resourcePath(PERSISTENT_VOLUMES, undefined, volume.metadata.name));
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
    if (current.metadata.deletionTimestamp || !this.isReleased(current)) return;
    try {
      await deleteVolumeStorage(current);
    } catch (err) {
      await this.volumeFailed(current, 'VolumeFailedDelete', (err as Error).message);
      return;
    }
    try {
      await this.ctx.client.delete(resourcePath(PERSISTENT_VOLUMES, undefined, current.metadata.name));
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  /** Its claim is gone, or bound to another volume (isVolumeReleased). */
  private isReleased(volume: KubeObject): boolean {
    const ref = volume.spec?.claimRef;
    if (!ref?.uid) return false;
    const claim = this.claim(`${ref.namespace}/${ref.name}`);
    if (!claim || claim.metadata.uid !== ref.uid) return true;
    return !!claim.spec?.volumeName && claim.spec.volumeName !== volume.metadata.name;
  }

  private async volumeFailed(volume: KubeObject, reason: string, message: string): Promise<void> {
    if (volume.status?.phase === 'Failed') return;
    await this.writes.updateVolumePhase(volume, 'Failed', message);
    this.events.warning(volume, reason, message);
  }
}
