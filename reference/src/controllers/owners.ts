// Owner references: how a controller marks the objects it manages.
//
// An object's controller is the one ownerReference with `controller: true`. A
// controller only ever touches objects whose controller reference points at
// it (by uid, so a new owner with the same name is a different owner), adopts
// orphans that match its selector, and releases objects that stopped matching
// (Kubernetes: pkg/controller/controller_ref_manager.go).

import type { KubeObject, OwnerReference } from '../api/types.ts';

/** The ownerReference with controller: true, if any (metav1.GetControllerOf). */
export function controllerOf(obj: KubeObject): OwnerReference | undefined {
  return (obj.metadata.ownerReferences ?? []).find((ref) => ref.controller);
}

/** The reference an owner's dependents carry (metav1.NewControllerRef). */
export function controllerReference(owner: KubeObject, apiVersion: string, kind: string): OwnerReference {
  return {
    apiVersion, kind, name: owner.metadata.name!, uid: owner.metadata.uid!,
    controller: true, blockOwnerDeletion: true,
  };
}

/** Whether obj is controlled by owner (same uid). */
export function isControlledBy(obj: KubeObject, owner: KubeObject): boolean {
  return controllerOf(obj)?.uid === owner.metadata.uid;
}

/**
 * A merge patch that sets the ownerReferences list, guarded by the object's
 * resourceVersion: if the object changed since we read it, the API server
 * answers 409 and the controller looks again, instead of overwriting a change.
 */
export function ownerReferencesPatch(obj: KubeObject, ownerReferences: OwnerReference[]): object {
  return { metadata: { resourceVersion: obj.metadata.resourceVersion, ownerReferences } };
}
