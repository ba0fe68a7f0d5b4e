// Who owns whom: the garbage collector's index, kept from the informers'
// events. Kubernetes' graph builder keeps a full graph of nodes, each with
// its owners and dependents (pkg/controller/garbagecollector/graph_builder.go);
// the collector's rules only ask two questions, so only two maps are kept:
//   - which objects name this uid as an owner (its dependents);
//   - where in the caches the object with this uid is.
// An owner that no cache holds (deleted, or of a kind not watched) still has
// its dependents listed under its uid: that is how they are found when it goes.
//
// Keys are the collector's queue keys, "<resource>/<namespace>/<name>".

import type { KubeObject } from '../../api/types.ts';

export class DependencyGraph {
  private readonly dependents = new Map<string, Set<string>>();
  private readonly keys = new Map<string, string>();

  /** Records obj, at key, under each owner it names; `old` is the version it replaces. */
  upsert(key: string, obj: KubeObject, old?: KubeObject): void {
    if (old) this.remove(key, old);
    this.keys.set(obj.metadata.uid!, key);
    for (const ref of obj.metadata.ownerReferences ?? []) {
      let set = this.dependents.get(ref.uid);
      if (!set) this.dependents.set(ref.uid, (set = new Set()));
      set.add(key);
    }
  }

  /** Forgets obj: it is gone (or replaced by a newer version). */
  remove(key: string, obj: KubeObject): void {
    if (this.keys.get(obj.metadata.uid!) === key) this.keys.delete(obj.metadata.uid!);
    for (const ref of obj.metadata.ownerReferences ?? []) {
      const set = this.dependents.get(ref.uid);
      set?.delete(key);
      if (set?.size === 0) this.dependents.delete(ref.uid);
    }
  }

  /** The keys of the objects that name `uid` in their ownerReferences. */
  dependentsOf(uid: string): string[] {
    return [...(this.dependents.get(uid) ?? [])];
  }

  /** The key of the cached object with this uid, if a cache holds it. */
  keyOf(uid: string): string | undefined {
    return this.keys.get(uid);
  }
}
