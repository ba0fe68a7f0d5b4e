// The cluster's recent Events, newest first: what the scheduler, the
// controllers and the node agents say they did (Scheduled, SuccessfulCreate,
// ScalingReplicaSet, Killing, NodeNotReady, …), as `kubectl get events` shows them.
// https://kubernetes.io/docs/reference/kubernetes-api/cluster-resources/event-v1/

import { age, fill, h } from './dom.ts';
import type { ClusterStore } from './store.ts';
import type { KubeObject } from './types.ts';

const SHOWN = 60;

/** When an event last happened: lastTimestamp (core/v1), else eventTime, else its creation. */
export function eventTime(event: KubeObject): string {
  return event.lastTimestamp ?? event.series?.lastObservedTime ?? event.eventTime ?? event.metadata.creationTimestamp ?? '';
}

export class EventsStream {
  /** Events drawn before: the others are new, and flash once. */
  private seen = new Set<string>();
  private first = true;

  constructor(private readonly container: HTMLElement, private readonly onSelect: (event: KubeObject) => void) {}

  draw(store: ClusterStore, namespace: string | undefined): void {
    const events = store.list('Event', namespace)
      .sort((a, b) => eventTime(b).localeCompare(eventTime(a)) || b.metadata.name.localeCompare(a.metadata.name))
      .slice(0, SHOWN);
    const now = Date.now();
    const seen = new Set<string>();
    fill(this.container, ...events.map((event) => {
      const id = `${event.metadata.uid}/${event.count ?? 1}`;
      seen.add(id);
      const about = event.involvedObject ?? event.regarding ?? {};
      const item = h('li', { class: `event ${event.type === 'Warning' ? 'warning' : ''} ${this.first || this.seen.has(id) ? '' : 'new'}`.trim() },
        h('span', { class: 'when', title: eventTime(event) }, age(eventTime(event), now)),
        h('span', { class: 'reason' }, event.reason ?? ''),
        h('span', { class: 'about' }, `${(about.kind ?? '').toLowerCase()}/${about.name ?? ''}`),
        h('span', { class: 'message' }, `${event.message ?? event.note ?? ''}${(event.count ?? 1) > 1 ? ` (×${event.count})` : ''}`));
      item.onclick = () => this.onSelect(event);
      return item;
    }));
    if (events.length === 0) fill(this.container, h('li', { class: 'empty' }, 'No events yet.'));
    this.seen = seen;
    this.first = false;
  }
}
