// The Endpoints controller: for every Service with a selector, an Endpoints
// object of the same name that lists the pods behind it
// (pkg/controller/endpoint/endpoints_controller.go in Kubernetes).
//
// reconcile(key) for one Service "namespace/name":
//   1. the Service is gone: delete its Endpoints (they have no owner reference:
//      this controller, not the garbage collector, removes them);
//   2. no selector (or ExternalName): leave the Endpoints alone, someone else
//      writes them;
//   3. compute the subsets from the pods the selector matches (subsets.ts), and
//      create or update the Endpoints when they differ.
//
// The service proxies read these objects to learn where to send connections;
// a pod that turns unready moves to notReadyAddresses and stops getting traffic.

import type { KubeObject } from '../../api/types.ts';
import { jsonEqual } from '../../api/objects.ts';
import { hasStatusCause, isConflict, isNotFound } from '../../client/api-client.ts';
import type { EventRecorder } from '../../client/events.ts';
import type { Informer } from '../../client/informer.ts';
import { keyOf, splitKey } from '../../client/informer.ts';
import { ENDPOINTS, PODS, SERVICES, resourcePath } from '../../client/paths.ts';
import { WorkQueue } from '../../client/workqueue.ts';
import type { Controller, ControllerContext } from '../controller.ts';
import { hasSelector, isServiceIPSet, selectsPod, servicesSelecting } from '../service-pods.ts';
import { StaleCache } from '../stale-cache.ts';
import { endpointSubsets } from './subsets.ts';

/** The label Kubernetes puts on the Endpoints of a headless Service (v1.IsHeadlessService). */
const HEADLESS_LABEL = 'service.kubernetes.io/headless';
/** How soon to look again when the cache does not show our last write yet. */
const STALE_RETRY_MS = 50;

export class EndpointsController implements Controller {
  readonly name = 'endpoints-controller';
  readonly queue = new WorkQueue();
  private readonly services: Informer;
  private readonly pods: Informer;
  private readonly endpoints: Informer;
  private readonly events: EventRecorder;
  private readonly stale = new StaleCache();

  constructor(private readonly ctx: ControllerContext) {
    this.services = ctx.informers.for(SERVICES);
    this.pods = ctx.informers.for(PODS);
    this.endpoints = ctx.informers.for(ENDPOINTS);
    this.events = ctx.recorder('endpoint-controller');

    this.services.addEventHandler({
      onAdd: (svc) => this.queue.add(keyOf(svc)),
      onUpdate: (_old, svc) => this.queue.add(keyOf(svc)),
      onDelete: (svc) => this.queue.add(keyOf(svc)),
    });
    // A pod change concerns the Services that selected it before and after (its labels may have changed).
    this.pods.addEventHandler({
      onAdd: (pod) => this.enqueueServicesOf(pod),
      onUpdate: (old, pod) => {
        this.enqueueServicesOf(old);
        this.enqueueServicesOf(pod);
      },
      onDelete: (pod) => this.enqueueServicesOf(pod),
    });
    // Someone deleted the Endpoints of a Service that still exists: write them again.
    this.endpoints.addEventHandler({ onDelete: (ep) => this.queue.add(keyOf(ep)) });
  }

  private enqueueServicesOf(pod: KubeObject): void {
    for (const svc of servicesSelecting(pod, this.services.list())) this.queue.add(keyOf(svc));
  }

  /**
   * Once at start: look at every Endpoints object, so that the Endpoints of a
   * Service deleted while this controller was down are removed too
   * (checkLeftoverEndpoints).
   */
  start(): void {
    for (const ep of this.endpoints.list()) this.queue.add(keyOf(ep));
  }

  // ---- reconcile ----

  async reconcile(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const svc = this.services.get(key);
    if (!svc) return this.deleteEndpoints(namespace!, name);
    if (!hasSelector(svc)) return; // Endpoints written by hand (or none: ExternalName)

    const pods = this.pods.list().filter((pod) => selectsPod(svc, pod));
    const subsets = endpointSubsets(svc, pods);
    const labels = endpointsLabels(svc);

    const current = this.endpoints.get(key);
    // Our last write is not in the cache yet: computing from the older version would only conflict.
    if (this.stale.isStale(key, current)) return this.queue.addAfter(key, STALE_RETRY_MS);
    if (current && jsonEqual(current.subsets ?? [], subsets) && jsonEqual(current.metadata.labels ?? {}, labels)) return;

    const desired: KubeObject = {
      apiVersion: 'v1', kind: 'Endpoints',
      // No labels at all are left out, as in Kubernetes' JSON.
      metadata: { ...(current?.metadata ?? { name, namespace }), labels: Object.keys(labels).length ? labels : undefined },
    };
    if (subsets.length) desired.subsets = subsets;
    try {
      if (current) await this.ctx.client.update(resourcePath(ENDPOINTS, namespace, name), desired);
      else await this.ctx.client.create(resourcePath(ENDPOINTS, namespace), desired);
      this.stale.wrote(key, current);
    } catch (err) {
      // A namespace being deleted refuses new objects, and always will: nothing left to do for it.
      // Any other refusal (403 included) is a real error (syncService in endpoints_controller.go).
      if (hasStatusCause(err, 'NamespaceTerminating')) return;
      // A conflict only means our cache has not seen our own last write yet: the queue tries again.
      if (!isConflict(err)) {
        this.events.warning(desired, current ? 'FailedToUpdateEndpoint' : 'FailedToCreateEndpoint',
          `Failed to ${current ? 'update' : 'create'} endpoint ${namespace}/${name}: ${(err as Error).message}`);
      }
      throw err;
    }
  }

  private async deleteEndpoints(namespace: string, name: string): Promise<void> {
    this.stale.forget(`${namespace}/${name}`);
    try {
      await this.ctx.client.delete(resourcePath(ENDPOINTS, namespace, name));
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}

/** The Service's labels, plus the headless label for a Service without a cluster IP. */
function endpointsLabels(svc: KubeObject): Record<string, string> {
  const labels: Record<string, string> = { ...(svc.metadata.labels ?? {}) };
  delete labels[HEADLESS_LABEL];
  if (!isServiceIPSet(svc)) labels[HEADLESS_LABEL] = '';
  return labels;
}
