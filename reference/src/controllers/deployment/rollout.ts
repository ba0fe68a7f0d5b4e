// One reconcile of one Deployment: the writes the strategies may make.
//
// rolling.ts, recreate.ts and scaling.ts decide what to do; this file does it
// through the API: find or create the current ReplicaSet and number it, resize
// ReplicaSets (with a ScalingReplicaSet event each time), delete old ones past
// the history limit, and write the Deployment's status. It works on a copy of
// the Deployment (`d`) that follows its own writes, so that a second write in
// the same reconcile carries the right resourceVersion.
// (getNewReplicaSet, scaleReplicaSet, cleanupDeployment, syncDeploymentStatus
// in pkg/controller/deployment/sync.go; syncRolloutStatus in progress.go.)

import type { KubeObject } from '../../api/types.ts';
import { ApiStatusError, hasStatusCause, isNotFound, type ApiClient } from '../../client/api-client.ts';
import type { EventRecorder } from '../../client/events.ts';
import { DEPLOYMENTS, REPLICASETS, resourcePath } from '../../client/paths.ts';
import { controllerOf, controllerReference } from '../owners.ts';
import { desiredReplicas, maxSurge } from './fenceposts.ts';
import { computeHash, equalIgnoreHash, findNewReplicaSet, POD_TEMPLATE_HASH } from './pod-template-hash.ts';
import {
  FOUND_NEW_RS, NEW_RS_CREATED, RS_CREATE_ERROR, hasProgressDeadline, pausedStatus, progressCheckDelay, rolloutStatus,
} from './progress.ts';
import { specReplicas, type Scaling } from './replica-sets.ts';
import { newReplicaSetReplicas } from './rolling.ts';
import {
  REVISION, findOldReplicaSets, maxRevision, replicaSetsToDelete, replicasAnnotationsNeedUpdate, setNewReplicaSetAnnotations, setReplicasAnnotations,
} from './revisions.ts';
import { calculateStatus, getCondition, newCondition, sameStatus, setCondition, type DeploymentStatus } from './status.ts';

export interface RolloutDeps {
  client: ApiClient;
  events: EventRecorder;
  /** Looks at this Deployment again after ms. */
  requeueAfter(ms: number): void;
  /** The ReplicaSet of that name in the controller's cache. */
  cachedReplicaSet(namespace: string, name: string): KubeObject | undefined;
}

export class Rollout {
  /** The Deployment, a copy: status and annotations change here as they are written. */
  readonly d: KubeObject;

  constructor(private readonly deps: RolloutDeps, deployment: KubeObject, private readonly now: () => number = Date.now) {
    this.d = structuredClone(deployment);
    this.d.status ??= {};
  }

  /**
   * The current ReplicaSet (the one with the Deployment's template), brought
   * up to date and numbered, or created when `createIfMissing`; and the old
   * ones (getAllReplicaSetsAndSyncRevision).
   */
  async replicaSets(rsList: KubeObject[], createIfMissing: boolean): Promise<{ newRS?: KubeObject; oldRSs: KubeObject[] }> {
    const oldRSs = findOldReplicaSets(this.d, rsList);
    const existing = findNewReplicaSet(this.d, rsList);
    const newRevision = maxRevision(oldRSs) + 1;
    if (existing) return { newRS: await this.syncNewReplicaSet(existing, newRevision), oldRSs };
    if (!createIfMissing) return { oldRSs };
    return { newRS: await this.createNewReplicaSet(oldRSs, newRevision), oldRSs };
  }

  private async syncNewReplicaSet(existing: KubeObject, newRevision: number): Promise<KubeObject> {
    const d = this.d;
    const rs = structuredClone(existing);
    const annotationsChanged = setNewReplicaSetAnnotations(d, rs, newRevision, true);
    const minReadySeconds = d.spec.minReadySeconds ?? 0;
    if (annotationsChanged || (rs.spec.minReadySeconds ?? 0) !== minReadySeconds) {
      if (minReadySeconds) rs.spec.minReadySeconds = minReadySeconds;
      else delete rs.spec.minReadySeconds;
      // The Deployment takes the ReplicaSet's number on the next pass, which this write causes.
      return this.deps.client.update(this.replicaSetPath(rs.metadata.name!), rs);
    }
    await this.writeRevision(rs.metadata.annotations?.[REVISION]);
    if (hasProgressDeadline(d) && !getCondition(d.status, 'Progressing')) {
      const status: DeploymentStatus = structuredClone(d.status);
      setCondition(status, newCondition('Progressing', 'True', FOUND_NEW_RS, `Found new replica set "${rs.metadata.name}"`, this.now()));
      await this.writeStatus(status);
    }
    return rs;
  }

  private async createNewReplicaSet(oldRSs: KubeObject[], newRevision: number): Promise<KubeObject> {
    const d = this.d;
    const hash = computeHash(d.spec.template, d.status.collisionCount);
    const template = structuredClone(d.spec.template ?? {});
    template.metadata = { ...template.metadata, labels: { ...template.metadata?.labels, [POD_TEMPLATE_HASH]: hash } };
    const rs: KubeObject = {
      apiVersion: 'apps/v1', kind: 'ReplicaSet',
      metadata: {
        name: `${d.metadata.name}-${hash}`, namespace: d.metadata.namespace,
        labels: template.metadata.labels,
        ownerReferences: [controllerReference(d, 'apps/v1', 'Deployment')],
      },
      spec: {
        replicas: 0,
        ...(d.spec.minReadySeconds ? { minReadySeconds: d.spec.minReadySeconds } : {}),
        // The hash in the selector keeps this ReplicaSet off the pods of the Deployment's other ReplicaSets.
        selector: { ...d.spec.selector, matchLabels: { ...d.spec.selector?.matchLabels, [POD_TEMPLATE_HASH]: hash } },
        template,
      },
    };
    rs.spec.replicas = newReplicaSetReplicas(d, [...oldRSs, rs], rs);
    setNewReplicaSetAnnotations(d, rs, newRevision, false);
    const name = rs.metadata.name!;

    let created: KubeObject;
    let existed = false;
    try {
      created = await this.deps.client.create(resourcePath(REPLICASETS, d.metadata.namespace), rs);
    } catch (err) {
      if (!(err instanceof ApiStatusError)) throw err;
      if (err.reason === 'AlreadyExists') {
        const found = this.deps.cachedReplicaSet(d.metadata.namespace!, name);
        if (!found) {
          this.deps.requeueAfter(1000); // not in our cache yet: look again in a moment
          throw err;
        }
        if (controllerOf(found)?.uid !== d.metadata.uid || !equalIgnoreHash(d.spec.template, found.spec?.template)) {
          // Not ours, or another template under this name: a hash collision. Counting it changes
          // the next hash. (Only a ReplicaSet we control is ours. An orphan with our template
          // is adopted by the claim step first; one it did not adopt counts as a collision too.)
          const status: DeploymentStatus = structuredClone(d.status);
          status.collisionCount = (status.collisionCount ?? 0) + 1;
          await this.writeStatus(status);
          throw err;
        }
        created = found; // ours already: made by an earlier pass whose event we have not seen
        existed = true;
      } else {
        // Every create fails in a namespace being deleted, and the Deployment goes with it: nothing to report.
        if (!hasStatusCause(err, 'NamespaceTerminating')) await this.reportCreateError(name, err);
        throw err;
      }
    }

    if (!existed && specReplicas(created) > 0) {
      this.deps.events.normal(d, 'ScalingReplicaSet', `Scaled up replica set ${name} from 0 to ${specReplicas(created)}`);
    }
    await this.writeRevision(String(newRevision));
    if (!existed && hasProgressDeadline(d)) {
      const status: DeploymentStatus = structuredClone(d.status);
      setCondition(status, newCondition('Progressing', 'True', NEW_RS_CREATED, `Created new replica set "${name}"`, this.now()));
      await this.writeStatus(status);
    }
    return created;
  }

  private async reportCreateError(name: string, err: Error): Promise<void> {
    const message = `Failed to create new replica set "${name}": ${err.message}`;
    this.deps.events.warning(this.d, RS_CREATE_ERROR, message);
    if (!hasProgressDeadline(this.d)) return;
    const status: DeploymentStatus = structuredClone(this.d.status);
    setCondition(status, newCondition('Progressing', 'False', RS_CREATE_ERROR, message, this.now()));
    await this.writeStatus(status).catch(() => undefined); // the create error is the one to report
  }

  /** Sets rs's size, unless it already has it; whether it changed (scaleReplicaSetAndRecordEvent). */
  async scale(rs: KubeObject, replicas: number): Promise<boolean> {
    if (specReplicas(rs) === replicas) return false;
    return (await this.resize(rs, replicas)).scaled;
  }

  /**
   * Applies the steps in order (a ReplicaSet may appear twice); whether any
   * size changed. `evenIfSameSize` rewrites the size annotations of a
   * ReplicaSet whose size stays (proportional scaling needs them current).
   */
  async scaleAll(steps: Scaling[], evenIfSameSize = false): Promise<boolean> {
    const latest = new Map<string, KubeObject>();
    let scaled = false;
    for (const step of steps) {
      const rs = latest.get(step.rs.metadata.uid!) ?? step.rs;
      if (!evenIfSameSize && specReplicas(rs) === step.replicas) continue;
      const result = await this.resize(rs, step.replicas);
      latest.set(rs.metadata.uid!, result.rs);
      scaled ||= result.scaled;
    }
    return scaled;
  }

  /**
   * PUTs the ReplicaSet with its new spec.replicas and the Deployment's current
   * size in its annotations (scaleReplicaSet). The resourceVersion from our
   * cache makes a stale decision fail with 409 instead of overwriting a newer one.
   */
  private async resize(rs: KubeObject, replicas: number): Promise<{ scaled: boolean; rs: KubeObject }> {
    const before = specReplicas(rs);
    if (before === replicas && !replicasAnnotationsNeedUpdate(rs, this.d)) return { scaled: false, rs };
    const copy = structuredClone(rs);
    copy.spec.replicas = replicas;
    setReplicasAnnotations(copy, desiredReplicas(this.d), desiredReplicas(this.d) + maxSurge(this.d));
    const updated = await this.deps.client.update<KubeObject>(this.replicaSetPath(rs.metadata.name!), copy);
    if (before === replicas) return { scaled: false, rs: updated };
    const direction = before < replicas ? 'up' : 'down';
    this.deps.events.normal(this.d, 'ScalingReplicaSet', `Scaled ${direction} replica set ${rs.metadata.name} from ${before} to ${replicas}`);
    return { scaled: true, rs: updated };
  }

  /** Deletes old ReplicaSets past spec.revisionHistoryLimit (cleanupDeployment). */
  async cleanup(oldRSs: KubeObject[]): Promise<void> {
    for (const rs of replicaSetsToDelete(this.d, oldRSs)) {
      try {
        await this.deps.client.delete(this.replicaSetPath(rs.metadata.name!), { preconditions: { uid: rs.metadata.uid } });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
  }

  /** Writes the counts and the Available condition, leaving Progressing as it is (syncDeploymentStatus). */
  async syncDeploymentStatus(allRSs: (KubeObject | undefined)[], newRS: KubeObject | undefined): Promise<void> {
    const status = calculateStatus(allRSs, newRS, this.d, this.now());
    if (!sameStatus(this.d.status, status)) await this.writeStatus(status);
  }

  /** Writes the status with the rollout's progress; with nothing new, looks again at the deadline (syncRolloutStatus). */
  async syncRolloutStatus(allRSs: (KubeObject | undefined)[], newRS: KubeObject | undefined): Promise<void> {
    const status = rolloutStatus(this.d, allRSs, newRS, this.now());
    if (!sameStatus(this.d.status, status)) return this.writeStatus(status);
    const delay = progressCheckDelay(this.d, status, this.now());
    if (delay !== undefined) this.deps.requeueAfter(delay);
  }

  /** Notes a pause or a resume in the Progressing condition (checkPausedConditions). */
  async checkPausedConditions(): Promise<void> {
    const status = pausedStatus(this.d, this.now());
    if (status) await this.writeStatus(status);
  }

  /**
   * Puts the current revision on the Deployment. Kubernetes writes it along
   * with the status (its status strategy lets annotations through); a merge
   * patch of the metadata says the same on any API server.
   */
  private async writeRevision(revision: string | undefined): Promise<void> {
    if (revision === undefined || this.d.metadata.annotations?.[REVISION] === revision) return;
    const patch = { metadata: { resourceVersion: this.d.metadata.resourceVersion, annotations: { [REVISION]: revision } } };
    const updated = await this.deps.client.patch<KubeObject>(this.deploymentPath(), patch);
    this.d.metadata.annotations = updated.metadata.annotations;
    this.d.metadata.resourceVersion = updated.metadata.resourceVersion;
  }

  private async writeStatus(status: DeploymentStatus): Promise<void> {
    const updated = await this.deps.client.update<KubeObject>(this.deploymentPath('status'), { ...this.d, status });
    this.d.status = status;
    this.d.metadata.resourceVersion = updated.metadata.resourceVersion;
  }

  private deploymentPath(subresource?: string): string {
    return resourcePath(DEPLOYMENTS, this.d.metadata.namespace, this.d.metadata.name, subresource);
  }

  private replicaSetPath(name: string): string {
    return resourcePath(REPLICASETS, this.d.metadata.namespace, name);
  }
}
