// Score Spread: replicas of one workload go to different nodes, so that losing
// a node loses few of them. This is what kube-scheduler's default spreading
// does: SelectorSpread in older releases, now PodTopologySpread's system
// default constraint on kubernetes.io/hostname
// (pkg/scheduler/framework/plugins/selectorspread, podtopologyspread).
//
// "Same workload" here: the same controller (ownerReferences with
// controller: true, e.g. one ReplicaSet), or, for pods without one, exactly
// the same labels in the same namespace. Kubernetes finds them through the
// selectors of the Services and controllers that select the pod.
//
// The score is relative, so it takes two steps (Score, then NormalizeScore):
//   score:      how many such pods are already on the node
//   normalize:  100 × (most on any feasible node − on this node) / most
// The node with the fewest gets 100; with none anywhere, all get 100.

import { MAX_NODE_SCORE, type NodeInfo, type PodInfo, type ScorePlugin } from '../framework.ts';

export const spread: ScorePlugin = {
  name: 'Spread',
  score(pod: PodInfo, node: NodeInfo): number {
    return pod.spreadKey === undefined ? 0 : node.spreadCounts.get(pod.spreadKey) ?? 0;
  },
  normalizeScores(_pod: PodInfo, scores: number[]): void {
    let most = 0;
    for (const s of scores) most = Math.max(most, s);
    for (let i = 0; i < scores.length; i++) {
      scores[i] = most === 0 ? MAX_NODE_SCORE : Math.floor((MAX_NODE_SCORE * (most - scores[i])) / most);
    }
  },
};
