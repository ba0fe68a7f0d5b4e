// Which checks need a cluster to themselves (conformance/harness/cluster-pool.ts).
// Kept apart from check.ts, which needs vitest's test runner, so that the file
// order (conformance/harness/file-order.ts) can read it in vitest's main process.

import type { Capability } from '../harness/cluster.ts';

/**
 * Disruptions that hit every check on the cluster (a node gone, the control
 * plane down). `kill-container` is not one: it kills a container of the check's own pod.
 */
export const DISRUPTS_CLUSTER: ReadonlySet<Capability> = new Set<Capability>([
  'kill-node', 'stop-node', 'restart-node', 'stop-component', 'stop-control-plane', 'restart-control-plane', 'crash-control-plane',
]);

/** Whether the check needs a cluster to itself: it says so, or it disrupts the cluster. */
export function isExclusive(meta: { exclusive?: boolean; needs?: Capability[] }): boolean {
  return !!meta.exclusive || (meta.needs ?? []).some((n) => DISRUPTS_CLUSTER.has(n));
}
