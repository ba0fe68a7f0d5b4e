// Filter NodeResourcesFit (pkg/scheduler/framework/plugins/noderesources/fit.go):
// the pod's requests must fit into what the node can still give:
//
//   pod's request  ≤  node's allocatable − requests of the pods already on it
//
// for cpu and memory, and one more pod must not exceed the node's `pods`
// allocatable (110 on a default kubelet). Requests, never limits or actual use:
// the scheduler books capacity, it does not measure it.
//
// Every shortage is reported, so one node can count as both "Insufficient cpu"
// and "Insufficient memory". Removing other pods would make room: these
// reasons are Unschedulable (preemption could help), not Unresolvable.

import { SUCCESS, unschedulable, type FilterPlugin, type NodeInfo, type PodInfo, type Status } from '../framework.ts';

export const nodeResourcesFit: FilterPlugin = {
  name: 'NodeResourcesFit',
  filter(pod: PodInfo, node: NodeInfo): Status {
    const reasons: string[] = [];
    // LAB(scheduler) begin: does the pod fit? (fit.go fitsRequest)
    if (node.pods.size + 1 > node.allocatable.pods) reasons.push('Too many pods');
    const { milliCpu, memory } = pod.requests;
    if (milliCpu > 0 && milliCpu > node.allocatable.milliCpu - node.requested.milliCpu) reasons.push('Insufficient cpu');
    if (memory > 0 && memory > node.allocatable.memory - node.requested.memory) reasons.push('Insufficient memory');
    // LAB end
    return reasons.length ? unschedulable(...reasons) : SUCCESS;
  },
};
