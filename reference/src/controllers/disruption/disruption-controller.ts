// The disruption controller: keeps each PodDisruptionBudget's status up to date
// (pkg/controller/disruption/disruption.go in Kubernetes).
//
// reconcile(key) for one budget:
//   1. list the pods its selector matches in its namespace;
//   2. work out how many pods it expects and how many must stay healthy
//      (for a percentage or maxUnavailable, from the scale of the pods'
//      ReplicaSets and Deployments);
//   3. write status: currentHealthy, desiredHealthy, expectedPods,
//      disruptionsAllowed, disruptedPods, observedGeneration and the
//      DisruptionAllowed condition.
//
// The eviction subresource spends disruptionsAllowed and notes the pod in
// disruptedPods; this controller gives them back once the pod is gone, or after
// two minutes if it never goes.

import type { KubeObject } from '../../api/types.ts';
import { budgetCoversPod } from '../../api/disruption-budgets.ts';
import { isConflict, isNotFound } from '../../client/api-client.ts';
import type { Informer } from '../../client/informer.ts';
import { keyOf } from '../../client/informer.ts';
import { DEPLOYMENTS, PODS, POD_DISRUPTION_BUDGETS, REPLICASETS, resourcePath } from '../../client/paths.ts';
import { WorkQueue } from '../../client/workqueue.ts';
import { jsonEqual } from '../../api/objects.ts';
import type { Controller, ControllerContext } from '../controller.ts';
import { expectedScale, type ScaleSources } from './expected-scale.ts';
import { budgetCounts, budgetStatus, failSafeStatus } from './status.ts';

export class DisruptionController implements Controller {
  readonly name = 'disruption-controller';
  readonly queue = new WorkQueue();
  private readonly budgets: Informer;
  private readonly pods: Informer;
  private readonly scales: ScaleSources;

  constructor(private readonly ctx: ControllerContext) {
    this.budgets = ctx.informers.for(POD_DISRUPTION_BUDGETS);
    this.pods = ctx.informers.for(PODS);
    this.scales = { replicaSets: ctx.informers.for(REPLICASETS), deployments: ctx.informers.for(DEPLOYMENTS) };

    this.budgets.addEventHandler({
      onAdd: (pdb) => this.queue.add(keyOf(pdb)),
      onUpdate: (_old, pdb) => this.queue.add(keyOf(pdb)),
      onDelete: (pdb) => this.queue.add(keyOf(pdb)),
    });
    this.pods.addEventHandler({
      onAdd: (pod) => this.enqueueCovering(pod),
      onUpdate: (old, pod) => {
        this.enqueueCovering(old);
        this.enqueueCovering(pod);
      },
      onDelete: (pod) => this.enqueueCovering(pod),
    });
    // A scale change moves expectedPods for percentage and maxUnavailable budgets.
    for (const informer of [this.scales.replicaSets, this.scales.deployments]) {
      informer.addEventHandler({
        onAdd: (obj) => this.enqueueNamespace(obj),
        onUpdate: (_old, obj) => this.enqueueNamespace(obj),
        onDelete: (obj) => this.enqueueNamespace(obj),
      });
    }
  }

  // ---- event handlers: only work out which budgets to look at ----

  private enqueueCovering(pod: KubeObject): void {
    for (const pdb of this.budgets.list()) if (budgetCoversPod(pdb, pod)) this.queue.add(keyOf(pdb));
  }

  private enqueueNamespace(obj: KubeObject): void {
    for (const pdb of this.budgets.list()) if (pdb.metadata.namespace === obj.metadata.namespace) this.queue.add(keyOf(pdb));
  }

  // ---- reconcile ----

  async reconcile(key: string): Promise<void> {
    const pdb = this.budgets.get(key);
    if (!pdb) return; // deleted: nothing to report
    const pods = this.pods.list().filter((pod) => budgetCoversPod(pdb, pod));

    let status: Record<string, unknown>;
    try {
      const counts = budgetCounts(pdb, pods, () => expectedScale(pods, this.scales));
      const result = budgetStatus(pdb, pods, counts);
      status = result.status;
      // An eviction whose pod never went gives its disruption back when its note expires.
      if (result.recheckAfterMs !== undefined) this.queue.addAfter(key, result.recheckAfterMs + 100);
    } catch (err) {
      status = failSafeStatus(pdb, (err as Error).message);
    }
    await this.writeStatus(pdb, status);
  }

  /**
   * Writes the status onto the cached budget, guarded by its resourceVersion. A
   * 409 means the budget changed (often an eviction spending a disruption): its
   * watch event brings the key back, and the next reconcile starts from it.
   */
  private async writeStatus(pdb: KubeObject, status: Record<string, unknown>): Promise<void> {
    if (jsonEqual(status, pdb.status)) return;
    const path = resourcePath(POD_DISRUPTION_BUDGETS, pdb.metadata.namespace, pdb.metadata.name, 'status');
    try {
      await this.ctx.client.update(path, { ...pdb, status });
    } catch (err) {
      if (isNotFound(err) || isConflict(err)) return;
      throw err;
    }
  }
}
