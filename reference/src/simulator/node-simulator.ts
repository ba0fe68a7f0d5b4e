// The simulated nodes' side of the node agent: register each Node, keep its
// status true, and renew its Lease, for N nodes from one process.
//
// A kubelet does this for its one node (../kubelet/node/). Kubernetes documents
// the two heartbeats (https://kubernetes.io/docs/reference/node/node-status/#heartbeats):
// - the Node's .status is written "when there is change in status or if there
//   has been no update for a configured interval" (nodeStatusReportFrequency,
//   5 minutes by default);
// - the Lease in kube-node-lease is renewed every 10 s by default (a quarter of
//   its 40 s duration), a failed renewal retried after 200 ms doubling to 7 s.
//
// Two controllers in the usual shape (../controllers/controller.ts), keyed by node name:
//   nodes    informer of the Nodes labelled kubelab.dev/simulated ─▶ queue ─▶ reconcileNode
//            register once; write the status when its Ready is not True, or when it is due
//   leases   a timer per node ─▶ queue ─▶ renewLease: one PUT of the Lease last written
//
// So that N nodes do not renew all at once, node k of N first renews at k/N of
// the interval; and with many nodes the interval is stretched so that renewals
// stay under LEASE_RENEWALS_PER_SECOND (never beyond half the grace period the
// node lifecycle controller allows, so one lost renewal does no harm).

import type { KubeObject } from '../api/types.ts';
import { isConflict, isNotFound, type ApiClient } from '../client/api-client.ts';
import { Informer } from '../client/informer.ts';
import { LEASES, NODES, resourcePath } from '../client/paths.ts';
import { runWorkers, WorkQueue } from '../client/workqueue.ts';
import type { Profile } from '../config/profile.ts';
import { microTime } from '../kubelet/node/lease.ts';
import { SIMULATED_LABEL, simulatedNodeObject, simulatedNodeStatus, type SimulatedNode } from './simulated-node.ts';

const LEASE_NAMESPACE = 'kube-node-lease';
/** The API budget of all lease renewals together (the kubelet's fraction gives N / 10 s with real timings). */
const LEASE_RENEWALS_PER_SECOND = 100;
/** How many Node writes and how many Lease writes are in flight at most. */
const NODE_WORKERS = 16;
const LEASE_WORKERS = 8;
/** How often the status writes that fell due are queued. */
const REPORT_CHECK_MS = 1000;

/** Seconds between two renewals of one node's Lease. */
export function leaseRenewInterval(nodeCount: number, profile: Profile): number {
  const kubelet = profile.nodeLeaseDurationSeconds / 4; // renewIntervalFraction 0.25
  const budget = nodeCount / LEASE_RENEWALS_PER_SECOND;
  const ceiling = Math.min(profile.nodeLeaseDurationSeconds, profile.nodeMonitorGracePeriodSeconds) / 2;
  return Math.min(Math.max(kubelet, budget), ceiling);
}

export class NodeSimulator {
  private readonly nodes: Map<string, SimulatedNode>;
  private readonly informer: Informer;
  private readonly nodeQueue = new WorkQueue();
  /** The kubelet's lease back-off: 200 ms doubling up to 7 s. */
  private readonly leaseQueue = new WorkQueue(200, 7000);
  /** The uid of each Node this process registered (a deleted Node is not registered again, as with a kubelet). */
  private readonly registered = new Map<string, string>();
  /** The Lease each node wrote last: the next renewal is one PUT of it (unknown after a failure: read first). */
  private readonly leases = new Map<string, KubeObject>();
  /** When each node's status was written last (ms). */
  private readonly reported = new Map<string, number>();
  private readonly renewEveryMs: number;
  private reportTimer?: NodeJS.Timeout;
  private stopped = false;

  constructor(private readonly client: ApiClient, nodes: SimulatedNode[], private readonly profile: Profile) {
    this.nodes = new Map(nodes.map((n) => [n.name, n]));
    this.informer = new Informer(client, NODES, { labelSelector: `${SIMULATED_LABEL}=true` });
    this.renewEveryMs = leaseRenewInterval(nodes.length, profile) * 1000;
  }

  async start(): Promise<void> {
    const enqueue = (node: KubeObject) => {
      if (this.nodes.has(node.metadata.name!)) this.nodeQueue.add(node.metadata.name!);
    };
    this.informer.addEventHandler({ onAdd: enqueue, onUpdate: (_old, node) => enqueue(node) });
    await this.informer.start();
    void runWorkers('simulator: nodes', this.nodeQueue, (name) => this.reconcileNode(name), NODE_WORKERS);
    void runWorkers('simulator: leases', this.leaseQueue, (name) => this.renewLease(name), LEASE_WORKERS);
    let k = 0;
    for (const name of this.nodes.keys()) {
      this.nodeQueue.add(name);
      this.leaseQueue.addAfter(name, (this.renewEveryMs * k++) / this.nodes.size);
    }
    // Statuses whose report interval has passed.
    this.reportTimer = setInterval(() => {
      const due = Date.now() - this.profile.nodeStatusReportFrequencySeconds * 1000;
      for (const [name, at] of this.reported) if (at <= due) this.nodeQueue.add(name);
    }, REPORT_CHECK_MS);
  }

  get leaseRenewSeconds(): number {
    return this.renewEveryMs / 1000;
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.reportTimer);
    this.informer.stop();
    this.nodeQueue.shutDown();
    this.leaseQueue.shutDown();
  }

  /** Registers the node once; afterwards writes its status when it is not Ready (someone marked it) or is due. */
  private async reconcileNode(name: string): Promise<void> {
    const sim = this.nodes.get(name)!;
    const node = this.informer.get(name);
    if (!node) {
      if (this.registered.has(name)) return; // deleted after we registered it: it stays deleted
      try {
        const created = await this.client.create<KubeObject>(resourcePath(NODES), simulatedNodeObject(sim));
        this.registered.set(name, created.metadata.uid!);
        this.reported.set(name, Date.now());
        return;
      } catch (err) {
        if (!isConflict(err)) throw err;
        // 409 AlreadyExists: an earlier simulator registered it; the watch brings it here, to the code below.
        return;
      }
    }
    if (!this.registered.has(name)) this.registered.set(name, node.metadata.uid!);
    const ready = (node.status?.conditions ?? []).find((c: any) => c.type === 'Ready');
    const reportedAt = this.reported.get(name);
    const due = reportedAt === undefined || Date.now() - reportedAt >= this.profile.nodeStatusReportFrequencySeconds * 1000;
    if (ready?.status === 'True' && !due) return;
    try {
      await this.client.patch(resourcePath(NODES, undefined, name, 'status'), { status: simulatedNodeStatus(sim, node.status?.conditions ?? []) });
      this.reported.set(name, Date.now());
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  /** One renewal: a PUT of the Lease last written, or a read (and a create if missing) when there is none. */
  private async renewLease(name: string): Promise<void> {
    if (this.stopped) return;
    const uid = this.registered.get(name);
    if (!uid) throw new Error(`node ${name} is not registered yet`); // retried with back-off
    const path = resourcePath(LEASES, LEASE_NAMESPACE, name);
    let lease = this.leases.get(name);
    try {
      if (!lease) lease = await this.client.get<KubeObject>(path).catch((err) => { if (isNotFound(err)) return undefined; throw err; });
      const spec = { holderIdentity: name, leaseDurationSeconds: this.profile.nodeLeaseDurationSeconds, renewTime: microTime() };
      const written = lease
        ? await this.client.update<KubeObject>(path, { ...lease, spec: { ...lease.spec, ...spec } })
        : await this.client.create<KubeObject>(resourcePath(LEASES, LEASE_NAMESPACE), {
          apiVersion: 'coordination.k8s.io/v1', kind: 'Lease',
          // Owned by the Node: deleting the Node deletes its Lease (the garbage collector does it).
          metadata: { name, namespace: LEASE_NAMESPACE, ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name, uid }] },
          spec,
        });
      this.leases.set(name, written);
    } catch (err) {
      this.leases.delete(name); // someone else wrote it (409) or it is gone: read it afresh next time
      throw err;
    }
    this.leaseQueue.addAfter(name, this.renewEveryMs);
  }
}
