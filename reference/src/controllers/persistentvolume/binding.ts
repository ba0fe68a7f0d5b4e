// Binding a claim and a volume: the binder's writes
// (bind, bindVolumeToClaim, bindClaimToVolume, unbindVolume, updateVolumePhase
// and updateClaimStatus in pkg/controller/volume/persistentvolume/pv_controller.go).
//
// Binding is four writes, not one transaction:
//   1. the volume's spec.claimRef, with the claim's uid;
//   2. the volume's status: Bound;
//   3. the claim's spec.volumeName, and the bind-completed annotation;
//   4. the claim's status: Bound, with the volume's capacity and access modes.
// Each write is skipped when it is already done, and each carries the
// resourceVersion that was read, so that a write over someone else's change
// fails with 409 Conflict instead of undoing it. Whatever stops a bind halfway
// (a conflict, a crash of the controller manager), the next reconcile of the
// claim finds the volume whose claimRef names it and calls bind() again: the
// steps already done are skipped and the rest are made.

import type { KubeObject } from '../../api/types.ts';
import { jsonEqual } from '../../api/objects.ts';
import { isNotFound, type ApiClient } from '../../client/api-client.ts';
import { keyOf } from '../../client/informer.ts';
import { PERSISTENT_VOLUMES, PERSISTENT_VOLUME_CLAIMS, resourcePath, type ResourceRef } from '../../client/paths.ts';
import { isVolumeBoundToClaim } from './matching.ts';
import type { OwnWrites } from './own-writes.ts';

/** On volumes and claims: the controller, not the user, set claimRef / volumeName. */
export const ANN_BOUND_BY_CONTROLLER = 'pv.kubernetes.io/bound-by-controller';
/** On claims: binding has completed once; from now on a missing volume means Lost, not Pending. */
export const ANN_BIND_COMPLETED = 'pv.kubernetes.io/bind-completed';

export function hasAnnotation(obj: KubeObject, key: string): boolean {
  return obj.metadata.annotations?.[key] !== undefined;
}

function withAnnotation(obj: KubeObject, key: string): void {
  obj.metadata.annotations = { ...obj.metadata.annotations, [key]: 'yes' };
}

/** The claimRef a bound volume carries (an ObjectReference to the claim, as GetReference makes it). */
function claimReference(claim: KubeObject) {
  return {
    kind: 'PersistentVolumeClaim', namespace: claim.metadata.namespace, name: claim.metadata.name,
    uid: claim.metadata.uid, apiVersion: 'v1', resourceVersion: claim.metadata.resourceVersion,
  };
}

export class BindingWrites {
  constructor(private readonly client: ApiClient, private readonly ownWrites: OwnWrites) {}

  async bind(volume: KubeObject, claim: KubeObject): Promise<void> {
    const boundVolume = await this.bindVolumeToClaim(volume, claim);
    await this.updateVolumePhase(boundVolume, 'Bound');
    const boundClaim = await this.bindClaimToVolume(claim, boundVolume);
    await this.updateClaimStatus(boundClaim, 'Bound', boundVolume);
  }

  /** Write 1: the volume's claimRef, with the claim's uid (a new claim of the same name never inherits it). */
  private async bindVolumeToClaim(volume: KubeObject, claim: KubeObject): Promise<KubeObject> {
    const next = structuredClone(volume);
    const ref = volume.spec?.claimRef;
    let dirty = false;
    if (!ref || ref.name !== claim.metadata.name || ref.namespace !== claim.metadata.namespace || ref.uid !== claim.metadata.uid) {
      next.spec.claimRef = claimReference(claim);
      dirty = true;
    }
    // A volume its creator had reserved for this claim was bound by the user, not by us.
    if (!isVolumeBoundToClaim(volume, claim) && !hasAnnotation(next, ANN_BOUND_BY_CONTROLLER)) {
      withAnnotation(next, ANN_BOUND_BY_CONTROLLER);
      dirty = true;
    }
    return dirty ? this.write(PERSISTENT_VOLUMES, next) : volume;
  }

  /** Write 3: the claim's volumeName, and the annotation that says binding completed. */
  private async bindClaimToVolume(claim: KubeObject, volume: KubeObject): Promise<KubeObject> {
    const next = structuredClone(claim);
    let dirty = false;
    if (claim.spec?.volumeName !== volume.metadata.name) {
      next.spec.volumeName = volume.metadata.name;
      if (!hasAnnotation(next, ANN_BOUND_BY_CONTROLLER)) withAnnotation(next, ANN_BOUND_BY_CONTROLLER);
      dirty = true;
    }
    if (!hasAnnotation(next, ANN_BIND_COMPLETED)) {
      withAnnotation(next, ANN_BIND_COMPLETED);
      dirty = true;
    }
    return dirty ? this.write(PERSISTENT_VOLUME_CLAIMS, next) : claim;
  }

  /** A volume whose claim went to another volume: free it, or, if its creator reserved it, keep the reservation. */
  async unbindVolume(volume: KubeObject): Promise<void> {
    const next = structuredClone(volume);
    if (hasAnnotation(volume, ANN_BOUND_BY_CONTROLLER)) {
      delete next.spec.claimRef;
      delete next.metadata.annotations![ANN_BOUND_BY_CONTROLLER];
    } else {
      delete next.spec.claimRef.uid;
    }
    await this.updateVolumePhase(await this.write(PERSISTENT_VOLUMES, next), 'Available');
  }

  /** Write 2, and the volume's other phases. Only a change of phase is written. */
  async updateVolumePhase(volume: KubeObject, phase: string, message?: string): Promise<KubeObject> {
    if (volume.status?.phase === phase) return volume;
    const status = { ...volume.status, phase, message };
    if (!message) delete status.message;
    return this.write(PERSISTENT_VOLUMES, { ...volume, status }, 'status');
  }

  /** Write 4, and a claim's other phases: the bound volume's access modes and capacity, or none. */
  async updateClaimStatus(claim: KubeObject, phase: string, volume?: KubeObject): Promise<KubeObject> {
    const status = { ...claim.status, phase };
    if (volume) {
      status.accessModes = volume.spec?.accessModes;
      // The capacity is the volume's, which may be more than was asked for; it is
      // set when the claim becomes Bound and left alone afterwards (a resize changes it).
      if (claim.status?.phase !== phase) status.capacity = volume.spec?.capacity;
    } else {
      delete status.accessModes;
      delete status.capacity;
    }
    if (jsonEqual(status, claim.status)) return claim;
    return this.write(PERSISTENT_VOLUME_CLAIMS, { ...claim, status }, 'status');
  }

  /** PUT with the resourceVersion we read; the answer is remembered until the informers show it. */
  private async write(ref: ResourceRef, obj: KubeObject, subresource?: 'status'): Promise<KubeObject> {
    const path = resourcePath(ref, obj.metadata.namespace, obj.metadata.name, subresource);
    try {
      return this.ownWrites.remember(await this.client.update(path, obj));
    } catch (err) {
      if (isNotFound(err)) this.ownWrites.forget(keyOf(obj));
      throw err;
    }
  }
}
