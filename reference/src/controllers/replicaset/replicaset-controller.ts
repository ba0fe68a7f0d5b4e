// The ReplicaSet controller: keeps spec.replicas pods alive
// (pkg/controller/replicaset/replica_set.go in Kubernetes).
//
// reconcile(key) for one ReplicaSet:
//   1. claim its pods: the pods that point at it, plus orphans its selector
//      matches (adopted); pods that point at it but no longer match are released;
//   2. if the cache has seen our earlier creates and deletes (expectations),
//      create or delete pods until the count of active pods is spec.replicas;
//   3. write status: replicas, fullyLabeledReplicas, ready, available.
//
// A pod deleted by a user simply lowers the count; the next reconcile makes a new one.

import type { KubeObject, OwnerReference } from '../../api/types.ts';
import { ApiStatusError, hasStatusCause, isConflict, isNotFound } from '../../client/api-client.ts';
import type { EventRecorder } from '../../client/events.ts';
import type { Informer } from '../../client/informer.ts';
import { keyOf, splitKey } from '../../client/informer.ts';
import { PODS, REPLICASETS, resourcePath } from '../../client/paths.ts';
import { WorkQueue } from '../../client/workqueue.ts';
import { jsonEqual } from '../../api/objects.ts';
import type { Controller, ControllerContext } from '../controller.ts';
import { Expectations } from '../expectations.ts';
import { controllerOf, controllerReference, ownerReferencesPatch } from '../owners.ts';
import { isPodActive, isPodReady, msUntilAvailable } from '../pods.ts';
import { selects } from '../selectors.ts';
import { sortForScaleDown } from './scale-down-order.ts';
import { replicaSetStatus, type ReplicaFailure } from './status.ts';

/** At most this many pods are created or deleted in one reconcile (BurstReplicas). */
const BURST_REPLICAS = 500;

export class ReplicaSetController implements Controller {
  readonly name = 'replicaset-controller';
  readonly queue = new WorkQueue();
  private readonly replicaSets: Informer;
  private readonly pods: Informer;
  private readonly expectations = new Expectations();
  private readonly events: EventRecorder;

  constructor(private readonly ctx: ControllerContext) {
    this.replicaSets = ctx.informers.for(REPLICASETS);
    this.pods = ctx.informers.for(PODS);
    this.events = ctx.recorder(this.name);

    this.replicaSets.addEventHandler({
      onAdd: (rs) => this.queue.add(keyOf(rs)),
      onUpdate: (_old, rs) => this.queue.add(keyOf(rs)),
      onDelete: (rs) => {
        this.expectations.forget(keyOf(rs));
        this.queue.add(keyOf(rs));
      },
    });
    this.pods.addEventHandler({
      onAdd: (pod) => this.podAdded(pod),
      onUpdate: (old, pod) => this.podUpdated(old, pod),
      onDelete: (pod) => this.podDeleted(pod),
    });
  }

  // ---- event handlers: only work out which ReplicaSets to look at ----

  private ownerKey(pod: KubeObject): string | undefined {
    const ref = controllerOf(pod);
    if (ref?.kind !== 'ReplicaSet') return undefined;
    const key = `${pod.metadata.namespace}/${ref.name}`;
    return this.replicaSets.get(key)?.metadata.uid === ref.uid ? key : undefined;
  }

  /** The ReplicaSets whose selector matches an orphan pod: each may adopt it. */
  private enqueueMatching(pod: KubeObject): void {
    for (const rs of this.replicaSets.list()) {
      if (rs.metadata.namespace === pod.metadata.namespace && selects(rs.spec?.selector, pod)) this.queue.add(keyOf(rs));
    }
  }

  private podAdded(pod: KubeObject): void {
    if (pod.metadata.deletionTimestamp) return this.podDeleted(pod);
    const owner = this.ownerKey(pod);
    if (owner) {
      this.expectations.creationObserved(owner);
      this.queue.add(owner);
    } else if (!controllerOf(pod)) {
      this.enqueueMatching(pod);
    }
  }

  private podUpdated(old: KubeObject, pod: KubeObject): void {
    const owner = this.ownerKey(pod);
    const oldOwner = this.ownerKey(old);
    if (oldOwner && oldOwner !== owner) this.queue.add(oldOwner);
    if (pod.metadata.deletionTimestamp) {
      // A graceful delete shows first as an update: count the pod as gone now.
      if (owner) this.expectations.deletionObserved(owner, keyOf(pod));
    }
    if (owner) {
      this.queue.add(owner);
      // Turning ready starts the minReadySeconds clock: look again when it runs out.
      const minReady = this.replicaSets.get(owner)?.spec?.minReadySeconds ?? 0;
      if (minReady > 0 && isPodReady(pod) && !isPodReady(old)) this.queue.addAfter(owner, minReady * 1000 + 100);
    } else if (!controllerOf(pod) && (!jsonEqual(old.metadata.labels, pod.metadata.labels) || controllerOf(old))) {
      this.enqueueMatching(pod);
    }
  }

  private podDeleted(pod: KubeObject): void {
    const owner = this.ownerKey(pod);
    if (!owner) return;
    this.expectations.deletionObserved(owner, keyOf(pod));
    this.queue.add(owner);
  }

  // ---- reconcile ----

  async reconcile(key: string): Promise<void> {
    const rs = this.replicaSets.get(key);
    if (!rs) return; // deleted: the garbage collector removes its pods
    const needsSync = this.expectations.satisfied(key);

    const pods = await this.claimPods(rs);
    const active = pods.filter(isPodActive);

    let failure: ReplicaFailure | undefined;
    if (needsSync && !rs.metadata.deletionTimestamp) failure = await this.manageReplicas(key, rs, active);

    await this.updateStatus(rs, active, failure);
    // A failed create or delete is in status now; failing here makes the queue try again, backing off.
    if (failure) throw new Error(failure.message);

    // Pods that are ready but not yet available become available by the clock alone.
    const minReady = rs.spec?.minReadySeconds ?? 0;
    const wait = Math.max(0, ...active.map((p) => msUntilAvailable(p, minReady)));
    if (wait > 0) this.queue.addAfter(key, wait + 100);
  }

  /**
   * The pods this ReplicaSet manages now (ClaimPods in controller_ref_manager.go):
   * its own pods that still match; orphans that match, adopted; its own pods
   * that stopped matching are released (and replaced, since they no longer count).
   */
  private async claimPods(rs: KubeObject): Promise<KubeObject[]> {
    const claimed: KubeObject[] = [];
    for (const pod of this.pods.list()) {
      if (pod.metadata.namespace !== rs.metadata.namespace) continue;
      const ref = controllerOf(pod);
      const matches = selects(rs.spec.selector, pod);
      if (ref && ref.uid !== rs.metadata.uid) continue; // another controller's pod
      if (ref && matches) {
        claimed.push(pod);
      } else if (ref && !matches) {
        if (!rs.metadata.deletionTimestamp) await this.release(rs, pod);
      } else if (matches && !rs.metadata.deletionTimestamp && !pod.metadata.deletionTimestamp) {
        const adopted = await this.adopt(rs, pod);
        if (adopted) claimed.push(adopted);
      }
    }
    return claimed;
  }

  private adopt(rs: KubeObject, pod: KubeObject): Promise<KubeObject | undefined> {
    return this.setOwnerReferences(pod, [...(pod.metadata.ownerReferences ?? []), controllerReference(rs, 'apps/v1', 'ReplicaSet')]);
  }

  private async release(rs: KubeObject, pod: KubeObject): Promise<void> {
    await this.setOwnerReferences(pod, (pod.metadata.ownerReferences ?? []).filter((r) => r.uid !== rs.metadata.uid));
  }

  /**
   * Writes a pod's ownerReferences; returns the pod as written, or undefined when it is gone.
   * A 409 (the pod changed since our cache saw it, say a status write) is thrown: the whole
   * reconcile stops and is tried again, since counting without that pod would replace it.
   */
  private async setOwnerReferences(pod: KubeObject, refs: OwnerReference[]): Promise<KubeObject | undefined> {
    try {
      return await this.ctx.client.patch(resourcePath(PODS, pod.metadata.namespace, pod.metadata.name), ownerReferencesPatch(pod, refs));
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  // LAB(replicasets) begin: create or delete pods until spec.replicas are active (manageReplicas)
  /** Creates or deletes pods so that spec.replicas are active; returns what failed, if anything. */
  private async manageReplicas(key: string, rs: KubeObject, active: KubeObject[]): Promise<ReplicaFailure | undefined> {
    const wanted = rs.spec?.replicas ?? 1;
    const diff = active.length - wanted;

    if (diff < 0) {
      const count = Math.min(-diff, BURST_REPLICAS);
      // Expect the creations before making them: their events may arrive before the calls return.
      this.expectations.expect(key, count);
      const { created, error } = await slowStartBatch(count, () => this.createPod(rs));
      // Creations that never happened will never be observed.
      for (let i = created; i < count; i++) this.expectations.creationObserved(key);
      // A namespace being deleted refuses new pods: that is no failure of ours (replica_set.go ignores it too).
      if (error && !hasStatusCause(error, 'NamespaceTerminating')) {
        this.events.warning(rs, 'FailedCreate', `Error creating: ${error.message}`);
        return { reason: 'FailedCreate', message: error.message };
      }
    } else if (diff > 0) {
      const victims = sortForScaleDown(active, active).slice(0, Math.min(diff, BURST_REPLICAS));
      this.expectations.expect(key, 0, victims.map(keyOf));
      const results = await Promise.allSettled(victims.map((pod) => this.deletePod(rs, pod)));
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) {
        const message = (failed.reason as Error).message;
        this.events.warning(rs, 'FailedDelete', `Error deleting: ${message}`);
        return { reason: 'FailedDelete', message };
      }
    }
    return undefined;
  }
  // LAB end

  private async createPod(rs: KubeObject): Promise<void> {
    const template = rs.spec.template ?? {};
    const pod = {
      apiVersion: 'v1', kind: 'Pod',
      metadata: {
        generateName: `${rs.metadata.name}-`,
        namespace: rs.metadata.namespace,
        labels: template.metadata?.labels,
        annotations: template.metadata?.annotations,
        ownerReferences: [controllerReference(rs, 'apps/v1', 'ReplicaSet')],
      },
      spec: template.spec,
    };
    const created = await this.ctx.client.create<KubeObject>(resourcePath(PODS, rs.metadata.namespace), pod);
    this.events.normal(rs, 'SuccessfulCreate', `Created pod: ${created.metadata.name}`);
  }

  private async deletePod(rs: KubeObject, pod: KubeObject): Promise<void> {
    try {
      await this.ctx.client.delete(resourcePath(PODS, pod.metadata.namespace, pod.metadata.name), { preconditions: { uid: pod.metadata.uid } });
      this.events.normal(rs, 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`);
    } catch (err) {
      // Gone already, or not deleted: either way its deletion will never be observed.
      this.expectations.deletionObserved(keyOf(rs), keyOf(pod));
      if (!isNotFound(err)) throw err;
    }
  }

  private async updateStatus(rs: KubeObject, active: KubeObject[], failure: ReplicaFailure | undefined): Promise<void> {
    const status = replicaSetStatus(rs, active, failure);
    if (jsonEqual({ ...status, conditions: status.conditions ?? [] }, { ...rs.status, conditions: rs.status?.conditions ?? [] })) return;
    const { namespace, name } = splitKey(keyOf(rs));
    const path = resourcePath(REPLICASETS, namespace, name, 'status');
    try {
      await this.ctx.client.update(path, { ...rs, status });
    } catch (err) {
      if (isNotFound(err)) return;
      if (!isConflict(err)) throw err;
      // Our cached copy is older than the stored one (a scale, a label edit): the
      // status we computed is still right, so write it onto the latest version
      // (updateReplicaSetStatus in Kubernetes retries the same way).
      const latest = await this.ctx.client.get<KubeObject>(resourcePath(REPLICASETS, namespace, name));
      if (latest.metadata.uid !== rs.metadata.uid) return;
      // A newer spec has not been acted on yet: do not claim to have observed it.
      if (latest.metadata.generation !== rs.metadata.generation) status.observedGeneration = latest.status?.observedGeneration;
      await this.ctx.client.update(path, { ...latest, status });
    }
  }
}

/**
 * Runs `count` calls in batches of 1, 2, 4, … and stops at the first batch
 * with a failure, so that a call bound to fail (a quota, a bad template)
 * fails once rather than `count` times (slowStartBatch in replica_set.go).
 */
export async function slowStartBatch(count: number, call: () => Promise<void>): Promise<{ created: number; error?: Error }> {
  let done = 0;
  for (let batch = Math.min(1, count); batch > 0; batch = Math.min(2 * batch, count - done)) {
    const results = await Promise.allSettled(Array.from({ length: batch }, call));
    done += results.filter((r) => r.status === 'fulfilled').length;
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) return { created: done, error: toError(failed.reason) };
  }
  return { created: done };
}

function toError(reason: unknown): Error {
  if (reason instanceof ApiStatusError) return reason;
  return reason instanceof Error ? reason : new Error(String(reason));
}
