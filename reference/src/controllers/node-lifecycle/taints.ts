// The taints the node lifecycle controller keeps on a node for its Ready
// condition (doNoScheduleTaintingPass and doNoExecuteTaintingPass in
// pkg/controller/nodelifecycle/node_lifecycle_controller.go; the keys are in
// k8s.io/api/core/v1 well_known_taints.go):
//
//   Ready False    → node.kubernetes.io/not-ready    NoSchedule + NoExecute
//   Ready Unknown  → node.kubernetes.io/unreachable  NoSchedule + NoExecute
//   Ready True     → neither
//
// NoSchedule keeps new pods away (the scheduler); NoExecute makes the taint
// eviction controller delete the pods already there that do not tolerate it.

import type { KubeObject } from '../../api/types.ts';
import { conditionOf } from './health.ts';

export const NOT_READY = 'node.kubernetes.io/not-ready';
export const UNREACHABLE = 'node.kubernetes.io/unreachable';
const OURS = [NOT_READY, UNREACHABLE];

export interface Taint {
  key: string;
  value?: string;
  effect: string;
  timeAdded?: string;
}

/** The taint key the node's Ready condition calls for, if any. */
export function readinessTaintKey(node: KubeObject): string | undefined {
  const ready = conditionOf(node, 'Ready');
  if (!ready) return undefined; // not posted yet: the startup grace decides first
  if (ready.status === 'False') return NOT_READY;
  if (ready.status === 'Unknown') return UNREACHABLE;
  return undefined;
}

/**
 * The node's taints with ours brought in line with its Ready condition; taints
 * others set (kubectl taint) are kept as they are. NoExecute taints carry
 * timeAdded, as Kubernetes sets it.
 */
export function desiredTaints(node: KubeObject, now: string): Taint[] {
  const current: Taint[] = node.spec?.taints ?? [];
  const key = readinessTaintKey(node);
  const kept = current.filter((t) => !OURS.includes(t.key) || (t.key === key && (t.effect === 'NoSchedule' || t.effect === 'NoExecute')));
  if (!key) return kept;
  const wanted: Taint[] = [{ key, effect: 'NoSchedule' }, { key, effect: 'NoExecute', timeAdded: now }];
  const missing = wanted.filter((w) => !kept.some((t) => t.key === w.key && t.effect === w.effect));
  return [...kept, ...missing];
}

export function sameTaints(a: Taint[], b: Taint[]): boolean {
  const id = (t: Taint) => `${t.key}=${t.value ?? ''}:${t.effect}`;
  return a.length === b.length && a.every((t, i) => id(t) === id(b[i]));
}
