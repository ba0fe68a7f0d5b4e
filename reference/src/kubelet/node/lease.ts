// The node's Lease: the cheap heartbeat (pkg/kubelet/nodelease, and
// k8s.io/component-helpers/apimachinery/lease/controller.go).
//
// A Lease named after the node in kube-node-lease, owned by the Node (so it
// goes when the Node goes), is renewed every leaseDurationSeconds / 4: 10 s of
// 40 with Kubernetes' defaults. The node lifecycle controller reads renewTime;
// a node whose lease is older than its grace period is NotReady. A renewal
// that fails is retried sooner, from 200 ms doubling up to 7 s.

import type { KubeObject } from '../../api/types.ts';
import { isNotFound, type ApiClient } from '../../client/api-client.ts';
import { LEASES, NODES, resourcePath } from '../../client/paths.ts';

const NAMESPACE = 'kube-node-lease';

/** metav1.MicroTime: RFC 3339 with microseconds, `2026-01-01T00:00:00.000000Z`. */
export function microTime(date = new Date()): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

export class LeaseRenewer {
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private retryMs = 0;

  constructor(private readonly client: ApiClient, private readonly nodeName: string, private readonly durationSeconds: number) {}

  private desired(existing?: KubeObject, nodeUid?: string): KubeObject {
    const lease: KubeObject = existing ? structuredClone(existing) : {
      apiVersion: 'coordination.k8s.io/v1', kind: 'Lease',
      metadata: {
        name: this.nodeName, namespace: NAMESPACE,
        ...(nodeUid ? { ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: this.nodeName, uid: nodeUid }] } : {}),
      },
    };
    lease.spec = { ...lease.spec, holderIdentity: this.nodeName, leaseDurationSeconds: this.durationSeconds, renewTime: microTime() };
    return lease;
  }

  /** Renews the lease once, creating it if it does not exist. */
  async renew(): Promise<void> {
    const path = resourcePath(LEASES, NAMESPACE, this.nodeName);
    let existing: KubeObject | undefined;
    try {
      existing = await this.client.get(path);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    if (existing) {
      // An update with the resourceVersion just read: a conflict means someone else wrote it; the next renewal wins.
      await this.client.update(path, this.desired(existing));
      return;
    }
    const node = await this.client.get(resourcePath(NODES, undefined, this.nodeName)).catch(() => undefined);
    await this.client.create(resourcePath(LEASES, NAMESPACE), this.desired(undefined, node?.metadata.uid));
  }

  /** Renews now and then every leaseDurationSeconds / 4; resolves after the first attempt. */
  start(): Promise<void> {
    const interval = (this.durationSeconds * 1000) / 4;
    const loop = async () => {
      let delay = interval;
      try {
        await this.renew();
        this.retryMs = 0;
      } catch (err) {
        this.retryMs = Math.min(this.retryMs ? this.retryMs * 2 : 200, 7000);
        delay = Math.min(this.retryMs, interval);
        if (this.retryMs === 200) console.error(`kubelet: renewing the node lease failed, retrying: ${(err as Error).message}`);
      }
      if (!this.stopped) this.timer = setTimeout(loop, delay);
    };
    return loop();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }
}
