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
import { validatePodDisruptionBudget } from './policy.ts';
import {
  validatePersistentVolume, validatePersistentVolumeClaim, validatePersistentVolumeClaimUpdate, validatePersistentVolumeUpdate,
} from './storage.ts';
import { required, immutable } from './field-errors.ts';

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
  PersistentVolumeClaim: validatePersistentVolumeClaim,
  PersistentVolume: validatePersistentVolume,
  PodDisruptionBudget: validatePodDisruptionBudget,
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
  PersistentVolumeClaim: validatePersistentVolumeClaimUpdate,
  PersistentVolume: validatePersistentVolumeUpdate,
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
