// Validation of PersistentVolumes and PersistentVolumeClaims
// (pkg/apis/core/validation/validation.go: ValidatePersistentVolumeSpec,
// ValidatePersistentVolumeClaimSpec and their Update functions).

import type { KubeObject } from '../../api/types.ts';
import { jsonEqual } from '../../api/objects.ts';
import { parseQuantity } from '../../api/quantity.ts';
import type { FieldError } from '../errors.ts';
import { forbiddenField, immutable, invalidValue, notSupported, required } from './field-errors.ts';
import { isDns1123Subdomain } from './names.ts';

// The lists as Kubernetes prints them in its messages: sorted.
const ACCESS_MODES = ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod'];
const RECLAIM_POLICIES = ['Delete', 'Recycle', 'Retain'];
const VOLUME_MODES = ['Block', 'Filesystem'];
const HOST_PATH_TYPES = ['', 'BlockDevice', 'CharDevice', 'Directory', 'DirectoryOrCreate', 'File', 'FileOrCreate', 'Socket'];

/** The fields of a PersistentVolumeSource: a volume has exactly one of them. */
const VOLUME_SOURCES = [
  'gcePersistentDisk', 'awsElasticBlockStore', 'hostPath', 'glusterfs', 'nfs', 'rbd', 'quobyte', 'iscsi', 'cinder',
  'cephfs', 'fc', 'flocker', 'flexVolume', 'azureFile', 'vsphereVolume', 'azureDisk', 'photonPersistentDisk',
  'portworxVolume', 'scaleIO', 'local', 'storageos', 'csi',
];

function validateAccessModes(modes: unknown, field: string, requiredDetail: string): FieldError[] {
  if (!Array.isArray(modes) || modes.length === 0) return [required(field, requiredDetail)];
  const errs: FieldError[] = [];
  for (const mode of modes) if (!ACCESS_MODES.includes(mode)) errs.push(notSupported(field, mode, ACCESS_MODES));
  // ReadWriteOncePod promises a single pod; another mode next to it would break that promise.
  if (modes.includes('ReadWriteOncePod') && modes.some((m) => m !== 'ReadWriteOncePod' && ACCESS_MODES.includes(m))) {
    errs.push(forbiddenField(field, 'may not use ReadWriteOncePod with other access modes'));
  }
  return errs;
}

/** A storage size: a quantity, not negative (ValidatePositiveQuantityValue). */
function validateStorageQuantity(value: unknown, field: string): FieldError[] {
  let bytes: number;
  try {
    bytes = parseQuantity(value as string);
  } catch {
    return [invalidValue(field, value, "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'")];
  }
  return bytes < 0 ? [invalidValue(field, value, 'must be greater than or equal to 0')] : [];
}

function validateClassAndMode(spec: any): FieldError[] {
  const errs: FieldError[] = [];
  if (spec.storageClassName) {
    for (const e of isDns1123Subdomain(String(spec.storageClassName))) errs.push(invalidValue('spec.storageClassName', spec.storageClassName, e));
  }
  if (spec.volumeMode !== undefined && !VOLUME_MODES.includes(spec.volumeMode)) errs.push(notSupported('spec.volumeMode', spec.volumeMode, VOLUME_MODES));
  return errs;
}

export function validatePersistentVolume(pv: KubeObject): FieldError[] {
  const spec = pv.spec;
  if (!spec || typeof spec !== 'object') return [required('spec')];
  const errs = validateAccessModes(spec.accessModes, 'spec.accessModes', '');

  const capacity = spec.capacity && typeof spec.capacity === 'object' ? spec.capacity : {};
  const resources = Object.keys(capacity);
  if (resources.length === 0) errs.push(required('spec.capacity'));
  // A volume offers storage and nothing else.
  if (!resources.includes('storage') || resources.length > 1) errs.push(notSupported('spec.capacity', capacity, ['storage']));
  for (const r of resources) errs.push(...validateStorageQuantity(capacity[r], `spec.capacity[${r}]`));

  const policy = spec.persistentVolumeReclaimPolicy;
  if (policy && !RECLAIM_POLICIES.includes(policy)) errs.push(notSupported('spec.persistentVolumeReclaimPolicy', policy, RECLAIM_POLICIES));
  errs.push(...validateClassAndMode(spec));

  const sources = VOLUME_SOURCES.filter((s) => spec[s] !== undefined && spec[s] !== null);
  if (sources.length === 0) errs.push(required('spec', 'must specify a volume type'));
  for (const extra of sources.slice(1)) errs.push(forbiddenField(`spec.${extra}`, 'may not specify more than 1 volume type'));
  if (spec.hostPath) {
    if (!spec.hostPath.path) errs.push(required('spec.hostPath.path'));
    const type = spec.hostPath.type ?? '';
    if (!HOST_PATH_TYPES.includes(type)) errs.push(notSupported('spec.hostPath.type', type, HOST_PATH_TYPES));
  }
  if (spec.local) {
    if (!spec.local.path) errs.push(required('spec.local.path'));
    // A local volume lives on one node: it must say which (validateLocalVolumeSource).
    if (!spec.nodeAffinity) errs.push(required('spec.nodeAffinity', 'Local volume requires node affinity'));
  }
  return errs;
}

/** What a volume is (its source) and its volumeMode never change (ValidatePersistentVolumeUpdate). */
export function validatePersistentVolumeUpdate(next: KubeObject, prev: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const source = (pv: KubeObject) => Object.fromEntries(VOLUME_SOURCES.map((s) => [s, pv.spec?.[s]]));
  if (!jsonEqual(source(next), source(prev))) {
    errs.push(forbiddenField('spec.persistentvolumesource', 'spec.persistentvolumesource is immutable after creation'));
  }
  // Kubernetes names this field without its "spec." prefix.
  if (next.spec?.volumeMode !== prev.spec?.volumeMode) errs.push(immutable('volumeMode', next.spec?.volumeMode));
  return errs;
}

export function validatePersistentVolumeClaim(pvc: KubeObject): FieldError[] {
  const spec = pvc.spec;
  if (!spec || typeof spec !== 'object') return [required('spec')];
  const errs = validateAccessModes(spec.accessModes, 'spec.accessModes', 'at least 1 access mode is required');
  const storage = spec.resources?.requests?.storage;
  if (storage === undefined) errs.push(required('spec.resources[storage]'));
  else errs.push(...validateStorageQuantity(storage, 'spec.resources[storage]'));
  errs.push(...validateClassAndMode(spec));
  return errs;
}

/**
 * A claim's spec is fixed once created (quotas and limits were checked against
 * it), with two exceptions: spec.volumeName may be set once, which is how the
 * binder binds it, and a bound claim may ask for more storage
 * (ValidatePersistentVolumeClaimUpdate).
 */
export function validatePersistentVolumeClaimUpdate(next: KubeObject, prev: KubeObject): FieldError[] {
  const before = structuredClone(prev.spec ?? {});
  const after = structuredClone(next.spec ?? {});
  if (!before.volumeName) before.volumeName = after.volumeName;
  const bound = next.status?.phase === 'Bound';
  if (bound && after.resources?.requests) after.resources.requests.storage = before.resources?.requests?.storage;
  const errs: FieldError[] = [];
  if (!jsonEqual(after, before)) {
    errs.push(forbiddenField('spec', 'spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims'));
  }
  const size = (q: unknown) => { try { return parseQuantity(q as string); } catch { return 0; } };
  const newSize = size(next.spec?.resources?.requests?.storage);
  // Shrinking is refused, except back down towards what the volume has (a failed expansion undone).
  if (bound && newSize < size(prev.spec?.resources?.requests?.storage) && newSize <= size(prev.status?.capacity?.storage)) {
    errs.push(forbiddenField('spec.resources.requests.storage', 'field can not be less than status.capacity'));
  }
  return errs;
}
