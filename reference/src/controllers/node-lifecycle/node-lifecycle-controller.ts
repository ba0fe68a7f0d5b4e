// The node lifecycle controller: notices nodes whose agent went silent
// (pkg/controller/nodelifecycle/node_lifecycle_controller.go in Kubernetes).
//
// Every nodeMonitorPeriod each node is looked at (reconcile(nodeName)):
//   1. health: no Lease renewal and no status heartbeat within
//      nodeMonitorGracePeriod → Ready, MemoryPressure, DiskPressure and
//      PIDPressure become Unknown ("Kubelet stopped posting node status.");
//   2. taints: Ready Unknown → node.kubernetes.io/unreachable, Ready False →
//      node.kubernetes.io/not-ready (NoSchedule + NoExecute), none once Ready;
//   3. pods: while the node is not Ready, every pod on it is marked Ready=False
//      (MarkPodsNotReady), so Services stop sending it traffic at once.
//
// Deleting those pods is not this controller's job: the NoExecute taint hands
// them to the taint eviction controller.

import type { KubeObject } from '../../api/types.ts';
import { jsonEqual } from '../../api/objects.ts';
import { isConflict, isNotFound } from '../../client/api-client.ts';
import type { EventRecorder } from '../../client/events.ts';
import type { Informer } from '../../client/informer.ts';
import { keyOf } from '../../client/informer.ts';
import { LEASES, NODES, PODS, resourcePath } from '../../client/paths.ts';
import { WorkQueue } from '../../client/workqueue.ts';
import type { Controller, ControllerContext } from '../controller.ts';
import { conditionOf, nodeHealth, unknownConditions } from './health.ts';
import { markPodNotReady } from './pod-readiness.ts';
import { desiredTaints, readinessTaintKey, sameTaints } from './taints.ts';
import { apiTime } from '../../api/time.ts';

/** Where node agents keep their Leases, one per node, named after it. */
export const NODE_LEASE_NAMESPACE = 'kube-node-lease';

export class NodeLifecycleController implements Controller {
  readonly name = 'node-lifecycle-controller';
  readonly queue = new WorkQueue();
  private readonly nodes: Informer;
  private readonly leases: Informer;
  private readonly pods: Informer;
  private readonly events: EventRecorder;
  private ticker?: NodeJS.Timeout;

  constructor(private readonly ctx: ControllerContext) {
    this.nodes = ctx.informers.for(NODES);
    this.leases = ctx.informers.for(LEASES);
    this.pods = ctx.informers.for(PODS);
    this.events = ctx.recorder(this.name);

    this.nodes.addEventHandler({
      onAdd: (node) => this.queue.add(keyOf(node)),
      onUpdate: (_old, node) => this.queue.add(keyOf(node)),
    });
    // A renewed Lease may end a node's trouble; the node's name is the Lease's.
    this.leases.addEventHandler({
      onAdd: (lease) => this.leaseChanged(lease),
      onUpdate: (_old, lease) => this.leaseChanged(lease),
    });
  }

  private leaseChanged(lease: KubeObject): void {
    if (lease.metadata.namespace === NODE_LEASE_NAMESPACE && this.nodes.get(lease.metadata.name!)) this.queue.add(lease.metadata.name!);
  }

  /** Silence makes no event: the clock alone turns a node Unknown, so every node is looked at every period. */
  start(): void {
    const period = this.ctx.profile.nodeMonitorPeriodSeconds * 1000;
    this.ticker = setInterval(() => {
      for (const node of this.nodes.list()) this.queue.add(keyOf(node));
    }, period);
  }

  stop(): void {
    clearInterval(this.ticker);
  }

  async reconcile(name: string): Promise<void> {
    let node = this.nodes.get(name);
    if (!node) return;

    node = await this.updateHealth(node);
    if (!node) return;
    node = await this.updateTaints(node);
    if (!node) return;
    if (readinessTaintKey(node)) await this.markPodsNotReady(name);
  }

  /** Step 1: the node's conditions turn Unknown once its heartbeats are too old. Returns the node as it is now. */
  private async updateHealth(node: KubeObject): Promise<KubeObject | undefined> {
    const lease = this.leases.get(`${NODE_LEASE_NAMESPACE}/${node.metadata.name}`);
    const health = nodeHealth(node, lease, this.ctx.profile);
    if (health.alive) return node;
    const conditions = unknownConditions(node, health.neverPosted, apiTime());
    if (jsonEqual(conditions, node.status?.conditions ?? [])) return node;

    const wasReady = conditionOf(node, 'Ready')?.status === 'True';
    const written = await this.write(resourcePath(NODES, undefined, node.metadata.name, 'status'), { ...node, status: { ...node.status, conditions } });
    if (written && wasReady) this.events.normal(node, 'NodeNotReady', `Node ${node.metadata.name} status is now: NodeNotReady`);
    return written;
  }

  /** Step 2: the not-ready / unreachable taints follow the Ready condition. */
  private async updateTaints(node: KubeObject): Promise<KubeObject | undefined> {
    const taints = desiredTaints(node, apiTime());
    if (sameTaints(taints, node.spec?.taints ?? [])) return node;
    return this.write(resourcePath(NODES, undefined, node.metadata.name), { ...node, spec: { ...node.spec, taints } });
  }

  /** Step 3: every pod on the node stops being Ready (MarkPodsNotReady in pkg/controller/util/node/controller_utils.go). */
  private async markPodsNotReady(nodeName: string): Promise<void> {
    const now = apiTime();
    for (const pod of this.pods.list()) {
      if (pod.spec?.nodeName !== nodeName) continue;
      const updated = markPodNotReady(pod, now);
      if (!updated) continue;
      await this.write(resourcePath(PODS, pod.metadata.namespace, pod.metadata.name, 'status'), updated);
    }
  }

  /**
   * A PUT guarded by the object's resourceVersion. A 409 means the object
   * changed under us (the agent came back and posted, say): its watch event
   * brings the node back to the queue, so this reconcile simply stops.
   */
  private async write(path: string, obj: KubeObject): Promise<KubeObject | undefined> {
    try {
      return await this.ctx.client.update<KubeObject>(path, obj);
    } catch (err) {
      if (isNotFound(err) || isConflict(err)) return undefined;
      throw err;
    }
  }
}
