// Events: what a component tells people about an object, shown by
// `kubectl describe` and `kubectl get events` (client-go's record package, reduced).
// The scheduler, the controllers and the node agents all report through this one recorder.
//
// - Events are best effort: they are sent in the background, a few at a time,
//   so that a burst of them never holds up the component's real work. If too
//   many wait, new ones are dropped, as client-go drops them when its queue is
//   full (a crash loop must not flood the API server).
// - A repeat (same object, part, type, reason and message) is not a new Event:
//   the existing one gets count + 1 and a new lastTimestamp, which kubectl shows
//   as "(x5 over 2m)" (client-go's EventCorrelator).

import type { ObjectMeta } from '../api/types.ts';
import type { ApiClient } from './api-client.ts';
import { isNotFound } from './api-client.ts';
import { EVENTS, resourcePath } from './paths.ts';
import { apiTime } from '../api/time.ts';

export type EventType = 'Normal' | 'Warning';

/** The object an event is about. */
export interface EventSubject {
  apiVersion?: string;
  kind?: string;
  metadata: Pick<ObjectMeta, 'name' | 'namespace' | 'uid'> & { resourceVersion?: string };
}

export interface RecorderOptions {
  /** The node a node agent reports from (`source.host`). */
  host?: string;
  /** How many events are sent at once. */
  concurrency?: number;
  /** How many may wait; more are dropped. */
  maxPending?: number;
}

const MAX_REMEMBERED = 4096; // client-go's maxLruCacheEntries

export class EventRecorder {
  private readonly pending: (() => Promise<void>)[] = [];
  private inFlight = 0;
  private dropped = 0;
  private idleWaiters: (() => void)[] = [];
  /** Recent events by what makes them the same, to count repeats. */
  private readonly recent = new Map<string, { name: string; namespace: string; count: number }>();
  private sequence = 0;

  constructor(
    private readonly client: ApiClient,
    private readonly component: string,
    private readonly options: RecorderOptions = {},
  ) {}

  normal(obj: EventSubject, reason: string, message: string): void {
    this.record(obj, 'Normal', reason, message);
  }

  warning(obj: EventSubject, reason: string, message: string): void {
    this.record(obj, 'Warning', reason, message);
  }

  /** fieldPath names a part of the object, e.g. a container: `spec.containers{web}`. */
  record(obj: EventSubject, type: EventType, reason: string, message: string, fieldPath?: string): void {
    if (this.pending.length >= (this.options.maxPending ?? 10_000)) {
      if (this.dropped++ === 0) console.error(`${this.component}: too many events waiting; dropping events`);
      return;
    }
    this.pending.push(() => this.send(obj, type, reason, message, fieldPath));
    this.pump();
  }

  /** Resolves once every event recorded so far has been sent (or has failed). */
  flush(): Promise<void> {
    if (this.inFlight === 0 && this.pending.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Forgets the events of an object that is gone. */
  forget(uid: string): void {
    for (const key of this.recent.keys()) if (key.startsWith(`${uid}|`)) this.recent.delete(key);
  }

  private pump(): void {
    while (this.inFlight < (this.options.concurrency ?? 4) && this.pending.length) {
      const send = this.pending.shift()!;
      this.inFlight++;
      send()
        .catch((err) => console.error(`${this.component}: could not record event: ${(err as Error).message}`))
        .finally(() => {
          this.inFlight--;
          this.pump();
          if (this.inFlight === 0 && this.pending.length === 0) for (const w of this.idleWaiters.splice(0)) w();
        });
    }
  }

  private async send(obj: EventSubject, type: EventType, reason: string, message: string, fieldPath?: string): Promise<void> {
    const namespace = obj.metadata.namespace ?? 'default';
    const now = apiTime();
    const key = `${obj.metadata.uid}|${fieldPath ?? ''}|${type}|${reason}|${message}`;
    const seen = this.recent.get(key);
    if (seen) {
      seen.count++;
      try {
        await this.client.patch(resourcePath(EVENTS, seen.namespace, seen.name), { count: seen.count, lastTimestamp: now });
        return;
      } catch (err) {
        if (!isNotFound(err)) throw err; // the event expired meanwhile: start a new one
        this.recent.delete(key);
      }
    }
    // client-go names an event after its object and the time, in hex nanoseconds.
    const name = `${obj.metadata.name}.${(BigInt(Date.now()) * 1_000_000n + BigInt(this.sequence++ % 1_000_000)).toString(16)}`;
    const host = this.options.host;
    const event = {
      apiVersion: 'v1', kind: 'Event',
      metadata: { name, namespace },
      involvedObject: {
        apiVersion: obj.apiVersion, kind: obj.kind, namespace: obj.metadata.namespace,
        name: obj.metadata.name, uid: obj.metadata.uid, resourceVersion: obj.metadata.resourceVersion,
        ...(fieldPath ? { fieldPath } : {}),
      },
      type, reason, message,
      source: { component: this.component, ...(host ? { host } : {}) },
      reportingComponent: this.component, reportingInstance: host ?? '',
      firstTimestamp: now, lastTimestamp: now, count: 1,
    };
    await this.client.create(resourcePath(EVENTS, namespace), event);
    this.recent.set(key, { name, namespace, count: 1 });
    if (this.recent.size > MAX_REMEMBERED) this.recent.delete(this.recent.keys().next().value!);
  }
}
