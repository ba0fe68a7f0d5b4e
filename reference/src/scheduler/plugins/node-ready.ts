// Filter NodeReady: no new pods on a node that is not Ready.
//
// kube-scheduler has no plugin by this name. In Kubernetes the node lifecycle
// controller taints a node whose Ready condition is False with
// node.kubernetes.io/not-ready:NoSchedule (Unknown: node.kubernetes.io/unreachable),
// and TaintToleration keeps pods away. A kubelab cluster may run without that
// controller (it is a later lab), so this plugin reads the Ready condition
// itself and answers as if the taint were there: same message, same toleration
// rule. A node that already carries the taint is left to TaintToleration.
// A node with no Ready condition yet counts as not ready (the kubelet registers
// nodes with the not-ready taint until its first status).

import { SUCCESS, unresolvable, type FilterPlugin, type NodeInfo, type PodInfo, type Status } from '../framework.ts';
import { toleratesTaint, untoleratedTaintReason, type Taint, type Toleration } from './taint-toleration.ts';

export const NOT_READY_TAINT: Taint = { key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' };
export const UNREACHABLE_TAINT: Taint = { key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' };

/** The taint the node controller would put on this node for its Ready condition, if any. */
export function impliedTaint(node: NodeInfo): Taint | undefined {
  if (node.ready === 'True') return undefined;
  return node.ready === 'Unknown' ? UNREACHABLE_TAINT : NOT_READY_TAINT;
}

export const nodeReady: FilterPlugin = {
  name: 'NodeReady',
  filter(pod: PodInfo, node: NodeInfo): Status {
    const taint = impliedTaint(node);
    if (!taint) return SUCCESS;
    const taints: Taint[] = node.node?.spec?.taints ?? [];
    if (taints.some((t) => t.key === taint.key && t.effect === taint.effect)) return SUCCESS; // TaintToleration's job
    const tolerations: Toleration[] = pod.pod.spec?.tolerations ?? [];
    if (tolerations.some((t) => toleratesTaint(t, taint))) return SUCCESS;
    return unresolvable(untoleratedTaintReason(taint));
  },
};
