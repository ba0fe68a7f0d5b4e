// Events the node agent reports about the pods it runs (`kubectl describe pod`,
// `kubectl get events`): Pulling, Pulled, Created, Started, Killing, BackOff,
// Failed, Unhealthy, FailedMount.
//
// Like client-go's event recorder, this is best effort and never blocks a
// sync: events are sent one at a time in the background, and one that fails is
// dropped. A repeat of the same event (same object, reason and message) bumps
// the count of the first one instead of making a new object, as Kubernetes'
// event correlator does.

import { randomBytes } from 'node:crypto';
import type { ObjectMeta } from '../api/types.ts';
import type { ApiClient } from '../client/api-client.ts';
import { EVENTS, resourcePath } from '../client/paths.ts';

/** At most this many events wait to be sent; more are dropped (a crash loop must not flood the API server). */
const MAX_PENDING = 200;

/** The pod an event is about: a pod object, or just its name, namespace and uid. */
export interface PodRef {
  metadata: Pick<ObjectMeta, 'name' | 'namespace' | 'uid'>;
}

interface Sent {
  name: string;
  namespace: string;
  count: number;
}

export class EventRecorder {
  private readonly pending: (() => Promise<void>)[] = [];
  private readonly sent = new Map<string, Sent>();
  private sending = false;

  constructor(private readonly client: ApiClient, private readonly host: string) {}

  /** fieldPath names the container: `spec.containers{web}`. */
  record(pod: PodRef, type: 'Normal' | 'Warning', reason: string, message: string, fieldPath?: string): void {
    if (this.pending.length >= MAX_PENDING) return;
    this.pending.push(() => this.send(pod, type, reason, message, fieldPath));
    void this.drain();
  }

  private async drain(): Promise<void> {
    if (this.sending) return;
    this.sending = true;
    while (this.pending.length) {
      const next = this.pending.shift()!;
      await next().catch(() => { /* best effort: an event that cannot be written is dropped */ });
    }
    this.sending = false;
  }

  private async send(pod: PodRef, type: string, reason: string, message: string, fieldPath?: string): Promise<void> {
    const namespace = pod.metadata.namespace ?? 'default';
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const key = `${pod.metadata.uid}|${fieldPath ?? ''}|${reason}|${message}`;
    const earlier = this.sent.get(key);
    if (earlier) {
      earlier.count++;
      try {
        await this.client.patch(resourcePath(EVENTS, namespace, earlier.name), { count: earlier.count, lastTimestamp: now });
        return;
      } catch {
        this.sent.delete(key); // gone (expired or deleted): make a new one
      }
    }
    const name = `${pod.metadata.name}.${randomBytes(8).toString('hex')}`;
    await this.client.create(resourcePath(EVENTS, namespace), {
      apiVersion: 'v1', kind: 'Event',
      metadata: { name, namespace },
      involvedObject: {
        apiVersion: 'v1', kind: 'Pod', namespace, name: pod.metadata.name, uid: pod.metadata.uid,
        ...(fieldPath ? { fieldPath } : {}),
      },
      reason, message, type,
      source: { component: 'kubelet', host: this.host },
      reportingComponent: 'kubelet', reportingInstance: this.host,
      firstTimestamp: now, lastTimestamp: now, count: 1,
    });
    this.sent.set(key, { name, namespace, count: 1 });
    if (this.sent.size > 5000) this.sent.delete(this.sent.keys().next().value!);
  }

  /** Forgets the events of a pod that is gone. */
  forget(podUid: string): void {
    for (const key of this.sent.keys()) if (key.startsWith(`${podUid}|`)) this.sent.delete(key);
  }
}
