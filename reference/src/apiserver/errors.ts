// API errors as Kubernetes returns them: a metav1.Status with a reason and a code.
//
// Every failure that reaches a client goes through ApiError, so kubectl prints
// "Error from server (NotFound): pods "web" not found" exactly as it does against
// a real cluster. The constructors mirror k8s.io/apimachinery/pkg/api/errors.

import type { Status, StatusCause } from '../api/types.ts';
import { qualifiedName, type ResourceType } from './resources.ts';

export class ApiError extends Error {
  constructor(readonly status: Status) {
    super(status.message);
    this.name = 'ApiError';
  }
  get code(): number {
    return this.status.code;
  }
}

function failure(code: number, reason: string, message: string, details?: Status['details']): ApiError {
  return new ApiError({
    kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code,
  });
}

function detailsOf(resource: ResourceType, name?: string): Status['details'] {
  return { ...(name ? { name } : {}), group: resource.group, kind: resource.plural };
}

/** 404: `pods "web" not found`, `deployments.apps "web" not found`. */
export function notFound(resource: ResourceType, name: string): ApiError {
  return failure(404, 'NotFound', `${qualifiedName(resource)} "${name}" not found`, detailsOf(resource, name));
}

/** 409: `pods "web" already exists`. */
export function alreadyExists(resource: ResourceType, name: string): ApiError {
  return failure(409, 'AlreadyExists', `${qualifiedName(resource)} "${name}" already exists`, detailsOf(resource, name));
}

/** 409 on a stale resourceVersion (the text is Kubernetes' OptimisticLockErrorMsg). */
export function conflict(resource: ResourceType, name: string, why?: string): ApiError {
  const reason = why ?? 'the object has been modified; please apply your changes to the latest version and try again';
  return failure(409, 'Conflict', `Operation cannot be fulfilled on ${qualifiedName(resource)} "${name}": ${reason}`, detailsOf(resource, name));
}

/** One field error, as k8s.io/apimachinery/pkg/util/validation/field builds them. */
export interface FieldError {
  /** FieldValueInvalid, FieldValueRequired, FieldValueNotSupported, FieldValueForbidden, FieldValueDuplicate, FieldValueTooLong… */
  reason: string;
  field: string;
  /** The per-field text, e.g. `Invalid value: "Foo": a lowercase RFC 1123 subdomain…`. */
  message: string;
}

/** 422: `Deployment.apps "web" is invalid: spec.selector: Required value`. details.kind is the Kind. */
export function invalid(resource: ResourceType, name: string, errors: FieldError[]): ApiError {
  const kind = resource.group ? `${resource.kind}.${resource.group}` : resource.kind;
  const parts = errors.map((e) => `${e.field}: ${e.message}`);
  const joined = parts.length === 1 ? parts[0] : `[${parts.join(', ')}]`;
  const causes: StatusCause[] = errors.map((e) => ({ reason: e.reason, message: e.message, field: e.field }));
  return failure(422, 'Invalid', `${kind} "${name}" is invalid: ${joined}`, {
    name, group: resource.group, kind: resource.kind, causes,
  });
}

/**
 * 422 for request options rather than an object: `CreateOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value…`
 * (the handlers in k8s.io/apiserver/pkg/endpoints/handlers call errors.NewInvalid with the options' GroupKind).
 */
export function invalidOptions(kind: string, errors: FieldError[]): ApiError {
  const parts = errors.map((e) => `${e.field}: ${e.message}`);
  const joined = parts.length === 1 ? parts[0] : `[${parts.join(', ')}]`;
  const causes: StatusCause[] = errors.map((e) => ({ reason: e.reason, message: e.message, field: e.field }));
  return failure(422, 'Invalid', `${kind}.meta.k8s.io "" is invalid: ${joined}`, { group: 'meta.k8s.io', kind, causes });
}

export function badRequest(message: string, causes?: StatusCause[]): ApiError {
  return failure(400, 'BadRequest', message, causes ? { causes } : undefined);
}

export function unauthorized(): ApiError {
  return failure(401, 'Unauthorized', 'Unauthorized');
}

export function forbidden(resource: ResourceType, name: string, why: string, causes?: StatusCause[]): ApiError {
  return failure(403, 'Forbidden', `${qualifiedName(resource)} "${name}" is forbidden: ${why}`, { ...detailsOf(resource, name), ...(causes ? { causes } : {}) });
}

export function methodNotAllowed(method: string): ApiError {
  return failure(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource (${method})`);
}

/** A path the server does not serve: Kubernetes answers a bare 404 Status with reason NotFound. */
export function pathNotFound(): ApiError {
  return failure(404, 'NotFound', 'the server could not find the requested resource');
}

export function expired(message: string): ApiError {
  return failure(410, 'Expired', message);
}

export function tooLarge(limit: number): ApiError {
  return failure(413, 'RequestEntityTooLarge', `Request entity too large: limit is ${limit}`);
}

export function unsupportedMediaType(contentType: string): ApiError {
  return failure(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf (got ${contentType})`);
}

export function internalError(error: unknown): ApiError {
  const message = error instanceof Error ? error.message : String(error);
  return failure(500, 'InternalError', `Internal error occurred: ${message}`);
}

export function serviceUnavailable(message: string): ApiError {
  return failure(503, 'ServiceUnavailable', message);
}

/** A success Status, as returned by some deletes. */
export function successStatus(resource: ResourceType, name: string, uid?: string): Status {
  return {
    kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success',
    details: { name, group: resource.group, kind: resource.plural, ...(uid ? { uid } : {}) }, code: 200,
  } as Status;
}

/** 422 without field causes: a patch that cannot be applied to the object (k8s.io/apiserver/pkg/endpoints/handlers/patch.go). */
export function unprocessable(message: string): ApiError {
  return failure(422, 'Invalid', message);
}
