// The scheduling framework: what a plugin is, and what a plugin is given.
//
// kube-scheduler runs every pod through named plugins at fixed extension
// points (pkg/scheduler/framework/interface.go). kubelab keeps three of them:
//
//   preFilter "can this pod run anywhere yet?" → a Status, once per pod; a
//           "no" turns every node down at once (a claim not bound yet);
//   filter  "can this pod run on this node?"   → a Status: success, or the
//           reasons in words ("Insufficient cpu"); one plugin, one reason to say no;
//   score   "how much does this pod like this node?" → 0..100, times the
//           plugin's weight, summed over plugins; the highest total wins.
//
// Plugins never call the API: they read a NodeInfo (the node, the pods on it,
// and the sums of their requests), which the scheduler's cache keeps up to
// date, or another of the scheduler's informers (VolumeBinding reads claims).
// Adding a plugin touches nothing but the list in default-plugins.ts.

import type { KubeObject } from '../api/types.ts';
import { milliCpu, wholeUnits } from '../api/quantity.ts';

// ---- Status: a filter's answer -------------------------------------------

/**
 * Unschedulable: the node might fit if other pods went away (preemption could help).
 * UnschedulableAndUnresolvable: no preemption helps (wrong labels, a taint, a cordon).
 */
export type Code = 'Success' | 'Unschedulable' | 'UnschedulableAndUnresolvable';

export interface Status {
  code: Code;
  /** Why not, in words: these strings are counted into the Unschedulable message. */
  reasons: string[];
}

export const SUCCESS: Status = Object.freeze({ code: 'Success', reasons: [] }) as Status;

export function unschedulable(...reasons: string[]): Status {
  return { code: 'Unschedulable', reasons };
}

export function unresolvable(...reasons: string[]): Status {
  return { code: 'UnschedulableAndUnresolvable', reasons };
}

// ---- Plugins --------------------------------------------------------------

export interface PreFilterPlugin {
  name: string;
  preFilter(pod: PodInfo): Status;
}

export interface FilterPlugin {
  name: string;
  filter(pod: PodInfo, node: NodeInfo): Status;
}

export interface ScorePlugin {
  name: string;
  /** A score for one feasible node: 0..100 unless normalizeScores rescales it. */
  score(pod: PodInfo, node: NodeInfo): number;
  /**
   * Optional second pass over all feasible nodes' scores (kube-scheduler's
   * ScoreExtensions.NormalizeScore), for plugins whose score only means
   * something relative to the other nodes, such as "fewest replicas here".
   */
  normalizeScores?(pod: PodInfo, scores: number[]): void;
}

/** The plugins a scheduler runs, in order, and each score plugin's weight (a scheduler profile). */
export interface Profile {
  preFilters?: PreFilterPlugin[];
  filters: FilterPlugin[];
  scores: { plugin: ScorePlugin; weight: number }[];
}

/** kube-scheduler's MaxNodeScore. */
export const MAX_NODE_SCORE = 100;

// ---- PodInfo: a pod with its requests added up once -------------------------

export interface Resources {
  milliCpu: number;
  memory: number;
}

export interface PodInfo {
  /** "namespace/name" */
  key: string;
  pod: KubeObject;
  /** What the pod asks for: what must fit into the node's allocatable. */
  requests: Resources;
  /** The same, with a floor for containers that ask for nothing (used for scoring only). */
  nonZeroRequests: Resources;
  /** Pods of one workload share a spread key and are spread across nodes (plugins/spread.ts). */
  spreadKey?: number;
}

// Containers without requests still use something: for scoring only, count them
// as 100m cpu and 200Mi memory, so that best-effort pods spread out too
// (pkg/scheduler/util/pod_resources.go DefaultMilliCPURequest, DefaultMemoryRequest).
const DEFAULT_MILLI_CPU = 100;
const DEFAULT_MEMORY = 200 * 1024 * 1024;

function containerRequests(container: any, floor: boolean): Resources {
  // Kubernetes defaults a missing request to the limit when the limit is set.
  const requests = container?.resources?.requests ?? {};
  const limits = container?.resources?.limits ?? {};
  const cpu = requests.cpu ?? limits.cpu;
  const memory = requests.memory ?? limits.memory;
  return {
    milliCpu: cpu !== undefined ? milliCpu(cpu) : floor ? DEFAULT_MILLI_CPU : 0,
    memory: memory !== undefined ? wholeUnits(memory) : floor ? DEFAULT_MEMORY : 0,
  };
}

/**
 * What a pod requests (k8s.io/component-helpers/resource PodRequests): the sum over
 * its containers and sidecars, or more if one init container alone needs more
 * (init containers run one at a time, before the others), plus the pod overhead.
 */
export function podRequests(pod: KubeObject, floor = false): Resources {
  const total: Resources = { milliCpu: 0, memory: 0 };
  for (const c of pod.spec?.containers ?? []) add(total, containerRequests(c, floor));
  // Sidecars (init containers with restartPolicy Always) keep running beside the others.
  const sidecars: Resources = { milliCpu: 0, memory: 0 };
  const initPeak: Resources = { milliCpu: 0, memory: 0 };
  for (const c of pod.spec?.initContainers ?? []) {
    const r = containerRequests(c, floor);
    if (c.restartPolicy === 'Always') {
      add(sidecars, r);
      max(initPeak, sidecars);
    } else {
      max(initPeak, { milliCpu: r.milliCpu + sidecars.milliCpu, memory: r.memory + sidecars.memory });
    }
  }
  add(total, sidecars);
  max(total, initPeak);
  const overhead = pod.spec?.overhead;
  if (overhead?.cpu) total.milliCpu += milliCpu(overhead.cpu);
  if (overhead?.memory) total.memory += wholeUnits(overhead.memory);
  return total;
}

function add(into: Resources, r: Resources): void {
  into.milliCpu += r.milliCpu;
  into.memory += r.memory;
}

function max(into: Resources, r: Resources): void {
  into.milliCpu = Math.max(into.milliCpu, r.milliCpu);
  into.memory = Math.max(into.memory, r.memory);
}

/** A pod's controller (ownerReferences[controller=true]), or else its exact labels: what "replicas of one workload" means here. */
function workloadOf(pod: KubeObject): string | undefined {
  const ns = pod.metadata.namespace ?? '';
  const owner = pod.metadata.ownerReferences?.find((o) => o.controller);
  if (owner) return `${ns}/owner/${owner.uid}`;
  const labels = pod.metadata.labels;
  if (!labels || Object.keys(labels).length === 0) return undefined;
  return `${ns}/labels/${Object.keys(labels).sort().map((k) => `${k}=${labels[k]}`).join(',')}`;
}

// The spread score looks a pod's workload up on every feasible node; a small
// number is several times faster to look up than a long string. Each workload
// ever seen keeps its number (a few bytes each).
const spreadKeys = new Map<string, number>();

function spreadKeyOf(pod: KubeObject): number | undefined {
  const workload = workloadOf(pod);
  if (workload === undefined) return undefined;
  let key = spreadKeys.get(workload);
  if (key === undefined) {
    key = spreadKeys.size;
    spreadKeys.set(workload, key);
  }
  return key;
}

/** Computes a pod's requests once, so no plugin parses quantities per node. */
export function newPodInfo(pod: KubeObject): PodInfo {
  return {
    key: `${pod.metadata.namespace}/${pod.metadata.name}`,
    pod,
    requests: podRequests(pod),
    nonZeroRequests: podRequests(pod, true),
    spreadKey: spreadKeyOf(pod),
  };
}

// ---- NodeInfo: a node and what is already on it ----------------------------

export interface Allocatable extends Resources {
  pods: number;
}

export class NodeInfo {
  /** Undefined while pods bound to this name are known but the Node object is not (or is gone). */
  node?: KubeObject;
  readonly name: string;
  allocatable: Allocatable = { milliCpu: 0, memory: 0, pods: 0 };
  /** The status of the node's Ready condition ('True', 'False', 'Unknown'; undefined: none yet), read once per change of the Node. */
  ready?: string;
  /** The pods on this node, assumed ones included (keyed "namespace/name"). */
  readonly pods = new Map<string, PodInfo>();
  readonly requested: Resources = { milliCpu: 0, memory: 0 };
  readonly nonZeroRequested: Resources = { milliCpu: 0, memory: 0 };
  /** How many pods of each spread key are here (plugins/spread.ts reads it). */
  readonly spreadCounts = new Map<number, number>();

  constructor(name: string) {
    this.name = name;
  }

  setNode(node: KubeObject): void {
    this.node = node;
    this.ready = (node.status?.conditions ?? []).find((c: any) => c.type === 'Ready')?.status;
    // A node without status.allocatable offers its capacity (SetDefaults_NodeStatus).
    const a = node.status?.allocatable ?? node.status?.capacity ?? {};
    this.allocatable = {
      milliCpu: a.cpu !== undefined ? milliCpu(a.cpu) : 0,
      memory: a.memory !== undefined ? wholeUnits(a.memory) : 0,
      pods: a.pods !== undefined ? wholeUnits(a.pods) : 0,
    };
  }

  addPod(info: PodInfo): void {
    this.pods.set(info.key, info);
    this.update(info, 1);
  }

  removePod(key: string): void {
    const info = this.pods.get(key);
    if (!info) return;
    this.pods.delete(key);
    this.update(info, -1);
  }

  private update(info: PodInfo, sign: 1 | -1): void {
    this.requested.milliCpu += sign * info.requests.milliCpu;
    this.requested.memory += sign * info.requests.memory;
    this.nonZeroRequested.milliCpu += sign * info.nonZeroRequests.milliCpu;
    this.nonZeroRequested.memory += sign * info.nonZeroRequests.memory;
    if (info.spreadKey !== undefined) {
      const n = (this.spreadCounts.get(info.spreadKey) ?? 0) + sign;
      if (n > 0) this.spreadCounts.set(info.spreadKey, n);
      else this.spreadCounts.delete(info.spreadKey);
    }
  }
}
