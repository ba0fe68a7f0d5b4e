// The generic registry: create, read, update and delete any kind, on top of the store.
//
// This is the heart of the API server (in Kubernetes: the generic registry Store in
// k8s.io/apiserver/pkg/registry/generic/registry/store.go). Each write follows the
// same steps: take server-owned fields out of the client's hands, apply defaults,
// validate, then write with compare-and-swap so that two writers can never both win.

import { randomUUID } from 'node:crypto';
import type { KubeObject } from '../../api/types.ts';
import { jsonEqual } from '../../api/objects.ts';
import { ConflictError, KeyExistsError, NotFoundError as StoreNotFound, type Store } from '../../store/store.ts';
import {
  ApiError, alreadyExists, badRequest, conflict, forbidden, invalid, notFound, successStatus,
} from '../errors.ts';
import { groupVersion, storageKey, findKind, type ResourceType } from '../resources.ts';
import { applyDefaults, initialStatus } from '../defaults.ts';
import { validateCreate, validateUpdate } from '../validation/index.ts';
import { decode, encode } from './codec.ts';
import { prepareServiceCreate, prepareServiceUpdate, type ServiceRanges } from './services.ts';
import { addStorageProtectionFinalizer } from './storage-protection.ts';
import { addDefaultTolerations } from './default-tolerations.ts';
import { deletionPlan, type DeleteOptions } from './deletion.ts';
import { apiTime } from '../../api/time.ts';

export interface WriteOptions {
  /** dryRun=All: run every step but do not store. */
  dryRun?: boolean;
}

export interface UpdateOptions extends WriteOptions {
  /**
   * Writes through the status subresource change only status; the main resource never changes status.
   * A namespace's finalize subresource changes only spec.finalizers.
   */
  subresource?: 'status' | 'finalize';
}

const NAMESPACE = findKind('v1', 'Namespace')!;

/** Namespaces that can never be deleted (the NamespaceLifecycle admission plugin's immortal namespaces). */
const IMMORTAL_NAMESPACES = new Set(['default', 'kube-system', 'kube-public']);

/**
 * How many times an unconditional write (update(), delete(), a patch) reads again
 * after another write got in first. Each round lets at least one writer through, so
 * N clients writing one object at once need up to N rounds; Kubernetes'
 * GuaranteedUpdate has no bound at all, this one only guards against a bug.
 */
export const WRITE_ATTEMPTS = 100;

/**
 * Runs a read-modify-write until no other write gets in between its read and its
 * write: a Conflict means read again and retry, as GuaranteedUpdate does, unless
 * `pinned()` says the client named the resourceVersion itself, which makes the
 * Conflict the client's answer.
 */
export async function retryOnConflict<T>(write: () => Promise<T>, pinned: () => boolean = () => false): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await write();
    } catch (err) {
      const conflicted = err instanceof ApiError && err.code === 409 && err.status.reason === 'Conflict';
      if (!conflicted || pinned() || attempt >= WRITE_ATTEMPTS) throw err;
    }
  }
}

/** The 5-character suffix alphabet of generateName (k8s.io/apimachinery/pkg/util/rand). */
const NAME_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

export function generateName(prefix: string): string {
  let suffix = '';
  for (let i = 0; i < 5; i++) suffix += NAME_ALPHABET[Math.floor(Math.random() * NAME_ALPHABET.length)];
  return prefix.slice(0, 58) + suffix;
}

/** RFC 3339 with second precision, as Kubernetes writes timestamps. */
export function now(): string {
  return apiTime();
}

/** What the admission steps on create need to know (from the timing profile). */
export interface AdmissionOptions {
  /** How long new pods tolerate a not-ready or unreachable node (DefaultTolerationSeconds; 300 in Kubernetes). */
  defaultTolerationSeconds?: number;
}

export class Registry {
  constructor(readonly store: Store, readonly ranges: ServiceRanges, readonly admission: AdmissionOptions = {}) {}

  async get(resource: ResourceType, namespace: string | undefined, name: string): Promise<KubeObject> {
    const kv = await this.store.get(storageKey(resource, namespace, name));
    if (!kv) throw notFound(resource, name);
    return decode(kv);
  }

  async create(resource: ResourceType, namespace: string | undefined, body: KubeObject, options: WriteOptions = {}): Promise<KubeObject> {
    const obj = structuredClone(body);
    checkTypeMeta(resource, obj);
    obj.metadata ??= {};
    setNamespace(resource, obj, namespace);
    if (obj.metadata.resourceVersion) throw badRequest('resourceVersion should not be set on objects to be created');
    if (!obj.metadata.name && obj.metadata.generateName) obj.metadata.name = generateName(obj.metadata.generateName);
    if (resource.namespaced) await this.checkNamespaceAcceptsWrites(resource, obj);

    // Fields only the server sets (BeforeCreate in k8s.io/apiserver/pkg/registry/rest/create.go).
    obj.metadata.uid = randomUUID();
    obj.metadata.creationTimestamp = now();
    delete obj.metadata.deletionTimestamp;
    delete obj.metadata.deletionGracePeriodSeconds;
    delete obj.metadata.managedFields;
    if (resource.tracksGeneration) obj.metadata.generation = 1;
    else delete obj.metadata.generation;
    const status = initialStatus(obj);
    if (status === undefined) delete obj.status;
    else obj.status = status;

    applyDefaults(obj);
    addStorageProtectionFinalizer(obj); // an admission plugin in Kubernetes
    if (obj.kind === 'Namespace') addNamespaceFinalizer(obj);
    addDefaultTolerations(obj, this.admission.defaultTolerationSeconds ?? 300); // an admission plugin in Kubernetes
    const errors = validateCreate(obj);
    if (errors.length) throw invalid(resource, String(obj.metadata.name ?? ''), errors);
    const key = storageKey(resource, namespace, obj.metadata.name!);
    // Check before allocating a Service's IP and ports, so a duplicate create cannot take them.
    if (await this.store.get(key)) throw alreadyExists(resource, obj.metadata.name!);
    if (obj.kind === 'Service') await prepareServiceCreate(this, obj);
    if (options.dryRun) return obj;

    try {
      const kv = await this.store.create(key, encode(obj));
      return decode(kv);
    } catch (err) {
      if (err instanceof KeyExistsError) throw alreadyExists(resource, obj.metadata.name!);
      throw err;
    }
  }

  /**
   * PUT: replace the object. A resourceVersion in the body must match the stored one
   * (optimistic concurrency); without one the update is unconditional.
   */
  async update(resource: ResourceType, namespace: string | undefined, name: string, body: KubeObject, options: UpdateOptions = {}): Promise<KubeObject> {
    // Without a resourceVersion the update is unconditional, so another write between
    // our read and ours is not the client's conflict: read again and retry (GuaranteedUpdate).
    const pinned = !!body?.metadata?.resourceVersion;
    return retryOnConflict(() => this.updateOnce(resource, namespace, name, body, options), () => pinned);
  }

  private async updateOnce(resource: ResourceType, namespace: string | undefined, name: string, body: KubeObject, options: UpdateOptions): Promise<KubeObject> {
    const obj = structuredClone(body);
    checkTypeMeta(resource, obj);
    obj.metadata ??= {};
    if (obj.metadata.name !== undefined && obj.metadata.name !== name) {
      throw badRequest(`the name of the object (${obj.metadata.name}) does not match the name on the URL (${name})`);
    }
    obj.metadata.name = name;
    setNamespace(resource, obj, namespace);

    const key = storageKey(resource, namespace, name);
    const kv = await this.store.get(key);
    if (!kv) throw notFound(resource, name);
    const current = decode(kv);
    if (obj.metadata.resourceVersion && obj.metadata.resourceVersion !== current.metadata.resourceVersion) {
      throw conflict(resource, name);
    }

    // Defaults first, so that a field the client left out does not count as a spec change.
    applyDefaults(obj);
    const next = options.subresource === 'status' ? statusUpdate(current, obj)
      : options.subresource === 'finalize' ? finalizeUpdate(current, obj)
        : mainUpdate(resource, current, obj);
    const errors = validateUpdate(next, current);
    if (errors.length) throw invalid(resource, name, errors);
    if (next.kind === 'Service') await prepareServiceUpdate(this, next, current);

    // The last finalizer gone from an object being deleted: now it can really go.
    if (shouldDeleteDuringUpdate(next, current)) {
      if (options.dryRun) return next;
      await this.removeFromStore(resource, key, kv.modRevision, name);
      return next;
    }
    if (jsonEqual(withoutVersion(next), withoutVersion(current))) return current; // nothing changed: no write
    if (options.dryRun) return next;
    return this.writeUpdate(resource, key, next, kv.modRevision);
  }

  /**
   * DELETE. Depending on the kind, finalizers and the grace period, the object is
   * either removed now or only marked with a deletionTimestamp (see deletion.ts).
   * Returns the object as it is after the call, and whether it is gone.
   */
  async delete(resource: ResourceType, namespace: string | undefined, name: string, options: DeleteOptions = {}, write: WriteOptions = {}): Promise<{ object: KubeObject; gone: boolean }> {
    if (resource.kind === 'Namespace' && IMMORTAL_NAMESPACES.has(name)) throw forbidden(resource, name, 'this namespace may not be deleted');
    const key = storageKey(resource, namespace, name);
    // Another write between our read and ours (the scheduler binding the pod, its
    // node agent updating its status) is not the client's conflict: read again and
    // retry, as Kubernetes' store does (GuaranteedUpdate for a graceful delete, its
    // conditional delete for the last one). Only the client's preconditions make a 409.
    for (let attempt = 1; ; attempt++) {
      const kv = await this.store.get(key);
      if (!kv) throw notFound(resource, name);
      const current = decode(kv);
      const pre = options.preconditions;
      if (pre?.uid && pre.uid !== current.metadata.uid) {
        throw conflict(resource, name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${current.metadata.uid}`);
      }
      if (pre?.resourceVersion && pre.resourceVersion !== current.metadata.resourceVersion) {
        throw conflict(resource, name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${current.metadata.resourceVersion}`);
      }

      const plan = deletionPlan(current, options, now());
      if (write.dryRun) return plan.kind === 'mark' ? { object: plan.object, gone: false } : { object: current, gone: true };
      try {
        if (plan.kind === 'mark') {
          if (jsonEqual(withoutVersion(plan.object), withoutVersion(current))) return { object: current, gone: false };
          return { object: await this.writeUpdate(resource, key, plan.object, kv.modRevision), gone: false };
        }
        return { object: await this.removeFromStore(resource, key, kv.modRevision, name), gone: true };
      } catch (err) {
        if (!(err instanceof ApiError && err.code === 409) || attempt >= WRITE_ATTEMPTS) throw err;
      }
    }
  }

  /**
   * Writes a pod with its node assigned (pods/binding). Binding is the one change to a
   * pod's spec that skips update validation; the resourceVersion still guards it.
   */
  async bind(resource: ResourceType, namespace: string | undefined, name: string, pod: KubeObject): Promise<KubeObject> {
    return this.writeUpdate(resource, storageKey(resource, namespace, name), pod, Number(pod.metadata.resourceVersion));
  }

  /** What a DELETE returns for an object that is gone: the object for some kinds, a Status for the rest (ReturnDeletedObject). */
  deleteResponse(resource: ResourceType, object: KubeObject, gone: boolean): KubeObject | ReturnType<typeof successStatus> {
    const returnsObject = ['Pod', 'PersistentVolume', 'PersistentVolumeClaim'].includes(resource.kind);
    if (!gone || returnsObject) return object;
    return successStatus(resource, object.metadata.name!, object.metadata.uid);
  }

  private async writeUpdate(resource: ResourceType, key: string, obj: KubeObject, expected: number): Promise<KubeObject> {
    try {
      return decode(await this.store.update(key, encode(obj), expected));
    } catch (err) {
      if (err instanceof ConflictError) throw conflict(resource, obj.metadata.name!);
      if (err instanceof StoreNotFound) throw notFound(resource, obj.metadata.name!);
      throw err;
    }
  }

  private async removeFromStore(resource: ResourceType, key: string, expected: number, name: string): Promise<KubeObject> {
    try {
      const { kv, revision } = await this.store.delete(key, expected);
      return decode(kv, revision);
    } catch (err) {
      if (err instanceof ConflictError) throw conflict(resource, name);
      if (err instanceof StoreNotFound) throw notFound(resource, name);
      throw err;
    }
  }

  /** Objects may only be created in a namespace that exists and is not being deleted (NamespaceLifecycle admission). */
  private async checkNamespaceAcceptsWrites(resource: ResourceType, obj: KubeObject): Promise<void> {
    const ns = obj.metadata.namespace!;
    const kv = await this.store.get(storageKey(NAMESPACE, undefined, ns));
    if (!kv) throw notFound(NAMESPACE, ns);
    const namespace = decode(kv);
    if (namespace.metadata.deletionTimestamp || namespace.status?.phase === 'Terminating') {
      // The cause lets a controller tell this refusal from others and stop trying (v1.NamespaceTerminatingCause).
      throw forbidden(resource, String(obj.metadata.name ?? ''), `unable to create new content in namespace ${ns} because it is being terminated`, [
        { reason: 'NamespaceTerminating', message: `namespace ${ns} is being terminated`, field: 'metadata.namespace' },
      ]);
    }
  }
}

/**
 * On create only, a namespace always gets the "kubernetes" finalizer, whatever
 * the client sent: the namespace controller's promise to empty it before it
 * goes (PrepareForCreate in pkg/registry/core/namespace/strategy.go). Not a
 * default: /finalize removes it later, and no update may bring it back.
 */
function addNamespaceFinalizer(ns: KubeObject): void {
  ns.spec ??= {};
  const finalizers = Array.isArray(ns.spec.finalizers) ? ns.spec.finalizers : [];
  if (!finalizers.includes('kubernetes')) ns.spec.finalizers = [...finalizers, 'kubernetes'];
}

function checkTypeMeta(resource: ResourceType, obj: KubeObject): void {
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) throw badRequest('the body of the request must be a JSON object');
  const expected = groupVersion(resource);
  obj.apiVersion ??= expected;
  obj.kind ??= resource.kind;
  if (obj.apiVersion !== expected) {
    throw badRequest(`the API version in the data (${obj.apiVersion}) does not match the expected API version (${expected})`);
  }
  if (obj.kind !== resource.kind) {
    throw badRequest(`the kind in the data (${obj.kind}) does not match the expected kind (${resource.kind})`);
  }
  if (obj.metadata !== undefined && (typeof obj.metadata !== 'object' || obj.metadata === null || Array.isArray(obj.metadata))) {
    throw badRequest('metadata must be an object');
  }
}

/** The namespace comes from the URL; a different one in the body is an error (EnsureObjectNamespaceMatchesRequestNamespace). */
function setNamespace(resource: ResourceType, obj: KubeObject, namespace: string | undefined): void {
  if (!resource.namespaced) {
    delete obj.metadata.namespace;
    return;
  }
  if (obj.metadata.namespace && obj.metadata.namespace !== namespace) {
    throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
  obj.metadata.namespace = namespace;
}

/** An update of the main resource: server-owned metadata and status stay as stored. */
function mainUpdate(resource: ResourceType, current: KubeObject, obj: KubeObject): KubeObject {
  const next = structuredClone(obj);
  next.metadata.uid = current.metadata.uid;
  next.metadata.creationTimestamp = current.metadata.creationTimestamp;
  keepDeletionFields(next, current);
  if (current.status === undefined) delete next.status;
  else next.status = current.status;
  if (resource.tracksGeneration) {
    // Any change to the spec bumps the generation (e.g. pkg/registry/apps/deployment/strategy.go).
    const specChanged = !jsonEqual(next.spec, current.spec);
    next.metadata.generation = (current.metadata.generation ?? 1) + (specChanged ? 1 : 0);
  } else {
    delete next.metadata.generation;
  }
  if (resource.kind === 'Namespace') next.spec = current.spec; // spec.finalizers change only through /finalize
  return next;
}

/** An update of the status subresource: only status changes. */
function statusUpdate(current: KubeObject, obj: KubeObject): KubeObject {
  return { ...structuredClone(current), status: obj.status };
}

/** An update of namespaces/{name}/finalize: only spec.finalizers changes (pkg/registry/core/namespace/storage/storage.go FinalizeREST). */
function finalizeUpdate(current: KubeObject, obj: KubeObject): KubeObject {
  const next = structuredClone(current);
  next.spec = { ...next.spec, finalizers: obj.spec?.finalizers ?? [] };
  return next;
}

function keepDeletionFields(next: KubeObject, current: KubeObject): void {
  if (current.metadata.deletionTimestamp) {
    next.metadata.deletionTimestamp = current.metadata.deletionTimestamp;
    next.metadata.deletionGracePeriodSeconds = current.metadata.deletionGracePeriodSeconds;
  } else {
    delete next.metadata.deletionTimestamp;
    delete next.metadata.deletionGracePeriodSeconds;
  }
}

function withoutVersion(obj: KubeObject): KubeObject {
  const { resourceVersion: _rv, ...metadata } = obj.metadata;
  return { ...obj, metadata };
}

/**
 * Whether an update ends the object's life: it is being deleted, its last
 * finalizer is gone, and no grace period is running (a pod in its grace period
 * goes with the node agent's final delete). A namespace also waits for its
 * spec.finalizers, which only /finalize empties (ShouldDeleteDuringUpdate in
 * the generic registry store, ShouldDeleteNamespaceDuringUpdate for namespaces).
 */
function shouldDeleteDuringUpdate(next: KubeObject, current: KubeObject): boolean {
  if (!current.metadata.deletionTimestamp || (next.metadata.finalizers ?? []).length > 0) return false;
  if (next.kind === 'Namespace' && (next.spec?.finalizers ?? []).length > 0) return false;
  return !current.metadata.deletionGracePeriodSeconds;
}

