// Which PersistentVolume a PersistentVolumeClaim gets: the rules of
// FindMatchingVolume (pkg/controller/volume/persistentvolume/util/util.go in
// Kubernetes, called by findBestMatchForClaim in index.go).
//
// A volume fits a claim when
//   - it is free (status Available, no claimRef), or pre-bound to this claim;
//   - its capacity is at least the claim's request;
//   - its access modes include every mode the claim asks for;
//   - its storage class is the claim's ("" only matches volumes without a class);
//   - its labels match the claim's selector, if the claim has one;
//   - its volumeMode is the claim's (both default to Filesystem).
// Of the volumes that fit, the claim gets the one that wastes least: fewest
// extra access modes first, then the smallest capacity.

import type { KubeObject } from '../../api/types.ts';
import { matchesLabels, selectorFromLabelSelector } from '../../api/labels.ts';
import { parseQuantity } from '../../api/quantity.ts';

/** The beta annotation still wins over spec.storageClassName (GetPersistentVolumeClass, GetPersistentVolumeClaimClass). */
const ANN_STORAGE_CLASS = 'volume.beta.kubernetes.io/storage-class';

export function storageClassOf(obj: KubeObject): string {
  return obj.metadata.annotations?.[ANN_STORAGE_CLASS] ?? obj.spec?.storageClassName ?? '';
}

/** spec.capacity.storage of a volume, or spec.resources.requests.storage of a claim, in bytes (0 when absent or unreadable). */
export function storageBytes(quantity: unknown): number {
  if (typeof quantity !== 'string' && typeof quantity !== 'number') return 0;
  try {
    return parseQuantity(quantity);
  } catch {
    return 0;
  }
}

/** The claim's requested modes are all among the volume's (CheckAccessModes). */
export function hasAccessModes(volume: KubeObject, claim: KubeObject): boolean {
  const offered: string[] = volume.spec?.accessModes ?? [];
  return (claim.spec?.accessModes ?? []).every((mode: string) => offered.includes(mode));
}

/** Both default to Filesystem (CheckVolumeModeMismatches). */
export function sameVolumeMode(volume: KubeObject, claim: KubeObject): boolean {
  return (volume.spec?.volumeMode ?? 'Filesystem') === (claim.spec?.volumeMode ?? 'Filesystem');
}

/**
 * The volume's claimRef names this claim: with its uid, or without one when the
 * volume's creator reserved it for a claim by name (IsVolumeBoundToClaim).
 */
export function isVolumeBoundToClaim(volume: KubeObject, claim: KubeObject): boolean {
  const ref = volume.spec?.claimRef;
  if (!ref || ref.name !== claim.metadata.name || ref.namespace !== claim.metadata.namespace) return false;
  return !ref.uid || ref.uid === claim.metadata.uid;
}

function selectorMatches(claim: KubeObject, volume: KubeObject): boolean {
  if (!claim.spec?.selector) return true; // no selector: any volume
  try {
    return matchesLabels(selectorFromLabelSelector(claim.spec.selector), volume.metadata.labels);
  } catch {
    return false; // a selector that cannot be read matches nothing
  }
}

// LAB(volumes) begin: match a claim to a volume
/**
 * The volume a claim should be bound to, or undefined when none fits. A volume
 * pre-bound to the claim (its claimRef names it) wins over any other.
 */
export function findMatchingVolume(claim: KubeObject, volumes: KubeObject[]): KubeObject | undefined {
  const requested = storageBytes(claim.spec?.resources?.requests?.storage);
  const candidates: KubeObject[] = [];
  for (const volume of volumes) {
    if (volume.spec?.claimRef && !isVolumeBoundToClaim(volume, claim)) continue; // someone else's
    if (storageBytes(volume.spec?.capacity?.storage) < requested) continue;
    if (!sameVolumeMode(volume, claim)) continue;
    if (!hasAccessModes(volume, claim)) continue;
    if (volume.metadata.deletionTimestamp) continue;
    if (isVolumeBoundToClaim(volume, claim)) return volume;

    // A volume not yet Available may still be on its way to Released or
    // Failed; the binder makes it Available first, then looks again.
    if (volume.status?.phase !== 'Available') continue;
    if (!selectorMatches(claim, volume)) continue;
    if (storageClassOf(volume) !== storageClassOf(claim)) continue;
    candidates.push(volume);
  }
  // Kubernetes indexes volumes by their set of access modes and searches the
  // smallest sets first, then takes the smallest capacity within a set.
  const modes = (v: KubeObject) => new Set(v.spec?.accessModes ?? []).size;
  const size = (v: KubeObject) => storageBytes(v.spec?.capacity?.storage);
  candidates.sort((a, b) => modes(a) - modes(b) || size(a) - size(b));
  return candidates[0];
}
// LAB end

/**
 * Why a claim cannot have the volume it names in spec.volumeName, or undefined
 * when it can (checkVolumeSatisfyClaim in pv_controller.go). A claim that names
 * its volume skips the selector and the volume's phase.
 */
export function volumeMismatch(volume: KubeObject, claim: KubeObject): string | undefined {
  if (volume.metadata.deletionTimestamp) return `the volume is marked for deletion "${volume.metadata.name}"`;
  if (storageBytes(volume.spec?.capacity?.storage) < storageBytes(claim.spec?.resources?.requests?.storage)) return 'requested PV is too small';
  if (storageClassOf(volume) !== storageClassOf(claim)) return 'storageClassName does not match';
  if (!sameVolumeMode(volume, claim)) return 'incompatible volumeMode';
  if (!hasAccessModes(volume, claim)) return 'incompatible accessMode';
  return undefined;
}
