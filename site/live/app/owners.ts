// Who owns a pod, for grouping and colouring its tile. A pod's controller is
// the ownerReference with controller: true (a ReplicaSet, usually); a
// ReplicaSet's own controller is its Deployment. The view groups by the top of
// that chain, so all pods of one Deployment share a colour through a rollout,
// and tells the ReplicaSets apart in the tile's label.
// https://kubernetes.io/docs/concepts/overview/working-with-objects/owners-dependents/

import type { ClusterStore } from './store.ts';
import type { KubeObject, OwnerReference } from './types.ts';

export interface OwnerGroup {
  /** Stable key of the group: "Deployment/ns/web", "ReplicaSet/ns/web-abc", or "Pod/ns/" for pods nobody owns. */
  key: string;
  /** What to call it: "deploy/web", "rs/web-abc", "no owner". */
  label: string;
  /** The pod's direct controller (a ReplicaSet), when it has one. */
  controller?: OwnerReference;
  /** 0–359: the group's colour. */
  hue: number;
}

const SHORT: Record<string, string> = { Deployment: 'deploy', ReplicaSet: 'rs', StatefulSet: 'sts', DaemonSet: 'ds', Job: 'job' };

export function controllerOf(obj: KubeObject): OwnerReference | undefined {
  return obj.metadata.ownerReferences?.find((ref) => ref.controller);
}

export function ownerGroup(pod: KubeObject, store: ClusterStore): OwnerGroup {
  const namespace = pod.metadata.namespace ?? '';
  const controller = controllerOf(pod);
  if (!controller) return { key: `Pod/${namespace}/`, label: 'no owner', hue: NO_OWNER_HUE };
  let top: OwnerReference = controller;
  if (controller.kind === 'ReplicaSet') {
    const replicaSet = store.get('ReplicaSet', `${namespace}/${controller.name}`);
    const above = replicaSet && controllerOf(replicaSet);
    if (above) top = above;
  }
  const key = `${top.kind}/${namespace}/${top.name}`;
  return { key, label: `${SHORT[top.kind] ?? top.kind}/${top.name}`, controller, hue: hueOf(key) };
}

/** Pods grouped by owner, groups and pods in name order. */
export function groupByOwner(pods: KubeObject[], store: ClusterStore): Map<string, { group: OwnerGroup; pods: KubeObject[] }> {
  const groups = new Map<string, { group: OwnerGroup; pods: KubeObject[] }>();
  for (const pod of [...pods].sort((a, b) => a.metadata.name.localeCompare(b.metadata.name))) {
    const group = ownerGroup(pod, store);
    if (!groups.has(group.key)) groups.set(group.key, { group, pods: [] });
    groups.get(group.key)!.pods.push(pod);
  }
  return new Map([...groups].sort(([a], [b]) => a.localeCompare(b)));
}

export const NO_OWNER_HUE = 210;

/** A colour per owner, the same at every load: a string hash spread over the hue circle. */
export function hueOf(key: string): number {
  let hash = 2166136261; // FNV-1a
  for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 16777619);
  return ((hash >>> 0) * 137) % 360;
}

/** The last part of a generated pod name ("web-7d4f9c-x2kqp" → "x2kqp"): enough to tell tiles apart. */
export function shortName(name: string): string {
  const dash = name.lastIndexOf('-');
  return dash > 0 && dash < name.length - 1 ? name.slice(dash + 1) : name;
}
