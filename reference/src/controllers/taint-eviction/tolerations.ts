// How long may a pod stay on a node with these NoExecute taints?
// (processPodOnNode and getMinTolerationTime in
// pkg/controller/tainteviction/taint_eviction.go)

import { toleratesTaint, type Taint, type Toleration } from '../../scheduler/plugins/taint-toleration.ts';

export type Verdict =
  | { evict: 'now' }
  | { evict: 'never' }
  | { evict: 'after'; seconds: number };

// LAB(failures) begin: the toleration decision
/**
 * - a taint no toleration matches: the pod goes now;
 * - every taint tolerated: the pod may stay as long as the shortest
 *   tolerationSeconds among the tolerations used (0 or less: now);
 * - tolerated and none of those has tolerationSeconds: it stays for good.
 */
export function evictionVerdict(noExecuteTaints: Taint[], tolerations: Toleration[]): Verdict {
  if (noExecuteTaints.length === 0) return { evict: 'never' };
  const used: Toleration[] = [];
  for (const taint of noExecuteTaints) {
    const matching = tolerations.filter((t) => toleratesTaint(t, taint));
    if (matching.length === 0) return { evict: 'now' };
    used.push(...matching);
  }
  let min: number | undefined;
  for (const t of used) {
    if (t.tolerationSeconds === undefined || t.tolerationSeconds === null) continue;
    if (t.tolerationSeconds <= 0) return { evict: 'now' };
    min = min === undefined ? t.tolerationSeconds : Math.min(min, t.tolerationSeconds);
  }
  return min === undefined ? { evict: 'never' } : { evict: 'after', seconds: min };
}
// LAB end

/** A node's NoExecute taints: the only ones that act on pods already there. */
export function noExecuteTaints(node: { spec?: { taints?: Taint[] } } | undefined): Taint[] {
  return (node?.spec?.taints ?? []).filter((t) => t.effect === 'NoExecute');
}
