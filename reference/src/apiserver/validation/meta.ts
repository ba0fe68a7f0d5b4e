// Validation of metadata, common to every kind
// (k8s.io/apimachinery/pkg/api/validation/objectmeta.go).

import type { KubeObject } from '../../api/types.ts';
import type { FieldError } from '../errors.ts';
import { required, invalidValue, immutable, forbiddenField } from './field-errors.ts';
import { isDns1123Label, isDns1123Subdomain, isDns1035Label, isLabelValue, isQualifiedName, type NameCheck } from './names.ts';

/** Which name rule each kind follows (pkg/apis/core/validation and apps/validation). */
export function nameRuleFor(kind: string): NameCheck {
  if (kind === 'Namespace') return isDns1123Label;
  if (kind === 'Service') return isDns1035Label;
  return isDns1123Subdomain;
}

/** Annotations may hold at most 256 KiB in all (TotalAnnotationSizeLimitB). */
const ANNOTATIONS_LIMIT = 256 * 1024;

export function validateLabels(labels: unknown, field: string): FieldError[] {
  if (labels === undefined || labels === null) return [];
  if (typeof labels !== 'object' || Array.isArray(labels)) return [invalidValue(field, labels, 'must be a map of string keys to string values')];
  const errs: FieldError[] = [];
  for (const [key, value] of Object.entries(labels)) {
    for (const e of isQualifiedName(key)) errs.push(invalidValue(field, key, e));
    if (typeof value !== 'string') errs.push(invalidValue(`${field}`, value, 'label values must be strings'));
    else for (const e of isLabelValue(value)) errs.push(invalidValue(field, value, e));
  }
  return errs;
}

function validateAnnotations(annotations: unknown, field: string): FieldError[] {
  if (annotations === undefined || annotations === null) return [];
  if (typeof annotations !== 'object' || Array.isArray(annotations)) return [invalidValue(field, annotations, 'must be a map of string keys to string values')];
  const errs: FieldError[] = [];
  let size = 0;
  for (const [key, value] of Object.entries(annotations)) {
    for (const e of isQualifiedName(key.toLowerCase())) errs.push(invalidValue(field, key, e));
    if (typeof value !== 'string') errs.push(invalidValue(field, value, 'annotation values must be strings'));
    size += key.length + String(value).length;
  }
  if (size > ANNOTATIONS_LIMIT) {
    errs.push({ reason: 'FieldValueTooLong', field, message: `Too long: must have at most ${ANNOTATIONS_LIMIT} bytes` });
  }
  return errs;
}

export function validateObjectMeta(obj: KubeObject): FieldError[] {
  const meta = obj.metadata;
  const errs: FieldError[] = [];
  const name = meta.name;
  if (!name) {
    errs.push(required('metadata.name', 'name or generateName is required'));
  } else if (typeof name !== 'string') {
    errs.push(invalidValue('metadata.name', name, 'must be a string'));
  } else {
    for (const e of nameRuleFor(obj.kind)(name)) errs.push(invalidValue('metadata.name', name, e));
  }
  errs.push(...validateLabels(meta.labels, 'metadata.labels'));
  errs.push(...validateAnnotations(meta.annotations, 'metadata.annotations'));
  if (meta.finalizers !== undefined) {
    if (!Array.isArray(meta.finalizers)) errs.push(invalidValue('metadata.finalizers', meta.finalizers, 'must be a list of strings'));
    else meta.finalizers.forEach((f, i) => {
      if (typeof f !== 'string') errs.push(invalidValue(`metadata.finalizers[${i}]`, f, 'must be a string'));
      else for (const e of isQualifiedName(f)) errs.push(invalidValue(`metadata.finalizers[${i}]`, f, e));
    });
  }
  if (meta.ownerReferences !== undefined) {
    if (!Array.isArray(meta.ownerReferences)) errs.push(invalidValue('metadata.ownerReferences', meta.ownerReferences, 'must be a list'));
    else meta.ownerReferences.forEach((ref, i) => {
      const f = `metadata.ownerReferences[${i}]`;
      for (const key of ['apiVersion', 'kind', 'name', 'uid'] as const) {
        if (!ref || typeof ref[key] !== 'string' || !ref[key]) errs.push(required(`${f}.${key}`));
      }
    });
    if (Array.isArray(meta.ownerReferences) && meta.ownerReferences.filter((r) => r?.controller).length > 1) {
      errs.push(invalidValue('metadata.ownerReferences', meta.ownerReferences, 'Only one reference can have Controller set to true'));
    }
  }
  return errs;
}

/** Fields that never change after create (objectmeta.go ValidateObjectMetaUpdate). */
export function validateObjectMetaUpdate(next: KubeObject, prev: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  if (next.metadata.uid !== prev.metadata.uid) errs.push(immutable('metadata.uid', next.metadata.uid));
  if (next.metadata.creationTimestamp !== prev.metadata.creationTimestamp) {
    errs.push(immutable('metadata.creationTimestamp', next.metadata.creationTimestamp));
  }
  if (prev.metadata.deletionTimestamp && next.metadata.finalizers) {
    const added = next.metadata.finalizers.filter((f) => !(prev.metadata.finalizers ?? []).includes(f));
    if (added.length) errs.push(forbiddenField('metadata.finalizers', `no new finalizers can be added if the object is being deleted, found new finalizers ${JSON.stringify(added)}`));
  }
  return errs;
}
