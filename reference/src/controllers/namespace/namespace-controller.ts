// The namespace controller: empties a namespace that is being deleted, then
// lets it go (pkg/controller/namespace/namespace_controller.go and
// deletion/namespaced_resources_deleter.go in Kubernetes).
//
// A DELETE of a namespace only marks it: deletionTimestamp, phase Terminating,
// and spec.finalizers still holds "kubernetes", this controller's promise to
// empty it first. The API server refuses new objects in it from then on.
// reconcile(name) for such a namespace:
//   1. find every namespaced kind the server serves (discovery) and delete
//      each one's objects in the namespace;
//   2. list what is left: pods that their node agent is still stopping,
//      objects whose finalizers have not run yet;
//   3. write what it found in status.conditions (kubectl describe shows them);
//   4. something left: look again later (after 1 s, then less and less
//      often); nothing left: remove "kubernetes" from spec.finalizers through
//      /finalize, and the API server removes the namespace (`kubectl delete
//      namespace` returns).

import type { KubeObject } from '../../api/types.ts';
import { isNotFound } from '../../client/api-client.ts';
import { discoverResources } from '../../client/discovery.ts';
import type { Informer } from '../../client/informer.ts';
import { NAMESPACES, resourcePath } from '../../client/paths.ts';
import { WorkQueue } from '../../client/workqueue.ts';
import { jsonEqual } from '../../api/objects.ts';
import type { Controller, ControllerContext } from '../controller.ts';
import { emptyReport, namespaceConditions, type DeletionReport } from './conditions.ts';
import { deletableInNamespace, deleteAllOf, remainingOf, resourceName } from './content.ts';
import { apiTime } from '../../api/time.ts';

/** The spec.finalizers entry this controller owns (v1.FinalizerKubernetes). */
export const NAMESPACE_FINALIZER = 'kubernetes';

/**
 * How soon to look again while content remains: 1 s after the first pass that
 * finds some, then twice as long each time, up to 15 s. Pods usually stop
 * within a second or two, so `kubectl delete namespace` (which waits for the
 * namespace to go) stays quick; content that stays (pods on a node that no
 * longer answers, a finalizer nobody removes) costs one pass, a discovery and
 * a DELETE and a LIST per kind, every 15 s. Kubernetes waits about half the
 * longest grace period of the pods left, and 15 s (finalizerEstimateSeconds)
 * once only objects with finalizers remain
 * (deletion/namespaced_resources_deleter.go, namespace_controller.go).
 */
const FIRST_RECHECK_MS = 1000;
const MAX_RECHECK_MS = 15_000;

/** The wait after the n-th pass in a row that found content left (n ≥ 1): 1 s, 2 s, 4 s, 8 s, 15 s, 15 s… */
export function contentRecheckDelayMs(passes: number): number {
  return Math.min(FIRST_RECHECK_MS * 2 ** (passes - 1), MAX_RECHECK_MS);
}

export class NamespaceController implements Controller {
  readonly name = 'namespace-controller';
  readonly queue = new WorkQueue();
  private readonly namespaces: Informer;
  /** Per namespace being emptied: how many passes in a row found content left. */
  private readonly passesWithContent = new Map<string, number>();

  constructor(private readonly ctx: ControllerContext) {
    this.namespaces = ctx.informers.for(NAMESPACES);
    this.namespaces.addEventHandler({
      onAdd: (ns) => this.enqueueIfDeleting(ns),
      onUpdate: (_old, ns) => this.enqueueIfDeleting(ns),
    });
  }

  // ---- event handlers: only namespaces being deleted need us ----

  private enqueueIfDeleting(ns: KubeObject): void {
    if (ns.metadata.deletionTimestamp) this.queue.add(ns.metadata.name!);
  }

  // ---- reconcile ----

  async reconcile(name: string): Promise<void> {
    const ns = this.namespaces.get(name);
    // Gone, not being deleted, or our part is done (another finalizer may still hold it).
    if (!ns?.metadata.deletionTimestamp || !(ns.spec?.finalizers ?? []).includes(NAMESPACE_FINALIZER)) {
      this.passesWithContent.delete(name);
      return;
    }
    await this.emptyThenFinalize(ns);
  }

  // LAB(namespaces) begin: empty the namespace, then let it go (namespaced_resources_deleter.go Delete)
  /** One pass: delete what is in the namespace; finalize it once nothing is left. */
  private async emptyThenFinalize(ns: KubeObject): Promise<void> {
    const name = ns.metadata.name!;
    const report = await this.deleteAllContent(name);
    const latest = await this.writeConditions(ns, report);
    if (report.discoveryErrors.length || report.contentErrors.length) {
      throw new Error(`namespace ${name}: ${[...report.discoveryErrors, ...report.contentErrors].join('; ')}`);
    }
    if (report.remaining.size > 0) {
      // Not an error: pods stop gracefully on their nodes, finalizers run elsewhere. Look again later.
      this.queue.addAfter(name, this.recheckDelay(name));
      return;
    }
    this.passesWithContent.delete(name);
    await this.finalize(latest);
  }

  /**
   * Deletes every namespaced object in the namespace, kind by kind, and
   * reports what is left (deleteAllContent). One kind that fails does not
   * stop the others: its error goes in the report.
   */
  private async deleteAllContent(namespace: string): Promise<DeletionReport> {
    const report = emptyReport();
    const { resources, failed } = await discoverResources(this.ctx.client);
    for (const { groupVersion, error } of failed) report.discoveryErrors.push(`${groupVersion}: ${error.message}`);

    for (const resource of deletableInNamespace(resources)) {
      try {
        await deleteAllOf(this.ctx.client, resource, namespace);
        const left = await remainingOf(this.ctx.client, resource, namespace);
        if (left.length === 0) continue;
        report.remaining.set(resourceName(resource), left.length);
        for (const finalizer of left.flatMap((obj) => obj.metadata.finalizers ?? [])) {
          report.finalizers.set(finalizer, (report.finalizers.get(finalizer) ?? 0) + 1);
        }
      } catch (err) {
        report.contentErrors.push(`${resourceName(resource)}: ${(err as Error).message}`);
      }
    }
    return report;
  }
  // LAB end

  /** One more pass found content left: how long to wait before the next one. */
  private recheckDelay(name: string): number {
    const passes = (this.passesWithContent.get(name) ?? 0) + 1;
    this.passesWithContent.set(name, passes);
    return contentRecheckDelayMs(passes);
  }

  /** Writes the deletion conditions when they changed; returns the namespace as it is now. */
  private async writeConditions(ns: KubeObject, report: DeletionReport): Promise<KubeObject> {
    const conditions = namespaceConditions(report, ns.status?.conditions ?? [], apiTime());
    if (jsonEqual(conditions, ns.status?.conditions ?? [])) return ns;
    try {
      return await this.ctx.client.update(resourcePath(NAMESPACES, undefined, ns.metadata.name, 'status'), { ...ns, status: { ...ns.status, conditions } });
    } catch (err) {
      if (isNotFound(err)) return ns;
      throw err; // a conflict: our cache is behind; the queue tries again
    }
  }

  /**
   * Removes our finalizer through namespaces/{name}/finalize. With no other
   * finalizer left, the API server removes the namespace at once.
   */
  private async finalize(ns: KubeObject): Promise<void> {
    const finalizers = (ns.spec?.finalizers ?? []).filter((f: string) => f !== NAMESPACE_FINALIZER);
    try {
      await this.ctx.client.update(resourcePath(NAMESPACES, undefined, ns.metadata.name, 'finalize'), { ...ns, spec: { ...ns.spec, finalizers } });
    } catch (err) {
      if (!isNotFound(err)) throw err; // gone already: done
    }
  }
}
