// The view's state: the latest copy of every object it follows, by kind,
// kept by list (replace) and watch events (apply), as an informer's cache is.
// Panels ask it for what they draw; it tells its listener which kinds changed,
// and counts changes per kind so that a panel redraws only when its kinds moved.

import { KINDS, keyOf, type Kind, type KubeObject } from './types.ts';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export class ClusterStore {
  private readonly objects = new Map<Kind, Map<string, KubeObject>>(KINDS.map((kind) => [kind, new Map()]));
  private readonly revisions = new Map<Kind, number>(KINDS.map((kind) => [kind, 0]));
  private readonly listeners: ((kind: Kind) => void)[] = [];

  /** Called after every change with the kind that changed. */
  subscribe(listener: (kind: Kind) => void): void {
    this.listeners.push(listener);
  }

  /** How many changes a kind has had: a panel compares it with the one it last drew. */
  revision(kind: Kind): number {
    return this.revisions.get(kind)!;
  }

  /**
   * A fresh list: it replaces everything known of the kind. Objects missing
   * from it were deleted while nobody watched (after a 410 Gone, for example).
   */
  replace(kind: Kind, items: KubeObject[]): void {
    const fresh = new Map<string, KubeObject>();
    for (const item of items) fresh.set(keyOf(item), withKind(item, kind));
    this.objects.set(kind, fresh);
    this.changed(kind);
  }

  /** One watch event. A repeated or older copy (same resourceVersion) changes nothing. */
  apply(kind: Kind, type: WatchEventType, obj: KubeObject): void {
    const byKey = this.objects.get(kind)!;
    const key = keyOf(obj);
    if (type === 'DELETED') {
      if (!byKey.delete(key)) return;
    } else {
      const old = byKey.get(key);
      if (old && old.metadata.resourceVersion === obj.metadata.resourceVersion) return;
      byKey.set(key, withKind(obj, kind));
    }
    this.changed(kind);
  }

  get(kind: Kind, key: string): KubeObject | undefined {
    return this.objects.get(kind)!.get(key);
  }

  /** Objects of a kind, in one namespace or (namespace undefined) all of them. */
  list(kind: Kind, namespace?: string): KubeObject[] {
    const all = [...this.objects.get(kind)!.values()];
    return namespace === undefined ? all : all.filter((o) => o.metadata.namespace === namespace);
  }

  /** Every namespace some object is in, sorted. */
  namespaces(): string[] {
    const names = new Set<string>();
    for (const byKey of this.objects.values()) for (const obj of byKey.values()) if (obj.metadata.namespace) names.add(obj.metadata.namespace);
    return [...names].sort();
  }

  private changed(kind: Kind): void {
    this.revisions.set(kind, this.revisions.get(kind)! + 1);
    for (const listener of this.listeners) listener(kind);
  }
}

/** Items of a list carry no kind; the details panel shows it. */
function withKind(obj: KubeObject, kind: Kind): KubeObject {
  return obj.kind ? obj : { kind, ...obj };
}
