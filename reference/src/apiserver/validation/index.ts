// Which validation each kind gets, on create and on update.
//
// The registry calls validateCreate before storing a new object and validateUpdate
// before replacing one; a non-empty list of field errors becomes a 422 Invalid.

import type { KubeObject } from '../../api/types.ts';
import type { FieldError } from '../errors.ts';
import { validateObjectMeta, validateObjectMetaUpdate } from './meta.ts';
import { validatePod, validatePodUpdate } from './pod.ts';
import { validateDeployment, validateReplicaSet, validateSelectorUnchanged } from './apps.ts';
import { validateService, validateServiceUpdate } from './service.ts';
import { validateConfigMap, validateConfigMapUpdate, validateSecret, validateSecretUpdate } from './config.ts';
import { validateEndpointSlice, validateEndpointSliceUpdate } from './discovery.ts';
import { required, immutable } from './field-errors.ts';
import { jsonEqual } from '../../api/objects.ts';

type Check = (obj: KubeObject) => FieldError[];
type UpdateCheck = (next: KubeObject, prev: KubeObject) => FieldError[];

const ON_CREATE: Record<string, Check> = {
  Pod: validatePod,
  Deployment: validateDeployment,
  ReplicaSet: validateReplicaSet,
  Service: validateService,
  ConfigMap: validateConfigMap,
  Secret: validateSecret,
  EndpointSlice: validateEndpointSlice,
  PersistentVolumeClaim: (pvc) => (pvc.spec?.accessModes?.length ? [] : [required('spec.accessModes')]),
  PersistentVolume: (pv) => [
    ...(pv.spec?.capacity?.storage ? [] : [required('spec.capacity')]),
    ...(pv.spec?.accessModes?.length ? [] : [required('spec.accessModes')]),
  ],
  Event: (ev) => (ev.involvedObject ? [] : [required('involvedObject')]),
};

const ON_UPDATE: Record<string, UpdateCheck> = {
  Pod: validatePodUpdate,
  Deployment: validateSelectorUnchanged,
  ReplicaSet: validateSelectorUnchanged,
  Service: validateServiceUpdate,
  ConfigMap: validateConfigMapUpdate,
  Secret: validateSecretUpdate,
  EndpointSlice: validateEndpointSliceUpdate,
  // A bound claim's spec cannot change except its requested size (ValidatePersistentVolumeClaimUpdate).
  PersistentVolumeClaim: (next, prev) =>
    prev.spec?.volumeName && !jsonEqual({ ...next.spec, resources: undefined }, { ...prev.spec, resources: undefined })
      ? [{ reason: 'FieldValueForbidden', field: 'spec', message: 'Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims' }]
      : [],
  Namespace: (next, prev) =>
    next.metadata.labels?.['kubernetes.io/metadata.name'] !== prev.metadata.labels?.['kubernetes.io/metadata.name']
      ? [immutable("metadata.labels['kubernetes.io/metadata.name']", next.metadata.labels?.['kubernetes.io/metadata.name'])]
      : [],
};

export function validateCreate(obj: KubeObject): FieldError[] {
  return [...validateObjectMeta(obj), ...(ON_CREATE[obj.kind]?.(obj) ?? [])];
}

export function validateUpdate(next: KubeObject, prev: KubeObject): FieldError[] {
  return [
    ...validateObjectMeta(next),
    ...validateObjectMetaUpdate(next, prev),
    ...(ON_CREATE[next.kind]?.(next) ?? []),
    ...(ON_UPDATE[next.kind]?.(next, prev) ?? []),
  ];
}
