// The Deployment controller: rolls a Deployment's pod template out through
// ReplicaSets (pkg/controller/deployment/deployment_controller.go in Kubernetes).
//
// A Deployment never touches pods. It owns one ReplicaSet per pod template it
// has had (pod-template-hash.ts), and only sets their sizes; the ReplicaSet
// controller makes and deletes the pods. reconcile(key) for one Deployment:
//   1. claim its ReplicaSets: the ones that point at it, plus orphans its
//      selector matches (adopted); ones that stopped matching are released.
//      If one of them changed meanwhile, stop and try again: going on without
//      it could create a ReplicaSet that already exists;
//   2. a Deployment being deleted only reports status;
//   3. note a pause or a resume in the Progressing condition;
//   4. paused, or only spec.replicas changed: resize the ReplicaSets, no
//      rollout (scaling.ts);
//   5. otherwise make one rollout step of its strategy (rolling.ts or
//      recreate.ts), then write status and progress (status.ts, progress.ts).
//
// Rollbacks need nothing here: `kubectl rollout undo` copies an old template
// back into the Deployment, and step 5 finds that template's old ReplicaSet
// and numbers it as the newest revision (revisions.ts).

import type { KubeObject, OwnerReference } from '../../api/types.ts';
import { jsonEqual } from '../../api/objects.ts';
import { hasStatusCause, isConflict, isNotFound } from '../../client/api-client.ts';
import type { EventRecorder } from '../../client/events.ts';
import type { Informer } from '../../client/informer.ts';
import { keyOf } from '../../client/informer.ts';
import { DEPLOYMENTS, PODS, REPLICASETS, resourcePath } from '../../client/paths.ts';
import { WorkQueue } from '../../client/workqueue.ts';
import type { Controller, ControllerContext } from '../controller.ts';
import { controllerOf, controllerReference, ownerReferencesPatch } from '../owners.ts';
import { selects } from '../selectors.ts';
import { findNewReplicaSet } from './pod-template-hash.ts';
import { rolloutRecreate, type PodsByReplicaSet } from './recreate.ts';
import { findOldReplicaSets } from './revisions.ts';
import { rolloutRolling } from './rolling.ts';
import { Rollout } from './rollout.ts';
import { isScalingEvent, syncReplicas } from './scaling.ts';

export class DeploymentController implements Controller {
  readonly name = 'deployment-controller';
  readonly queue = new WorkQueue();
  private readonly deployments: Informer;
  private readonly replicaSets: Informer;
  private readonly pods: Informer;
  private readonly events: EventRecorder;

  constructor(private readonly ctx: ControllerContext) {
    this.deployments = ctx.informers.for(DEPLOYMENTS);
    this.replicaSets = ctx.informers.for(REPLICASETS);
    this.pods = ctx.informers.for(PODS);
    this.events = ctx.recorder(this.name);

    this.deployments.addEventHandler({
      onAdd: (d) => this.queue.add(keyOf(d)),
      onUpdate: (_old, d) => this.queue.add(keyOf(d)),
      onDelete: (d) => this.queue.add(keyOf(d)),
    });
    this.replicaSets.addEventHandler({
      onAdd: (rs) => this.replicaSetAdded(rs),
      onUpdate: (old, rs) => this.replicaSetUpdated(old, rs),
      onDelete: (rs) => this.replicaSetDeleted(rs),
    });
    // Pods matter only to Recreate, which waits until the old ones are gone.
    this.pods.addEventHandler({ onDelete: (pod) => this.podDeleted(pod) });
  }

  // ---- event handlers: only work out which Deployments to look at ----

  /** The key of the Deployment that controls rs, if that Deployment exists (resolveControllerRef). */
  private ownerKey(rs: KubeObject): string | undefined {
    const ref = controllerOf(rs);
    if (ref?.kind !== 'Deployment') return undefined;
    const key = `${rs.metadata.namespace}/${ref.name}`;
    return this.deployments.get(key)?.metadata.uid === ref.uid ? key : undefined;
  }

  /** The Deployments whose selector matches an orphan ReplicaSet: each may adopt it. */
  private enqueueMatching(rs: KubeObject): void {
    for (const d of this.deployments.list()) {
      if (d.metadata.namespace === rs.metadata.namespace && selects(d.spec?.selector, rs)) this.queue.add(keyOf(d));
    }
  }

  private replicaSetAdded(rs: KubeObject): void {
    if (rs.metadata.deletionTimestamp) return this.replicaSetDeleted(rs);
    const owner = this.ownerKey(rs);
    if (owner) this.queue.add(owner);
    else if (!controllerOf(rs)) this.enqueueMatching(rs);
  }

  private replicaSetUpdated(old: KubeObject, rs: KubeObject): void {
    const owner = this.ownerKey(rs);
    const oldOwner = this.ownerKey(old);
    if (oldOwner && oldOwner !== owner) this.queue.add(oldOwner);
    if (owner) this.queue.add(owner);
    else if (!controllerOf(rs) && (!jsonEqual(old.metadata.labels, rs.metadata.labels) || controllerOf(old))) this.enqueueMatching(rs);
  }

  private replicaSetDeleted(rs: KubeObject): void {
    const owner = this.ownerKey(rs);
    if (owner) this.queue.add(owner);
  }

  private podDeleted(pod: KubeObject): void {
    const ref = controllerOf(pod);
    if (ref?.kind !== 'ReplicaSet') return;
    const rs = this.replicaSets.get(`${pod.metadata.namespace}/${ref.name}`);
    const owner = rs && rs.metadata.uid === ref.uid ? this.ownerKey(rs) : undefined;
    if (owner && this.deployments.get(owner)?.spec?.strategy?.type === 'Recreate') this.queue.add(owner);
  }

  // ---- reconcile ----

  async reconcile(key: string): Promise<void> {
    const deployment = this.deployments.get(key);
    if (!deployment) return; // deleted: the garbage collector removes its ReplicaSets
    const r = new Rollout({
      client: this.ctx.client,
      events: this.events,
      requeueAfter: (ms) => this.queue.addAfter(key, ms),
      cachedReplicaSet: (namespace, name) => this.replicaSets.get(`${namespace}/${name}`),
    }, deployment);
    try {
      await this.sync(r);
    } catch (err) {
      // 409: a write met a newer version of the Deployment or a ReplicaSet than
      // our cache holds (often our own previous write, not yet seen), or a
      // ReplicaSet we made and have not seen yet. Its watch event is on its way
      // and brings this Deployment back to the queue: deciding again then, from
      // the newer state, is the whole retry.
      if (isConflict(err)) return;
      // The namespace is being deleted, and this Deployment with it: nothing to retry.
      if (hasStatusCause(err, 'NamespaceTerminating')) return;
      throw err;
    }
  }

  /** One step for one Deployment (syncDeployment). */
  private async sync(r: Rollout): Promise<void> {
    const rsList = await this.claimReplicaSets(r.d);

    if (r.d.metadata.deletionTimestamp) {
      const { newRS, oldRSs } = await r.replicaSets(rsList, false);
      return r.syncDeploymentStatus([...oldRSs, newRS], newRS);
    }
    // Noted before anything else, so that time spent paused never counts against the deadline.
    await r.checkPausedConditions();
    if (r.d.spec?.paused) return syncReplicas(r, rsList);
    if (isScalingEvent(r.d, findNewReplicaSet(r.d, rsList), findOldReplicaSets(r.d, rsList))) return syncReplicas(r, rsList);

    if (r.d.spec?.strategy?.type === 'Recreate') return rolloutRecreate(r, rsList, this.podsByReplicaSet(r.d, rsList));
    return rolloutRolling(r, rsList);
  }

  /**
   * The ReplicaSets this Deployment manages now (ClaimReplicaSets in
   * controller_ref_manager.go): its own that still match its selector;
   * orphans that match, adopted; its own that stopped matching, released.
   */
  private async claimReplicaSets(d: KubeObject): Promise<KubeObject[]> {
    const claimed: KubeObject[] = [];
    const deleting = Boolean(d.metadata.deletionTimestamp);
    for (const rs of this.replicaSets.list()) {
      if (rs.metadata.namespace !== d.metadata.namespace) continue;
      const ref = controllerOf(rs);
      if (ref && ref.uid !== d.metadata.uid) continue; // another controller's
      const matches = selects(d.spec?.selector, rs);
      if (ref && matches) {
        claimed.push(rs);
      } else if (ref) {
        if (!deleting) await this.setOwners(rs, (rs.metadata.ownerReferences ?? []).filter((o) => o.uid !== d.metadata.uid));
      } else if (matches && !deleting && !rs.metadata.deletionTimestamp) {
        const adopted = await this.setOwners(rs, [...(rs.metadata.ownerReferences ?? []), controllerReference(d, 'apps/v1', 'Deployment')]);
        if (adopted) claimed.push(adopted);
      }
    }
    return claimed;
  }

  /**
   * Writes rs's ownerReferences; undefined when it is gone. When it changed
   * since our cache saw it (409), the reconcile stops with an error, and the
   * queue tries again after a back-off, as syncDeployment does when
   * ClaimReplicaSets fails. Going on would be wrong: an orphan we failed to
   * adopt may be the very ReplicaSet the rollout is about to create, and its
   * AlreadyExists would count as a hash collision. (A plain Error, not the
   * 409, which reconcile drops: the ReplicaSet's next watch event need not
   * bring this Deployment back.)
   */
  private async setOwners(rs: KubeObject, owners: OwnerReference[]): Promise<KubeObject | undefined> {
    try {
      return await this.ctx.client.patch(resourcePath(REPLICASETS, rs.metadata.namespace, rs.metadata.name), ownerReferencesPatch(rs, owners));
    } catch (err) {
      if (isNotFound(err)) return undefined;
      if (isConflict(err)) throw new Error(`ReplicaSet ${rs.metadata.name} changed while being adopted or released; trying again`);
      throw err;
    }
  }

  /**
   * The pods of each claimed ReplicaSet, terminating ones included: Recreate
   * starts no new pod while an old one still exists (getPodMapForDeployment).
   */
  private podsByReplicaSet(d: KubeObject, rsList: KubeObject[]): PodsByReplicaSet {
    const byUid: PodsByReplicaSet = new Map(rsList.map((rs) => [rs.metadata.uid!, []]));
    for (const pod of this.pods.list()) {
      if (pod.metadata.namespace !== d.metadata.namespace || !selects(d.spec?.selector, pod)) continue;
      byUid.get(controllerOf(pod)?.uid ?? '')?.push(pod);
    }
    return byUid;
  }
}
