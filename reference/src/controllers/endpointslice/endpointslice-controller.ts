// The EndpointSlice controller: the newer form of a Service's endpoints, kept
// next to the Endpoints object (pkg/controller/endpointslice/endpointslice_controller.go
// in Kubernetes). `kubectl describe service` reads its endpoints from here.
//
// reconcile(key) for one Service "namespace/name":
//   1. the Service is gone: nothing to do, its slices carry an ownerReference to
//      it and the garbage collector deletes them;
//   2. no selector (or ExternalName): no slices from this controller;
//   3. once the cache has seen the slices we created or deleted before
//      (expectations), plan the writes from the pods (slices.ts) and make them.

import type { KubeObject } from '../../api/types.ts';
import { hasStatusCause, isNotFound } from '../../client/api-client.ts';
import type { Informer } from '../../client/informer.ts';
import { keyOf, splitKey } from '../../client/informer.ts';
import { ENDPOINT_SLICES, PODS, SERVICES, resourcePath } from '../../client/paths.ts';
import { WorkQueue } from '../../client/workqueue.ts';
import type { Controller, ControllerContext } from '../controller.ts';
import { Expectations } from '../expectations.ts';
import { hasSelector, selectsPod, servicesSelecting } from '../service-pods.ts';
import { StaleCache } from '../stale-cache.ts';
import { MANAGED_BY, MANAGED_BY_LABEL, SERVICE_NAME_LABEL, planSlices } from './slices.ts';

/** How soon to look again when the cache does not show our last write yet. */
const STALE_RETRY_MS = 50;

export class EndpointSliceController implements Controller {
  readonly name = 'endpointslice-controller';
  readonly queue = new WorkQueue();
  private readonly services: Informer;
  private readonly pods: Informer;
  private readonly slices: Informer;
  private readonly expectations = new Expectations();
  private readonly stale = new StaleCache();

  constructor(private readonly ctx: ControllerContext) {
    this.services = ctx.informers.for(SERVICES);
    this.pods = ctx.informers.for(PODS);
    this.slices = ctx.informers.for(ENDPOINT_SLICES);

    this.services.addEventHandler({
      onAdd: (svc) => this.queue.add(keyOf(svc)),
      onUpdate: (_old, svc) => this.queue.add(keyOf(svc)),
      onDelete: (svc) => {
        this.expectations.forget(keyOf(svc));
        this.queue.add(keyOf(svc));
      },
    });
    this.pods.addEventHandler({
      onAdd: (pod) => this.enqueueServicesOf(pod),
      onUpdate: (old, pod) => {
        this.enqueueServicesOf(old);
        this.enqueueServicesOf(pod);
      },
      onDelete: (pod) => this.enqueueServicesOf(pod),
    });
    // Our own slices: note the creations and deletions we were waiting for, and
    // put back whatever someone else changed.
    this.slices.addEventHandler({
      onAdd: (slice) => this.sliceEvent(slice, (key) => this.expectations.creationObserved(key)),
      onUpdate: (_old, slice) => this.sliceEvent(slice),
      onDelete: (slice) => {
        this.stale.forget(keyOf(slice)); // its name never comes back (generateName): keep no note of it
        this.sliceEvent(slice, (key) => this.expectations.deletionObserved(key, keyOf(slice)));
      },
    });
  }

  private enqueueServicesOf(pod: KubeObject): void {
    for (const svc of servicesSelecting(pod, this.services.list())) this.queue.add(keyOf(svc));
  }

  private sliceEvent(slice: KubeObject, observed?: (serviceKey: string) => void): void {
    if (!isManaged(slice)) return;
    const serviceKey = `${slice.metadata.namespace}/${slice.metadata.labels![SERVICE_NAME_LABEL]}`;
    observed?.(serviceKey);
    this.queue.add(serviceKey);
  }

  // ---- reconcile ----

  async reconcile(key: string): Promise<void> {
    const svc = this.services.get(key);
    if (!svc || !hasSelector(svc)) return;
    // Our earlier writes are not all in the cache yet: counting now would create twice.
    if (!this.expectations.satisfied(key)) return;

    const { namespace, name } = splitKey(key);
    const pods = this.pods.list().filter((pod) => selectsPod(svc, pod));
    const existing = this.slices.list().filter((s) => s.metadata.namespace === namespace && isManaged(s) && s.metadata.labels![SERVICE_NAME_LABEL] === name);
    // A slice we updated is not in the cache in its new version yet: look again in a moment.
    if (existing.some((s) => this.stale.isStale(keyOf(s), s))) return this.queue.addAfter(key, STALE_RETRY_MS);
    const plan = planSlices(svc, pods, existing);
    if (!plan.create.length && !plan.update.length && !plan.delete.length) return;

    this.expectations.expect(key, plan.create.length, plan.delete.map(keyOf));
    const results = await Promise.allSettled([
      ...plan.create.map((slice) => this.createSlice(key, slice)),
      ...plan.update.map((slice) => this.updateSlice(slice)),
      ...plan.delete.map((slice) => this.deleteSlice(key, slice)),
    ]);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason; // any failed write, a conflict included: the queue retries it with back-off
  }

  private async createSlice(key: string, slice: KubeObject): Promise<void> {
    try {
      await this.ctx.client.create(resourcePath(ENDPOINT_SLICES, slice.metadata.namespace), slice);
    } catch (err) {
      this.expectations.creationObserved(key); // a creation that never happened will never be observed
      // A namespace being deleted refuses new objects, and always will: nothing left to do for it.
      // Any other refusal is a real error (finalize in k8s.io/endpointslice reconciler.go).
      if (hasStatusCause(err, 'NamespaceTerminating')) return;
      throw err;
    }
  }

  private async updateSlice(slice: KubeObject): Promise<void> {
    await this.ctx.client.update(resourcePath(ENDPOINT_SLICES, slice.metadata.namespace, slice.metadata.name), slice);
    this.stale.wrote(keyOf(slice), slice);
  }

  private async deleteSlice(key: string, slice: KubeObject): Promise<void> {
    try {
      await this.ctx.client.delete(resourcePath(ENDPOINT_SLICES, slice.metadata.namespace, slice.metadata.name), { preconditions: { uid: slice.metadata.uid } });
    } catch (err) {
      // Already gone, or not deleted: either way no deletion event will come for it.
      this.expectations.deletionObserved(key, keyOf(slice));
      if (!isNotFound(err)) throw err;
    }
  }
}

/** A slice this controller manages (the API server's `kubernetes` slice, or a user's, is not). */
function isManaged(slice: KubeObject): boolean {
  const labels = slice.metadata.labels ?? {};
  return labels[MANAGED_BY_LABEL] === MANAGED_BY && !!labels[SERVICE_NAME_LABEL];
}
