// The garbage collector: deletes objects whose owners are gone, and carries
// out the two deletions that wait for it (pkg/controller/garbagecollector/ in
// Kubernetes; https://kubernetes.io/docs/concepts/architecture/garbage-collection/).
//
// Objects name their owners in metadata.ownerReferences (a ReplicaSet's pods
// name it, by uid). A DELETE says what happens to the dependents with its
// propagationPolicy, and the API server turns that into a finalizer:
//   - Background (the default): the owner goes at once; its dependents are
//     deleted afterwards, by rule (a) below;
//   - Foreground: the owner stays, with finalizer foregroundDeletion, until
//     the dependents that block it (blockOwnerDeletion: true) are gone (b);
//   - Orphan: the owner stays, with finalizer orphan, until its dependents no
//     longer name it; then it goes and they stay (c).
//
// reconcile(key) looks at one object:
//   (c) being deleted with the orphan finalizer: remove the reference to it
//       from each dependent, then the finalizer;
//   (b) being deleted with the foregroundDeletion finalizer: have every
//       dependent deleted; remove the finalizer once no blocking one is left;
//   (a) it names owners: an object whose every owner is gone is deleted
//       (Background); one that still has an owner only loses the references
//       to the gone ones. "Gone" is decided carefully: absent from the caches
//       AND a GET of the owner answers 404, or an object with another uid
//       (a new owner of the same name is not the old one).

import type { KubeObject, OwnerReference } from '../../api/types.ts';
import { jsonEqual } from '../../api/objects.ts';
import { isConflict, isNotFound } from '../../client/api-client.ts';
import { ResourceMapper } from '../../client/discovery.ts';
import { keyOf, type Informer } from '../../client/informer.ts';
import { resourcePath, type ResourceRef } from '../../client/paths.ts';
import { WorkQueue } from '../../client/workqueue.ts';
import type { Controller, ControllerContext } from '../controller.ts';
import { DependencyGraph } from './dependency-graph.ts';
import { MONITORED_KINDS, qualifiedResource } from './monitored-kinds.ts';

/** The finalizers a DELETE with propagationPolicy Orphan / Foreground puts on the owner (metav1.FinalizerOrphanDependents, FinalizerDeleteDependents). */
export const ORPHAN_FINALIZER = 'orphan';
export const FOREGROUND_FINALIZER = 'foregroundDeletion';

type Policy = 'Background' | 'Foreground';

/** An owner as the collector sees it: still there, deleting its dependents first, or gone. */
interface ClassifiedOwners {
  solid: OwnerReference[];
  waiting: OwnerReference[];
  dangling: OwnerReference[];
}

function hasFinalizer(obj: KubeObject, finalizer: string): boolean {
  return (obj.metadata.finalizers ?? []).includes(finalizer);
}

function hasOwners(obj: KubeObject): boolean {
  return (obj.metadata.ownerReferences ?? []).length > 0;
}

/** Being deleted with a finalizer only the collector removes. */
function waitsForCollector(obj: KubeObject): boolean {
  return !!obj.metadata.deletionTimestamp && (hasFinalizer(obj, ORPHAN_FINALIZER) || hasFinalizer(obj, FOREGROUND_FINALIZER));
}

export class GarbageCollector implements Controller {
  readonly name = 'garbage-collector-controller';
  readonly queue = new WorkQueue();
  /** "pods" → the pods informer, "replicasets.apps" → …: the first part of every key. */
  private readonly caches = new Map<string, { ref: ResourceRef; informer: Informer }>();
  private readonly graph = new DependencyGraph();
  private readonly mapper: ResourceMapper;

  constructor(private readonly ctx: ControllerContext) {
    this.mapper = new ResourceMapper(ctx.client);
    for (const ref of MONITORED_KINDS) {
      const resource = qualifiedResource(ref);
      const informer = ctx.informers.for(ref);
      this.caches.set(resource, { ref, informer });
      const key = (obj: KubeObject) => `${resource}/${keyOf(obj)}`;
      informer.addEventHandler({
        onAdd: (obj) => this.objectAdded(key(obj), obj),
        onUpdate: (old, obj) => this.objectUpdated(key(obj), old, obj),
        onDelete: (obj) => this.objectDeleted(key(obj), obj),
      });
    }
  }

  // ---- event handlers: keep the graph, queue the objects a rule may apply to ----

  private objectAdded(key: string, obj: KubeObject): void {
    this.graph.upsert(key, obj);
    if (hasOwners(obj) || waitsForCollector(obj)) this.queue.add(key);
  }

  private objectUpdated(key: string, old: KubeObject, obj: KubeObject): void {
    this.graph.upsert(key, obj, old);
    const changed = (field: 'ownerReferences' | 'finalizers' | 'deletionTimestamp') => !jsonEqual(old.metadata[field], obj.metadata[field]);
    if (!changed('ownerReferences') && !changed('finalizers') && !changed('deletionTimestamp')) return; // a status write: nothing for us
    this.queue.add(key);
    // An owner it stopped naming may have been waiting for it (foreground deletion).
    for (const ref of old.metadata.ownerReferences ?? []) this.enqueueUid(ref.uid);
  }

  private objectDeleted(key: string, obj: KubeObject): void {
    this.graph.remove(key, obj);
    // Its dependents lost an owner (a); its owners may have been waiting for it (b).
    for (const dependent of this.graph.dependentsOf(obj.metadata.uid!)) this.queue.add(dependent);
    for (const ref of obj.metadata.ownerReferences ?? []) this.enqueueUid(ref.uid);
  }

  private enqueueUid(uid: string): void {
    const key = this.graph.keyOf(uid);
    if (key) this.queue.add(key);
  }

  // ---- reconcile ----

  async reconcile(key: string): Promise<void> {
    const obj = this.objectAt(key);
    if (!obj) return; // gone: its dependents were queued when it went
    if (obj.metadata.deletionTimestamp) {
      if (hasFinalizer(obj, ORPHAN_FINALIZER)) return this.orphanDependents(key, obj);
      if (hasFinalizer(obj, FOREGROUND_FINALIZER)) return this.deleteDependentsFirst(key, obj);
      return; // on its way out: its dependents are looked at once it is gone
    }
    if (hasOwners(obj)) await this.collectIfOwnersGone(key, obj);
  }

  /** (c) Orphan: every dependent forgets this owner, then the owner may go. */
  private async orphanDependents(key: string, owner: KubeObject): Promise<void> {
    for (const [dependentKey, dependent] of this.dependentsOf(owner)) {
      await this.removeOwnerReferences(dependentKey, dependent, [owner.metadata.uid!]);
    }
    await this.removeFinalizer(key, owner, ORPHAN_FINALIZER);
  }

  /**
   * (b) Foreground: every dependent is deleted (each one's own reconcile does
   * it: an owner that deletes its dependents first holds nobody); the owner
   * goes when no dependent that blocks it is left, even one still terminating.
   */
  private async deleteDependentsFirst(key: string, owner: KubeObject): Promise<void> {
    const dependents = this.dependentsOf(owner);
    const blocking = dependents.filter(([, d]) => refTo(d, owner.metadata.uid!)?.blockOwnerDeletion);
    if (blocking.length === 0) return this.removeFinalizer(key, owner, FOREGROUND_FINALIZER);
    for (const [dependentKey, dependent] of dependents) {
      if (!dependent.metadata.deletionTimestamp) this.queue.add(dependentKey);
    }
  }

  // LAB(replicasets) begin: delete an object whose owners are all gone (attemptToDeleteItem)
  /** (a) An object whose owners are all gone is deleted; one with an owner left only drops the gone ones. */
  private async collectIfOwnersGone(key: string, obj: KubeObject): Promise<void> {
    const { solid, waiting, dangling } = await this.classifyOwners(obj);
    if (solid.length > 0) {
      // Still owned. A reference to an owner that deletes its dependents first must go too, or that owner waits forever.
      const stale = [...dangling, ...waiting].map((r) => r.uid);
      if (stale.length) await this.removeOwnerReferences(key, obj, stale);
      return;
    }
    // No owner holds it. If an owner waits for it and it has dependents of its own, it waits for them in turn.
    const policy: Policy = waiting.length > 0 && this.dependentsOf(obj).length > 0 ? 'Foreground' : 'Background';
    await this.deleteObject(key, obj, policy);
  }
  // LAB end

  // ---- owners: from the caches, or from the API when the caches do not have them ----

  private async classifyOwners(obj: KubeObject): Promise<ClassifiedOwners> {
    const result: ClassifiedOwners = { solid: [], waiting: [], dangling: [] };
    for (const ref of obj.metadata.ownerReferences ?? []) {
      const owner = await this.findOwner(obj, ref);
      if (!owner) result.dangling.push(ref);
      else if (owner.metadata.deletionTimestamp && hasFinalizer(owner, FOREGROUND_FINALIZER)) result.waiting.push(ref);
      else result.solid.push(ref);
    }
    return result;
  }

  /**
   * The owner a reference points at, or undefined when it is gone. A cache may
   * lag behind (an owner created a moment ago), so absence from the caches is
   * confirmed by a GET: 404, or an object with another uid, means gone. A
   * namespaced owner is looked for in the dependent's namespace only.
   */
  private async findOwner(obj: KubeObject, ref: OwnerReference): Promise<KubeObject | undefined> {
    const cachedKey = this.graph.keyOf(ref.uid);
    const cached = cachedKey ? this.objectAt(cachedKey) : undefined;
    if (cached) return cached;

    const resource = await this.mapper.resourceFor(ref.apiVersion, ref.kind);
    // A kind the server does not serve (yet): never delete on a guess; try again later, as Kubernetes does.
    if (!resource) throw new Error(`owner ${ref.apiVersion} ${ref.kind} ${ref.name}: the server serves no such kind`);
    try {
      const live = await this.ctx.client.get(resourcePath(resource.ref, resource.namespaced ? obj.metadata.namespace : undefined, ref.name));
      return live.metadata.uid === ref.uid ? live : undefined;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  // ---- reading the caches ----

  private objectAt(key: string): KubeObject | undefined {
    const slash = key.indexOf('/');
    return this.caches.get(key.slice(0, slash))?.informer.get(key.slice(slash + 1));
  }

  /** The dependents of owner that the caches hold, with their keys (same namespace only, for a namespaced owner). */
  private dependentsOf(owner: KubeObject): [string, KubeObject][] {
    const found: [string, KubeObject][] = [];
    for (const key of this.graph.dependentsOf(owner.metadata.uid!)) {
      const dependent = this.objectAt(key);
      if (dependent && (!owner.metadata.namespace || dependent.metadata.namespace === owner.metadata.namespace)) found.push([key, dependent]);
    }
    return found;
  }

  private pathOf(key: string, obj: KubeObject): string {
    const { ref } = this.caches.get(key.slice(0, key.indexOf('/')))!;
    return resourcePath(ref, obj.metadata.namespace, obj.metadata.name);
  }

  // ---- writes: each guarded, so that a stale cache never overwrites a newer object ----

  /** Deletes obj, if it is still the object with that uid. */
  private async deleteObject(key: string, obj: KubeObject, propagationPolicy: Policy): Promise<void> {
    try {
      await this.ctx.client.delete(this.pathOf(key, obj), { propagationPolicy, preconditions: { uid: obj.metadata.uid } });
    } catch (err) {
      // Gone already, or a new object took the name (the uid precondition failed): nothing to collect.
      if (!isNotFound(err) && !isConflict(err)) throw err;
    }
  }

  /** Removes the ownerReferences to these uids (a merge patch guarded by resourceVersion: a conflict means look again). */
  private async removeOwnerReferences(key: string, obj: KubeObject, uids: string[]): Promise<void> {
    const kept = (obj.metadata.ownerReferences ?? []).filter((r) => !uids.includes(r.uid));
    const patch = { metadata: { resourceVersion: obj.metadata.resourceVersion, ownerReferences: kept.length ? kept : null } };
    try {
      await this.ctx.client.patch(this.pathOf(key, obj), patch);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  /** Removes one finalizer; with none left, the API server removes the object. */
  private async removeFinalizer(key: string, obj: KubeObject, finalizer: string): Promise<void> {
    const kept = (obj.metadata.finalizers ?? []).filter((f) => f !== finalizer);
    const patch = { metadata: { resourceVersion: obj.metadata.resourceVersion, finalizers: kept.length ? kept : null } };
    try {
      await this.ctx.client.patch(this.pathOf(key, obj), patch);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}

/** The reference from dependent to the owner with this uid. */
function refTo(dependent: KubeObject, uid: string): OwnerReference | undefined {
  return (dependent.metadata.ownerReferences ?? []).find((r) => r.uid === uid);
}
