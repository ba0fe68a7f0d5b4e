// The scheduler: gives every new pod a node (kube-scheduler: pkg/scheduler).
//
// It has the controller shape (informers → queue → worker), with two twists
// that make it fast without making it wrong:
//
//   informers  nodes, and all pods that have not finished: unscheduled pods
//              go into the scheduling queue; bound pods go into the cache,
//              so each node's free capacity is known without asking the API;
//              PersistentVolumeClaims, for the pods that mount one;
//   worker     one at a time, like kube-scheduler's scheduling cycle: take a
//              pod, choose a node (algorithm.ts), *assume* it in the cache;
//   binding    then POST pods/<name>/binding in the background, so the next
//              pod is placed while the API server writes this one
//              (kube-scheduler's binding cycle, which runs in a goroutine).
//
// When no node fits, the pod gets PodScheduled=False/Unschedulable with the
// reasons (fit-error.ts) and a FailedScheduling event, and waits in the
// queue's unschedulable set until a node or a pod changes.

import type { KubeObject } from '../api/types.ts';
import { isNotFound, type ApiClient } from '../client/api-client.ts';
import { Informer, keyOf } from '../client/informer.ts';
import { NODES, PERSISTENT_VOLUME_CLAIMS, PODS, resourcePath } from '../client/paths.ts';
import { runWorkers } from '../client/workqueue.ts';
import { schedulePod, type AlgorithmState } from './algorithm.ts';
import { SchedulerCache } from './cache.ts';
import { defaultProfile } from './default-plugins.ts';
import { EventRecorder } from '../client/events.ts';
import { NO_NODES_AVAILABLE, fitErrorMessage } from './fit-error.ts';
import { newPodInfo, type PodInfo, type Profile } from './framework.ts';
import { SchedulingQueue } from './queue.ts';
import { apiTime } from '../api/time.ts';

export const DEFAULT_SCHEDULER_NAME = 'default-scheduler';

export interface SchedulerOptions {
  profile?: Profile;
  /** Pods whose spec.schedulerName is this (or unset, which defaults to it). */
  schedulerName?: string;
  /** How often unschedulable pods are retried anyway. */
  flushIntervalMs?: number;
  /** Bindings in flight at once; the worker waits when they are all busy. */
  bindConcurrency?: number;
}

export class Scheduler {
  readonly cache = new SchedulerCache();
  readonly queue: SchedulingQueue;
  private readonly profile: Profile;
  private readonly schedulerName: string;
  private readonly nodes: Informer;
  private readonly pods: Informer;
  private readonly claims: Informer;
  private readonly events: EventRecorder;
  private readonly state: AlgorithmState = { nextStartNodeIndex: 0 };
  private readonly bindConcurrency: number;
  private readonly bindings = new Set<Promise<void>>();
  private bindSlotWaiters: (() => void)[] = [];
  private worker?: Promise<void>;

  constructor(private readonly client: ApiClient, options: SchedulerOptions = {}) {
    this.profile = options.profile ?? defaultProfile((namespace, name) => this.claims.get(`${namespace}/${name}`));
    this.schedulerName = options.schedulerName ?? DEFAULT_SCHEDULER_NAME;
    this.queue = new SchedulingQueue(options.flushIntervalMs);
    this.bindConcurrency = options.bindConcurrency ?? 32;
    this.events = new EventRecorder(client, this.schedulerName);
    this.nodes = new Informer(client, NODES);
    // Finished pods hold no resources: kube-scheduler's pod informer leaves them out the same way.
    this.pods = new Informer(client, PODS, { fieldSelector: 'status.phase!=Succeeded,status.phase!=Failed' });
    this.claims = new Informer(client, PERSISTENT_VOLUME_CLAIMS);
    this.nodes.addEventHandler({
      onAdd: (node) => this.onNodeChange(undefined, node),
      onUpdate: (old, node) => this.onNodeChange(old, node),
      onDelete: (node) => this.cache.removeNode(node.metadata.name!),
    });
    this.pods.addEventHandler({
      onAdd: (pod) => this.onPodChange(undefined, pod),
      onUpdate: (old, pod) => this.onPodChange(old, pod),
      onDelete: (pod) => this.onPodDelete(pod),
    });
    // A claim that appears or gets bound may let a waiting pod run (VolumeBinding's cluster events).
    this.claims.addEventHandler({
      onAdd: () => this.queue.moveAllToActive(),
      onUpdate: () => this.queue.moveAllToActive(),
    });
  }

  /** Fills the caches, then starts scheduling. Resolves once it is running. */
  async start(): Promise<void> {
    await Promise.all([this.nodes.start(), this.pods.start(), this.claims.start()]);
    this.worker = runWorkers('scheduler', this.queue.active, (key) => this.scheduleOne(key), 1);
  }

  /** Stops taking pods, lets the bindings in flight finish, sends the last events. */
  async stop(): Promise<void> {
    this.queue.shutDown();
    this.nodes.stop();
    this.pods.stop();
    this.claims.stop();
    await this.worker;
    await Promise.allSettled(this.bindings);
    await this.events.flush();
  }

  // ---- event handlers: turn changes into cache updates and queue keys ----

  private onNodeChange(old: KubeObject | undefined, node: KubeObject): void {
    try {
      this.cache.setNode(node);
    } catch (err) {
      console.error(`scheduler: node ${node.metadata.name}: ${(err as Error).message}`);
      return;
    }
    // A new node, or one that changed in a way filters care about, may fit waiting pods.
    if (!old || schedulingPropertiesChanged(old, node)) this.queue.moveAllToActive();
  }

  private onPodChange(old: KubeObject | undefined, pod: KubeObject): void {
    const key = keyOf(pod);
    if (pod.spec?.nodeName) {
      this.cache.addOrUpdatePod(pod);
      if (old && !old.spec?.nodeName) this.queue.delete(key); // just bound
      return;
    }
    if (!this.needsScheduling(pod)) {
      this.queue.delete(key);
      return;
    }
    // Our own status writes (PodScheduled=False) come back as updates: only a
    // change to the pod itself is worth another try (kube-scheduler's isPodUpdated).
    if (!old || podChanged(old, pod)) this.queue.add(key);
  }

  private onPodDelete(pod: KubeObject): void {
    const key = keyOf(pod);
    this.queue.delete(key);
    if (pod.spec?.nodeName || this.cache.isAssumed(key)) {
      this.cache.removePod(key);
      // Its requests are free again: a waiting pod may fit now.
      this.queue.moveAllToActive();
    }
  }

  /** Unscheduled, ours, not being deleted, not finished, not held by scheduling gates. */
  private needsScheduling(pod: KubeObject): boolean {
    const spec = pod.spec ?? {};
    return !spec.nodeName &&
      (spec.schedulerName ?? DEFAULT_SCHEDULER_NAME) === this.schedulerName &&
      !pod.metadata.deletionTimestamp &&
      pod.status?.phase !== 'Succeeded' && pod.status?.phase !== 'Failed' &&
      !(spec.schedulingGates?.length > 0);
  }

  // ---- the scheduling cycle: one pod at a time ----

  /** Chooses a node for one pod and starts binding it there, or records why none fits. */
  async scheduleOne(key: string): Promise<void> {
    const pod = this.pods.get(key);
    // Gone, bound, or already assumed and being bound: nothing to do.
    if (!pod || !this.needsScheduling(pod) || this.cache.isAssumed(key)) return;
    const cycle = this.queue.currentCycle;
    const info = newPodInfo(pod);
    const nodes = this.cache.nodeList();
    if (nodes.length === 0) return this.unschedulable(pod, cycle, NO_NODES_AVAILABLE);

    const result = schedulePod(this.profile, info, nodes, this.state);
    if ('fitError' in result) {
      const { numAllNodes, statuses, preFilterMessage } = result.fitError;
      return this.unschedulable(pod, cycle, fitErrorMessage(pod, numAllNodes, statuses, preFilterMessage));
    }
    // Count the pod on its node now, before the API says so, so the next pod sees it.
    this.cache.assumePod(info, result.nodeName);
    await this.bindSlot();
    const binding = this.bind(info, result.nodeName).finally(() => {
      this.bindings.delete(binding);
      this.bindSlotWaiters.shift()?.();
    });
    this.bindings.add(binding);
  }

  /** Waits until fewer than bindConcurrency bindings are in flight. */
  private async bindSlot(): Promise<void> {
    while (this.bindings.size >= this.bindConcurrency) {
      await new Promise<void>((resolve) => this.bindSlotWaiters.push(resolve));
    }
  }

  // ---- the binding cycle: in the background ----

  private async bind(info: PodInfo, nodeName: string): Promise<void> {
    const { namespace, name } = info.pod.metadata;
    try {
      await this.client.create(resourcePath(PODS, namespace, name, 'binding'), {
        apiVersion: 'v1', kind: 'Binding',
        metadata: { name, namespace },
        target: { apiVersion: 'v1', kind: 'Node', name: nodeName },
      });
    } catch (err) {
      this.cache.forgetPod(info.key);
      this.queue.moveAllToActive(); // the room it held is free again
      if (isNotFound(err)) return; // the pod is gone
      // A conflict (the pod changed meanwhile, or someone else bound it) or an
      // API error: try again later; scheduleOne skips it if it is bound by then.
      console.error(`scheduler: binding ${info.key} to ${nodeName} failed, will retry: ${(err as Error).message}`);
      this.queue.active.addRateLimited(info.key);
      return;
    }
    this.queue.delete(info.key);
    this.events.normal(info.pod, 'Scheduled', `Successfully assigned ${namespace}/${name} to ${nodeName}`);
  }

  // ---- when no node fits ----

  /** Tells the pod (condition) and its readers (event) why it waits, then parks it. */
  private async unschedulable(pod: KubeObject, cycle: number, message: string): Promise<void> {
    const key = keyOf(pod);
    this.events.warning(pod, 'FailedScheduling', message);
    const current = (pod.status?.conditions ?? []).find((c: any) => c.type === 'PodScheduled');
    const unchanged = current?.status === 'False' && current.reason === 'Unschedulable' && current.message === message;
    if (!unchanged) {
      console.log(`scheduler: ${key} is unschedulable: ${message}`);
      const condition = {
        type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message,
        lastProbeTime: null,
        lastTransitionTime: current?.status === 'False' ? current.lastTransitionTime : apiTime(),
      };
      try {
        // Strategic merge: conditions merge by type, so the pod's other conditions stay.
        await this.client.patch(resourcePath(PODS, pod.metadata.namespace, pod.metadata.name, 'status'), { status: { conditions: [condition] } }, 'strategic');
      } catch (err) {
        if (!isNotFound(err)) console.error(`scheduler: could not update ${key}'s PodScheduled condition: ${(err as Error).message}`);
      }
    }
    this.queue.addUnschedulable(key, cycle);
  }
}

/** Did a pending pod change other than in its status (what kube-scheduler's isPodUpdated ignores)? */
function podChanged(old: KubeObject, pod: KubeObject): boolean {
  const essence = (p: KubeObject) => JSON.stringify([p.spec, p.metadata.labels, p.metadata.annotations, p.metadata.deletionTimestamp]);
  return essence(old) !== essence(pod);
}

/** Did a node change in a way a filter or a score looks at? Heartbeats alone do not count. */
function schedulingPropertiesChanged(old: KubeObject, node: KubeObject): boolean {
  const ready = (n: KubeObject) => (n.status?.conditions ?? []).find((c: any) => c.type === 'Ready')?.status;
  const essence = (n: KubeObject) => JSON.stringify([n.spec?.unschedulable, n.spec?.taints, n.metadata.labels, n.status?.allocatable, n.status?.capacity, ready(n)]);
  return essence(old) !== essence(node);
}
