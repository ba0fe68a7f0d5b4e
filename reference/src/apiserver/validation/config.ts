// Validation of ConfigMaps and Secrets: maps of keys to values that pods read as
// env variables or as files (pkg/apis/core/validation/validation.go ValidateConfigMap,
// ValidateConfigMapUpdate, ValidateSecret, ValidateSecretUpdate).
//
// Both kinds share the key syntax (a key becomes a file name), a 1 MiB limit and
// `immutable: true`, after which the data can no longer change.

import type { KubeObject } from '../../api/types.ts';
import type { FieldError } from '../errors.ts';
import { jsonEqual } from '../../api/objects.ts';
import { forbiddenField, immutable, invalidValue, required, tooLong } from './field-errors.ts';
import { isConfigMapKey } from './names.ts';

/** MaxSecretSize, which ConfigMaps share (pkg/apis/core/types.go). */
const MAX_SIZE = 1024 * 1024;

/** What a Secret's value shows in error messages: never the value itself. */
const REDACTED = '<secret contents redacted>';

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Standard base64 with padding; line breaks are ignored, as Go's decoder ignores them. */
export function isBase64(value: unknown): value is string {
  return typeof value === 'string' && BASE64.test(value.replace(/[\r\n]/g, ''));
}

function entries(map: unknown): [string, unknown][] {
  return map && typeof map === 'object' && !Array.isArray(map) ? Object.entries(map) : [];
}

function keyErrors(field: string, key: string): FieldError[] {
  return isConfigMapKey(key).map((e) => invalidValue(`${field}[${key}]`, key, e));
}

/** Decoded size of a base64 value, counted without decoding it. */
function base64Bytes(value: string): number {
  const clean = value.replace(/[\r\n]/g, '');
  return (clean.length / 4) * 3 - (clean.endsWith('==') ? 2 : clean.endsWith('=') ? 1 : 0);
}

export function validateConfigMap(cm: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  let size = 0;
  for (const [key, value] of entries(cm.data)) {
    errs.push(...keyErrors('data', key));
    if (Object.hasOwn(cm.binaryData ?? {}, key)) errs.push(invalidValue(`data[${key}]`, key, 'duplicate of key present in binaryData'));
    size += Buffer.byteLength(String(value));
  }
  for (const [key, value] of entries(cm.binaryData)) {
    errs.push(...keyErrors('binaryData', key));
    if (isBase64(value)) size += base64Bytes(value);
    else errs.push(invalidValue(`binaryData[${key}]`, key, 'must be a base64-encoded value'));
  }
  // Kubernetes names no field here: the limit is on the whole object.
  if (size > MAX_SIZE) errs.push(tooLong('', MAX_SIZE));
  return errs;
}

/**
 * The keys each built-in Secret type needs (the switch in ValidateSecret; the types are
 * described at https://kubernetes.io/docs/concepts/configuration/secret/#secret-types).
 * Any other type, Opaque or one of the user's own, may hold any keys.
 */
function typeErrors(secret: KubeObject): FieldError[] {
  const data: Record<string, string> = secret.data ?? {};
  const has = (key: string) => Object.hasOwn(data, key);
  const jsonKey = (key: string): FieldError[] => {
    if (!has(key)) return [required(`data[${key}]`)];
    if (!isBase64(data[key])) return []; // already reported
    try {
      JSON.parse(Buffer.from(data[key], 'base64').toString('utf8'));
      return [];
    } catch (err) {
      return [invalidValue(`data[${key}]`, REDACTED, (err as Error).message)];
    }
  };
  switch (secret.type) {
    case 'kubernetes.io/service-account-token':
      // Only the account's name: the token itself is filled in later by a controller.
      return secret.metadata.annotations?.['kubernetes.io/service-account.name']
        ? [] : [required('metadata.annotations[kubernetes.io/service-account.name]')];
    case 'kubernetes.io/dockercfg':
      return jsonKey('.dockercfg');
    case 'kubernetes.io/dockerconfigjson':
      return jsonKey('.dockerconfigjson');
    case 'kubernetes.io/basic-auth':
      // Either may be empty, but one of the two keys must be there.
      return has('username') || has('password') ? [] : [required('data[username]'), required('data[password]')];
    case 'kubernetes.io/ssh-auth':
      return data['ssh-privatekey'] ? [] : [required('data[ssh-privatekey]')];
    case 'kubernetes.io/tls':
      return ['tls.crt', 'tls.key'].filter((key) => !has(key)).map((key) => required(`data[${key}]`));
    default:
      return [];
  }
}

/**
 * A Secret's data values are bytes, base64 in JSON. Kubernetes finds a value that is
 * not base64 while decoding the request (a 400); here it is a field error, so the
 * message can say which key holds it.
 */
export function validateSecret(secret: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  let size = 0;
  for (const [key, value] of entries(secret.data)) {
    errs.push(...keyErrors('data', key));
    if (isBase64(value)) size += base64Bytes(value);
    else errs.push(invalidValue(`data[${key}]`, REDACTED, 'must be a base64-encoded value'));
  }
  if (size > MAX_SIZE) errs.push(tooLong('data', MAX_SIZE));
  return [...errs, ...typeErrors(secret)];
}

/** `immutable: true` is for good: the flag stays, and so do the listed fields. */
function immutableErrors(next: KubeObject, prev: KubeObject, fields: string[]): FieldError[] {
  if (prev.immutable !== true) return [];
  const detail = 'field is immutable when `immutable` is set';
  const errs: FieldError[] = [];
  if (next.immutable !== true) errs.push(forbiddenField('immutable', detail));
  for (const field of fields) {
    if (!jsonEqual(next[field] ?? {}, prev[field] ?? {})) errs.push(forbiddenField(field, detail));
  }
  return errs;
}

export function validateConfigMapUpdate(next: KubeObject, prev: KubeObject): FieldError[] {
  return immutableErrors(next, prev, ['data', 'binaryData']);
}

export function validateSecretUpdate(next: KubeObject, prev: KubeObject): FieldError[] {
  return [
    ...(next.type !== prev.type ? [immutable('type', next.type)] : []),
    ...immutableErrors(next, prev, ['data']),
  ];
}
