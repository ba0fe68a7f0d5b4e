// Choosing a node for one pod: the scheduling algorithm, without any API calls
// (kube-scheduler: pkg/scheduler/schedule_one.go schedulePod).
//
//   0. prefilter  run the prefilter plugins once; a "no" turns down every node
//   1. filter   run the filter plugins on the nodes; keep the feasible ones
//   2. score    run the score plugins on the feasible nodes; weight and sum
//   3. select   the highest total wins; ties are broken at random
//
// If no node is feasible, the result is a FitError: each turned-down node's
// Status, from which fit-error.ts builds the Unschedulable message.

import { type NodeInfo, type PodInfo, type Profile, type Status } from './framework.ts';

export type ScheduleResult =
  | { nodeName: string; evaluatedNodes: number; feasibleNodes: number }
  | { fitError: { numAllNodes: number; statuses: Status[]; preFilterMessage?: string } };

/** Where the next pod starts looking: kube-scheduler rotates it so that the first nodes are not always tried first. */
export interface AlgorithmState {
  nextStartNodeIndex: number;
}

// In a big cluster the scheduler stops filtering once it has found "enough"
// feasible nodes and scores only those: a good node, found quickly, beats the
// best node found slowly (numFeasibleNodesToFind, percentageOfNodesToScore).
const MIN_FEASIBLE_NODES_TO_FIND = 100;
const MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND = 5;

export function numFeasibleNodesToFind(numAllNodes: number): number {
  if (numAllNodes < MIN_FEASIBLE_NODES_TO_FIND) return numAllNodes;
  // The adaptive default: 50% of 100 nodes, ~42% of 1,000, 5% from 5,625 nodes on.
  const percentage = Math.max(MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND, 50 - Math.floor(numAllNodes / 125));
  return Math.max(MIN_FEASIBLE_NODES_TO_FIND, Math.floor((numAllNodes * percentage) / 100));
}

/** Runs the filters on one node; the first plugin that says no decides (RunFilterPlugins). */
export function runFilters(profile: Profile, pod: PodInfo, node: NodeInfo): Status | undefined {
  for (const plugin of profile.filters) {
    const status = plugin.filter(pod, node);
    if (status.code !== 'Success') return status;
  }
  return undefined;
}

/** Step 1: the feasible nodes, and for the others the reason they were turned down. */
export function findNodesThatFit(profile: Profile, pod: PodInfo, nodes: NodeInfo[], state: AlgorithmState) {
  const wanted = numFeasibleNodesToFind(nodes.length);
  const feasible: NodeInfo[] = [];
  const statuses: Status[] = [];
  let evaluated = 0;
  for (; evaluated < nodes.length && feasible.length < wanted; evaluated++) {
    const node = nodes[(state.nextStartNodeIndex + evaluated) % nodes.length];
    const status = runFilters(profile, pod, node);
    if (status) statuses.push(status);
    else feasible.push(node);
  }
  state.nextStartNodeIndex = nodes.length ? (state.nextStartNodeIndex + evaluated) % nodes.length : 0;
  return { feasible, statuses, evaluated };
}

/** Step 2: every feasible node's weighted total over the score plugins (prioritizeNodes). */
export function prioritizeNodes(profile: Profile, pod: PodInfo, nodes: NodeInfo[]): number[] {
  const totals = new Array<number>(nodes.length).fill(0);
  const scores = new Array<number>(nodes.length);
  for (const { plugin, weight } of profile.scores) {
    for (let i = 0; i < nodes.length; i++) scores[i] = plugin.score(pod, nodes[i]);
    plugin.normalizeScores?.(pod, scores);
    for (let i = 0; i < nodes.length; i++) totals[i] += scores[i] * weight;
  }
  return totals;
}

// LAB(scheduler) begin: choose a node
/**
 * Step 3: the index of a highest score. Among equal scores each is chosen with
 * the same chance, in one pass: the k-th tie seen replaces the choice with
 * probability 1/k (reservoir sampling, as selectHost does).
 */
export function selectHost(scores: number[], random: () => number = Math.random): number {
  let best = -1;
  let ties = 0;
  for (let i = 0; i < scores.length; i++) {
    if (best < 0 || scores[i] > scores[best]) {
      best = i;
      ties = 1;
    } else if (scores[i] === scores[best]) {
      ties++;
      if (random() * ties < 1) best = i;
    }
  }
  return best;
}
// LAB end

/** The whole algorithm for one pod. `nodes` are the nodes the scheduler knows, pods on them included. */
export function schedulePod(profile: Profile, pod: PodInfo, nodes: NodeInfo[], state: AlgorithmState): ScheduleResult {
  // Step 0: every node gets the prefilter's Status (findNodesThatFitPod).
  for (const plugin of profile.preFilters ?? []) {
    const status = plugin.preFilter(pod);
    if (status.code !== 'Success') {
      return { fitError: { numAllNodes: nodes.length, statuses: nodes.map(() => status), preFilterMessage: status.reasons.join(', ') } };
    }
  }
  const { feasible, statuses, evaluated } = findNodesThatFit(profile, pod, nodes, state);
  if (feasible.length === 0) return { fitError: { numAllNodes: nodes.length, statuses } };
  // One feasible node needs no scoring.
  const chosen = feasible.length === 1 ? 0 : selectHost(prioritizeNodes(profile, pod, feasible));
  return { nodeName: feasible[chosen].name, evaluatedNodes: evaluated, feasibleNodes: feasible.length };
}
