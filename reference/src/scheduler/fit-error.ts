// The Unschedulable message: why no node fits, counted over all nodes, in the
// words kube-scheduler uses (pkg/scheduler/framework/types.go FitError.Error):
//
//   0/3 nodes are available: 1 node(s) were unschedulable, 2 Insufficient cpu.
//     preemption: 0/3 nodes are available: 1 Preemption is not helpful for
//     scheduling, 2 No preemption victims found for incoming pod.
//
// Each node contributes the reasons of the filter that turned it down; equal
// reasons are counted, and the "<count> <reason>" strings are sorted as plain
// strings (Go's sort.Strings), so "10 Insufficient cpu" sorts before "2 ...".
//
// The second sentence is what kube-scheduler's DefaultPreemption plugin
// (pkg/scheduler/framework/preemption) says when it finds nothing to evict. The
// reference never preempts, and in a cluster without PriorityClasses no pod has
// a lower priority than another, so this is also exactly what Kubernetes says:
// nodes turned down for an unresolvable reason (a taint, a label, a cordon)
// are ones where "Preemption is not helpful for scheduling"; on the others
// there are "No preemption victims found for incoming pod".

import type { KubeObject } from '../api/types.ts';
import type { Status } from './framework.ts';

/** What the scheduler says when the cluster has no nodes at all (ErrNoNodesAvailable). */
export const NO_NODES_AVAILABLE = 'no nodes available to schedule pods';

/** "0/N nodes are available: <sorted counts>." for the statuses of the nodes that were turned down. */
export function nodesAvailableMessage(numAllNodes: number, statuses: Iterable<Status>): string {
  const counts = new Map<string, number>();
  for (const status of statuses) {
    for (const reason of status.reasons) counts.set(reason, (counts.get(reason) ?? 0) + 1);
  }
  const histogram = [...counts].map(([reason, n]) => `${n} ${reason}`);
  // Code-unit order, as Go's sort.Strings; not localeCompare.
  histogram.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  let message = `0/${numAllNodes} nodes are available:`;
  if (histogram.length) message += ` ${histogram.join(', ')}.`;
  return message;
}

/** The PostFilter (preemption) sentence, for a scheduler that finds no victims. */
export function preemptionMessage(pod: KubeObject, numAllNodes: number, statuses: Iterable<Status>): string {
  if (pod.spec?.preemptionPolicy === 'Never') return 'preemption: not eligible due to preemptionPolicy=Never.';
  const verdicts: Status[] = [];
  for (const status of statuses) {
    const reason = status.code === 'UnschedulableAndUnresolvable'
      ? 'Preemption is not helpful for scheduling'
      : 'No preemption victims found for incoming pod';
    verdicts.push({ code: status.code, reasons: [reason] });
  }
  return `preemption: ${nodesAvailableMessage(numAllNodes, verdicts)}`;
}

/**
 * The whole message of the PodScheduled=False condition and the FailedScheduling event.
 * A prefilter's reason is said once, not counted per node (FitError.Error since v1.28):
 * `0/2 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: …`.
 */
export function fitErrorMessage(pod: KubeObject, numAllNodes: number, statuses: Status[], preFilterMessage?: string): string {
  const nodes = preFilterMessage !== undefined
    ? `0/${numAllNodes} nodes are available: ${preFilterMessage}.`
    : nodesAvailableMessage(numAllNodes, statuses);
  return `${nodes} ${preemptionMessage(pod, numAllNodes, statuses)}`;
}
