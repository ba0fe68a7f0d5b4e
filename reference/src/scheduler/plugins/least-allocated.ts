// Score NodeResourcesFit with the LeastAllocated strategy, kube-scheduler's
// default (pkg/scheduler/framework/plugins/noderesources/least_allocated.go):
// prefer the node that would have the most room left once the pod is on it,
// which spreads load across the cluster.
//
//   per resource:  (allocatable − requested) × 100 / allocatable
//   score:         the mean over cpu and memory
//
// "requested" counts the pods already there plus this one, with the floor for
// containers that request nothing (100m cpu, 200Mi memory), so that even
// best-effort pods spread out instead of piling onto one node.

import { MAX_NODE_SCORE, type NodeInfo, type PodInfo, type ScorePlugin } from '../framework.ts';

// LAB(scheduler) begin: the least-allocated score
/** The share of capacity left free, 0..100; 0 when the request is more than the capacity. */
export function leastRequestedScore(requested: number, capacity: number): number {
  if (capacity === 0 || requested > capacity) return 0;
  return Math.floor(((capacity - requested) * MAX_NODE_SCORE) / capacity);
}

export const leastAllocated: ScorePlugin = {
  name: 'NodeResourcesLeastAllocated',
  score(pod: PodInfo, node: NodeInfo): number {
    const { allocatable, nonZeroRequested } = node;
    let sum = 0;
    let counted = 0;
    // A resource the node does not have at all is left out of the mean (each resource weighs 1).
    if (allocatable.milliCpu > 0) {
      sum += leastRequestedScore(nonZeroRequested.milliCpu + pod.nonZeroRequests.milliCpu, allocatable.milliCpu);
      counted++;
    }
    if (allocatable.memory > 0) {
      sum += leastRequestedScore(nonZeroRequested.memory + pod.nonZeroRequests.memory, allocatable.memory);
      counted++;
    }
    return counted === 0 ? 0 : Math.floor(sum / counted);
  },
};
// LAB end
