// The scheduler's cache: one NodeInfo per node, with the pods bound to it and
// their requests already added up (kube-scheduler: pkg/scheduler/backend/cache).
//
// The informers feed it, but the informers lag: a binding the scheduler has
// just sent shows up a few milliseconds later, and meanwhile the next pod is
// being placed. So the scheduler *assumes* its decision at once:
//
//   assume   the pod counts on its node from the moment it is chosen;
//   confirm  the informer shows the pod bound: the real object replaces it;
//   forget   the binding failed: the pod leaves the node again.
//
// Without this, back-to-back pods would all see the same free node and all be
// sent to it.

import type { KubeObject } from '../api/types.ts';
import { NodeInfo, newPodInfo, type PodInfo } from './framework.ts';

export class SchedulerCache {
  private readonly nodes = new Map<string, NodeInfo>();
  /** Where each known pod is counted: key → node name. */
  private readonly podNodes = new Map<string, string>();
  private readonly assumed = new Set<string>();
  /** The NodeInfos that have a Node object, in a stable order; rebuilt only when nodes come or go. */
  private list: NodeInfo[] | undefined;

  /** The nodes pods can be scheduled to. Plugins read these; only the cache changes them. */
  nodeList(): NodeInfo[] {
    this.list ??= [...this.nodes.values()].filter((n) => n.node);
    return this.list;
  }

  nodeInfo(name: string): NodeInfo | undefined {
    return this.nodes.get(name);
  }

  private nodeInfoFor(name: string): NodeInfo {
    let info = this.nodes.get(name);
    if (!info) {
      info = new NodeInfo(name);
      this.nodes.set(name, info);
    }
    return info;
  }

  // ---- nodes ----

  setNode(node: KubeObject): void {
    const info = this.nodeInfoFor(node.metadata.name!);
    if (!info.node) this.list = undefined;
    info.setNode(node);
  }

  removeNode(name: string): void {
    const info = this.nodes.get(name);
    if (!info) return;
    // Pods bound to a deleted node stay counted under its name until they go,
    // as kube-scheduler keeps them (the node may come back).
    if (info.pods.size === 0) this.nodes.delete(name);
    else {
      info.node = undefined;
      info.ready = undefined;
    }
    this.list = undefined;
  }

  // ---- pods seen by the informer ----

  /** A bound pod appeared or changed: count it on its node (confirming an assumed pod). */
  addOrUpdatePod(pod: KubeObject): void {
    const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
    if (this.assumed.delete(key) && this.podNodes.get(key) === pod.spec.nodeName) {
      // Our own binding, seen as we assumed it: only the object is newer (kube-scheduler's cache.AddPod).
      this.nodes.get(pod.spec.nodeName)!.pods.get(key)!.pod = pod;
      return;
    }
    const info = podInfoOrEmpty(pod);
    this.remove(info.key);
    this.nodeInfoFor(pod.spec.nodeName).addPod(info);
    this.podNodes.set(info.key, pod.spec.nodeName);
  }

  /** A bound pod is gone (or finished): its requests are free again. */
  removePod(key: string): void {
    this.remove(key);
    this.assumed.delete(key);
  }

  private remove(key: string): void {
    const nodeName = this.podNodes.get(key);
    if (nodeName === undefined) return;
    this.podNodes.delete(key);
    const info = this.nodes.get(nodeName);
    if (!info) return;
    info.removePod(key);
    if (!info.node && info.pods.size === 0) this.nodes.delete(nodeName);
  }

  // ---- the scheduler's own decisions ----

  assumePod(info: PodInfo, nodeName: string): void {
    this.remove(info.key);
    this.nodeInfoFor(nodeName).addPod(info);
    this.podNodes.set(info.key, nodeName);
    this.assumed.add(info.key);
  }

  /** The binding failed: undo the assumption, unless the informer has confirmed the pod meanwhile. */
  forgetPod(key: string): void {
    if (!this.assumed.has(key)) return;
    this.removePod(key);
  }

  isAssumed(key: string): boolean {
    return this.assumed.has(key);
  }

  get assumedCount(): number {
    return this.assumed.size;
  }
}

/** A pod whose quantities cannot be read still counts on its node, as requesting nothing. */
function podInfoOrEmpty(pod: KubeObject): PodInfo {
  try {
    return newPodInfo(pod);
  } catch (err) {
    console.error(`scheduler: pod ${pod.metadata.namespace}/${pod.metadata.name}: ${(err as Error).message}; counting it as requesting nothing`);
    const zero = { milliCpu: 0, memory: 0 };
    return { key: `${pod.metadata.namespace}/${pod.metadata.name}`, pod, requests: zero, nonZeroRequests: zero };
  }
}
