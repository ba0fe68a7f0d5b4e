// Filter NodeUnschedulable (pkg/scheduler/framework/plugins/nodeunschedulable):
// a cordoned node (`kubectl cordon` sets spec.unschedulable: true) takes no new
// pods. Pods already there keep running: filters only decide new placements.
//
// A pod that tolerates the taint the node controller puts on cordoned nodes,
// node.kubernetes.io/unschedulable:NoSchedule, may still go there (DaemonSet
// pods carry that toleration).

import { SUCCESS, unresolvable, type FilterPlugin, type NodeInfo, type PodInfo, type Status } from '../framework.ts';
import { toleratesTaint, type Toleration } from './taint-toleration.ts';

export const UNSCHEDULABLE_TAINT = { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' } as const;

export const nodeUnschedulable: FilterPlugin = {
  name: 'NodeUnschedulable',
  filter(pod: PodInfo, node: NodeInfo): Status {
    if (!node.node?.spec?.unschedulable) return SUCCESS;
    const tolerations: Toleration[] = pod.pod.spec?.tolerations ?? [];
    if (tolerations.some((t) => toleratesTaint(t, UNSCHEDULABLE_TAINT))) return SUCCESS;
    return unresolvable('node(s) were unschedulable');
  },
};
