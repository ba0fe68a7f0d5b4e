// The simulated nodes' pods: every pod bound to a simulated node is reported
// Running and Ready at once, and a deleted one is removed, as a kubelet whose
// containers start and stop instantly would do (KWOK's pod controller, much
// reduced: https://kwok.sigs.k8s.io/).
//
// One controller in the usual shape (../controllers/controller.ts):
//   informer   ONE watch of every bound pod (fieldSelector spec.nodeName!=),
//              filtered here to the simulated nodes (one watch per node, as
//              kubelets have, would be N watches)
//   queue      keyed by namespace/name; WORKERS at a time, so 5,000 new pods
//              make at most WORKERS requests in flight
//   reconcile  deletionTimestamp set   → DELETE with grace 0 (its containers
//                                        "stopped" at once)
//              Succeeded or Failed     → nothing (nothing runs again)
//              otherwise               → the status of a pod whose containers
//                                        all run and are ready, written only
//                                        when the pod's differs
//
// The status comes from the kubelet's own code (../kubelet/pods/pod-status.ts),
// given a record in which every init container completed and every container
// runs, started and ready. Probes are not run: nothing listens.

import type { KubeObject } from '../api/types.ts';
import { jsonEqual } from '../api/objects.ts';
import { isConflict, isNotFound, type ApiClient } from '../client/api-client.ts';
import { Informer, keyOf } from '../client/informer.ts';
import { PODS, resourcePath } from '../client/paths.ts';
import { runWorkers, WorkQueue } from '../client/workqueue.ts';
import { IpAllocator } from '../kubelet/pods/ip-allocator.ts';
import type { ContainerRecord, PodRecord } from '../kubelet/pods/pod-state.ts';
import { buildPodStatus } from '../kubelet/pods/pod-status.ts';
import type { SimulatedNode } from './simulated-node.ts';
import { apiTime } from '../api/time.ts';

const WORKERS = 16;

/** What the agent would know about a pod whose containers all started at startTime and run. */
export function runningRecord(pod: KubeObject, podIP: string, startTime: string): PodRecord {
  const uid = pod.metadata.uid!;
  const container = (spec: any, init: boolean): ContainerRecord => {
    const id = `${uid}/${spec.name}/0`;
    return {
      name: spec.name, init, image: spec.image, imageID: '', restartCount: 0,
      // An init container ran to completion; a container runs.
      instance: init
        ? { id, startedAt: startTime, terminated: { exitCode: 0, reason: 'Completed', startedAt: startTime, finishedAt: startTime, containerID: `kubelab://${id}` } }
        : { id, startedAt: startTime },
      started: !init, ready: !init,
    };
  };
  const containers = new Map<string, ContainerRecord>();
  for (const spec of pod.spec?.initContainers ?? []) containers.set(spec.name, container(spec, true));
  for (const spec of pod.spec?.containers ?? []) containers.set(spec.name, container(spec, false));
  return { uid, key: keyOf(pod), namespace: pod.metadata.namespace!, name: pod.metadata.name!, podIP, startTime, containers };
}

export class PodSimulator {
  readonly queue = new WorkQueue();
  private readonly informer: Informer;
  private readonly nodes: Map<string, SimulatedNode>;
  /** Each simulated node's pod addresses, from its pod CIDR. */
  private readonly ips = new Map<string, IpAllocator>();

  constructor(private readonly client: ApiClient, nodes: SimulatedNode[]) {
    this.nodes = new Map(nodes.map((n) => [n.name, n]));
    for (const node of nodes) this.ips.set(node.name, new IpAllocator(node.podCIDR));
    this.informer = new Informer(client, PODS, { fieldSelector: 'spec.nodeName!=' });
  }

  private ours(pod: KubeObject | undefined): SimulatedNode | undefined {
    return pod ? this.nodes.get(pod.spec?.nodeName) : undefined;
  }

  async start(): Promise<void> {
    const enqueue = (pod: KubeObject) => {
      if (this.ours(pod)) this.queue.add(keyOf(pod));
    };
    this.informer.addEventHandler({
      onAdd: enqueue,
      onUpdate: (_old, pod) => enqueue(pod),
      // A pod gone from the API gives its address back.
      onDelete: (pod) => {
        const ip = pod.status?.podIP;
        if (ip && !pod.spec?.hostNetwork) this.ips.get(pod.spec?.nodeName)?.release(ip);
      },
    });
    await this.informer.start();
    void runWorkers('simulator: pods', this.queue, (key) => this.reconcile(key), WORKERS);
  }

  stop(): void {
    this.informer.stop();
    this.queue.shutDown();
  }

  async reconcile(key: string): Promise<void> {
    const pod = this.informer.get(key);
    const node = this.ours(pod);
    if (!pod || !node) return;
    const uid = pod.metadata.uid!;

    if (pod.metadata.deletionTimestamp) {
      // The kubelet's final delete, once the containers stopped: here they stop at once.
      try {
        await this.client.delete(resourcePath(PODS, pod.metadata.namespace, pod.metadata.name), { gracePeriodSeconds: 0, preconditions: { uid } });
      } catch (err) {
        if (!isNotFound(err) && !isConflict(err)) throw err; // gone already, or a new pod took the name
      }
      return;
    }
    const phase = pod.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') return;

    // An address from the node's range (the one it has, after a simulator restart); a hostNetwork pod has the node's.
    const podIP = pod.spec?.hostNetwork ? node.address : this.ips.get(node.name)!.allocate(uid, pod.status?.podIP);
    const now = apiTime();
    const status = buildPodStatus(pod, runningRecord(pod, podIP, pod.status?.startTime ?? now), node.address, now);
    const old = pod.status ?? {};
    if (Object.keys(status).every((k) => jsonEqual(status[k], old[k]))) return;
    try {
      await this.client.patch(resourcePath(PODS, pod.metadata.namespace, pod.metadata.name, 'status'), { status });
    } catch (err) {
      if (!isNotFound(err)) throw err; // deleted meanwhile: the informer will tell
    }
  }
}
