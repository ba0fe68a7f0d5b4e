// The taint eviction controller: deletes the pods a node's NoExecute taints
// tell to go (pkg/controller/tainteviction/taint_eviction.go in Kubernetes).
//
// reconcile(podKey) for one pod bound to a node:
//   - a NoExecute taint it does not tolerate: delete it now;
//   - all tolerated, for at most tolerationSeconds: delete it once that much
//     time has passed since the taint was first seen on its node;
//   - tolerated for good (no tolerationSeconds): leave it.
// The "timer" of a pod is the time its countdown started plus the queue's
// addAfter: the countdown is forgotten as soon as the taint or the pod is gone,
// and a wake-up that finds nothing to do does nothing.
//
// Before the delete, the pod is marked DisruptionTarget=True, reason
// DeletionByTaintManager, through its status (addConditionAndDeletePod in
// taint_eviction.go), so its owner can tell why it went. The deletion is an
// ordinary graceful DELETE. On an unreachable node no agent confirms it, so the
// pod stays Terminating; its ReplicaSet replaces it anyway, since terminating
// pods no longer count.

import type { KubeObject } from '../../api/types.ts';
import { isNotFound } from '../../client/api-client.ts';
import type { EventRecorder } from '../../client/events.ts';
import type { Informer } from '../../client/informer.ts';
import { keyOf } from '../../client/informer.ts';
import { NODES, PODS, resourcePath } from '../../client/paths.ts';
import { WorkQueue } from '../../client/workqueue.ts';
import { jsonEqual } from '../../api/objects.ts';
import { BY_TAINT_MANAGER, withDisruptionTarget } from '../../api/disruption-target.ts';
import type { Controller, ControllerContext } from '../controller.ts';
import { evictionVerdict, noExecuteTaints } from './tolerations.ts';
import { apiTime } from '../../api/time.ts';

export class TaintEvictionController implements Controller {
  readonly name = 'taint-eviction-controller';
  readonly queue = new WorkQueue();
  private readonly nodes: Informer;
  private readonly pods: Informer;
  private readonly events: EventRecorder;
  /** Pod key → when its countdown started (ms), for pods that tolerate their node's taints for a while. */
  private readonly countdowns = new Map<string, number>();

  constructor(private readonly ctx: ControllerContext) {
    this.nodes = ctx.informers.for(NODES);
    this.pods = ctx.informers.for(PODS);
    this.events = ctx.recorder(this.name);

    this.pods.addEventHandler({
      onAdd: (pod) => this.queue.add(keyOf(pod)),
      onUpdate: (old, pod) => {
        if (old.spec?.nodeName !== pod.spec?.nodeName || !jsonEqual(old.spec?.tolerations, pod.spec?.tolerations)) this.queue.add(keyOf(pod));
      },
      onDelete: (pod) => this.queue.add(keyOf(pod)),
    });
    this.nodes.addEventHandler({
      onAdd: (node) => this.enqueuePodsOn(node),
      onUpdate: (old, node) => {
        if (!jsonEqual(noExecuteTaints(old), noExecuteTaints(node))) this.enqueuePodsOn(node);
      },
    });
  }

  private enqueuePodsOn(node: KubeObject): void {
    if (noExecuteTaints(node).length === 0 && this.countdowns.size === 0) return;
    for (const pod of this.pods.list()) if (pod.spec?.nodeName === node.metadata.name) this.queue.add(keyOf(pod));
  }

  async reconcile(key: string): Promise<void> {
    const pod = this.pods.get(key);
    const node = pod?.spec?.nodeName ? this.nodes.get(pod.spec.nodeName) : undefined;
    const taints = noExecuteTaints(node);
    if (!pod || pod.metadata.deletionTimestamp || taints.length === 0) {
      this.countdowns.delete(key);
      return;
    }

    const verdict = evictionVerdict(taints, pod.spec?.tolerations ?? []);
    if (verdict.evict === 'never') {
      this.countdowns.delete(key);
      return;
    }
    if (verdict.evict === 'after') {
      const started = this.countdowns.get(key) ?? Date.now();
      this.countdowns.set(key, started);
      const left = started + verdict.seconds * 1000 - Date.now();
      if (left > 0) {
        this.queue.addAfter(key, left);
        return;
      }
    }
    await this.evict(pod);
    // Only once the pod is on its way out: a failed attempt is tried again without restarting the countdown.
    this.countdowns.delete(key);
  }

  private async evict(pod: KubeObject): Promise<void> {
    this.events.normal(pod, 'TaintManagerEviction', `Marking for deletion Pod ${keyOf(pod)}`);
    const path = resourcePath(PODS, pod.metadata.namespace, pod.metadata.name);
    try {
      await this.markDisruptionTarget(pod, path);
      await this.ctx.client.delete(path, { preconditions: { uid: pod.metadata.uid } });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  /**
   * DisruptionTarget=True on the pod's status, written over the cached copy:
   * its resourceVersion guards the write, so a 409 (the pod changed meanwhile)
   * throws, and the queue tries again with a fresh copy.
   */
  private async markDisruptionTarget(pod: KubeObject, path: string): Promise<void> {
    const status = withDisruptionTarget(pod, BY_TAINT_MANAGER, apiTime());
    if (status) await this.ctx.client.update(`${path}/status`, { ...pod, status });
  }
}
