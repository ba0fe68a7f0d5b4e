// Helpers for the failures lab's checks: reading a node's state, and breaking a
// node (kill, stop) in a way that always puts it back for the checks after.

import type * as k8s from '@kubernetes/client-node';
import type { CheckContext } from '../../lib/context.ts';
import { condition, isReady, profileSeconds } from '../pods/support.ts';
import { describePods, listPods } from '../replicasets/support.ts';

export const NODE_DOC = 'https://kubernetes.io/docs/concepts/architecture/nodes/#node-controller';
export const EVICTION_DOC = 'https://kubernetes.io/docs/concepts/scheduling-eviction/taint-and-toleration/#taint-based-evictions';
export const UNREACHABLE = 'node.kubernetes.io/unreachable';
export const NOT_READY = 'node.kubernetes.io/not-ready';

/**
 * Tolerations of the unreachable and not-ready taints for `seconds`: those the API
 * server adds by default, written out so that a check does not depend on that admission.
 */
export function nodeLossTolerations(seconds: number): k8s.V1Toleration[] {
  return [UNREACHABLE, NOT_READY].map((key) => ({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: seconds }));
}

/**
 * The node to break among those hosting these pods: one the harness started, the
 * last by name, so checks that pin pods to the first node are spared. Skips the
 * check when no pod landed on a node the harness started.
 */
export function victimHost(t: CheckContext, pods: k8s.V1Pod[]): string {
  const hosts = pods.map((p) => p.spec?.nodeName).filter((n): n is string => !!n && t.cluster.nodes.includes(n)).sort();
  if (hosts.length === 0) t.skip('no pod landed on a node the harness started');
  return hosts[hosts.length - 1];
}

export function readyCondition(node: k8s.V1Node): k8s.V1NodeCondition | undefined {
  return (node.status?.conditions ?? []).find((c) => c.type === 'Ready');
}

export function hasTaint(node: k8s.V1Node, key: string, effect: string): boolean {
  return (node.spec?.taints ?? []).some((t) => t.key === key && t.effect === effect);
}

export function describeNode(node: k8s.V1Node | undefined): string {
  if (!node) return 'not read yet';
  const ready = readyCondition(node);
  const taints = (node.spec?.taints ?? []).map((t) => `${t.key}:${t.effect}`).join(', ') || 'none';
  return `Ready=${ready?.status ?? '-'} (${ready?.reason ?? ''}: ${ready?.message ?? ''}); taints: ${taints}`;
}

/** How long a killed node may take to be noticed: the grace period, a monitor period, and room for slow processes. */
export function noticeTimeoutMs(t: CheckContext): number {
  const grace = profileSeconds(t, 'nodeMonitorGracePeriodSeconds', 50);
  const period = profileSeconds(t, 'nodeMonitorPeriodSeconds', 5);
  return (grace + 2 * period + 10) * 1000;
}

/** A node the harness started, to kill; the last by name, so checks that pin pods to the first one are spared. */
export async function victimNode(t: CheckContext, nodes: k8s.V1Node[]): Promise<string> {
  const ours = nodes.map((n) => n.metadata!.name!).filter((name) => t.cluster.nodes.includes(name)).sort();
  if (ours.length === 0) t.skip('needs a Ready node the harness started');
  return ours[ours.length - 1];
}

/**
 * Kills the node and returns what starts it again. Whatever happens in the
 * check, the node is started again at the end (once), and the check waits
 * until its new agent is back, so the checks after this one have every node.
 */
export async function killNode(t: CheckContext, name: string): Promise<() => Promise<void>> {
  let back: Promise<unknown> | undefined;
  const restart = async () => {
    back ??= startNode(t, name);
    await back;
  };
  t.onCleanup(restart);
  await t.disrupt({ action: 'kill-node', name });
  return restart;
}

/** Starts the node and waits for its new agent: a Lease renewed after the start, Ready, and no unreachable or not-ready taint. */
export async function startNode(t: CheckContext, name: string): Promise<k8s.V1Node> {
  const since = Date.now();
  await t.disrupt({ action: 'start-node', name });
  return untilNodeBack(t, name, since);
}

/**
 * Hangs the node's agent (SIGSTOP) and returns what resumes it. Its containers
 * keep running: each leads its own process group. Whatever happens in the
 * check, the agent is resumed at the end (once), and the check waits until it
 * is back, so the checks after this one have every node.
 */
export async function stopNode(t: CheckContext, name: string): Promise<() => Promise<void>> {
  let back: Promise<unknown> | undefined;
  const resume = async () => {
    back ??= resumeNode(t, name);
    await back;
  };
  t.onCleanup(resume);
  await t.disrupt({ action: 'stop-node', name });
  return resume;
}

/** Resumes a hung agent (SIGCONT) and waits until it is back: a Lease renewed after the resume, Ready, and untainted. */
export async function resumeNode(t: CheckContext, name: string): Promise<k8s.V1Node> {
  const since = Date.now();
  await t.disrupt({ action: 'resume-node', name });
  return untilNodeBack(t, name, since);
}

/** Waits for the node's agent: a Lease renewed after `since`, Ready, and no unreachable or not-ready taint. */
export async function untilNodeBack(t: CheckContext, name: string, since: number): Promise<k8s.V1Node> {
  let node: k8s.V1Node | undefined;
  return t.eventually(`node ${name} back: its Lease renewed, Ready, and untainted`, async () => {
    const lease = await t.coordination.readNamespacedLease({ name, namespace: 'kube-node-lease' });
    const renewed = lease.spec?.renewTime ? new Date(lease.spec.renewTime as unknown as string).getTime() : 0;
    node = await t.core.readNode({ name });
    const tainted = [UNREACHABLE, NOT_READY].some((key) => hasTaint(node!, key, 'NoExecute') || hasTaint(node!, key, 'NoSchedule'));
    return renewed >= since && isReady(node) && !tainted ? node : undefined;
  }, { timeoutMs: noticeTimeoutMs(t) + 30_000, seen: () => describeNode(node) });
}

// ---- the DisruptionTarget pod condition ----
// Set on a pod about to be deleted for a disruption, before the delete
// (Kubernetes 1.26+, GA in 1.31):
// https://kubernetes.io/docs/concepts/workloads/pods/disruptions/#pod-disruption-conditions

export const DISRUPTION_DOC = 'https://kubernetes.io/docs/concepts/workloads/pods/disruptions/#pod-disruption-conditions';
/** pkg/controller/tainteviction/taint_eviction.go, addConditionAndDeletePod. */
export const TAINT_MANAGER_REASON = 'DeletionByTaintManager';
export const TAINT_MANAGER_MESSAGE = 'Taint manager: deleting due to NoExecute taint';
/** pkg/registry/core/pod/storage/eviction.go, addConditionAndDeletePod. */
export const EVICTION_API_REASON = 'EvictionByEvictionAPI';
export const EVICTION_API_MESSAGE = 'Eviction API: evicting';

export function disruptionTarget(pod: k8s.V1Pod): k8s.V1PodCondition | undefined {
  return (pod.status?.conditions ?? []).find((c) => c.type === 'DisruptionTarget');
}

export function hasDisruptionTarget(pod: k8s.V1Pod, reason: string, message: string): boolean {
  const c = disruptionTarget(pod);
  return c?.status === 'True' && c.reason === reason && c.message === message;
}

export function describeDisruptionTarget(pod: k8s.V1Pod): string {
  const c = disruptionTarget(pod);
  return c ? `DisruptionTarget=${c.status} reason ${c.reason ?? '-'}, message ${JSON.stringify(c.message ?? '')}` : 'no DisruptionTarget condition';
}

/**
 * The pods of a lost node, by name: first marked Ready=False (MarkPodsNotReady,
 * so Services stop sending them traffic), then deleted (Terminating) once their
 * toleration of `seconds` runs out. Returns them as last seen.
 */
export async function untilPodsEvicted(t: CheckContext, namespace: string, names: string[], node: string, seconds: number): Promise<k8s.V1Pod[]> {
  let current: k8s.V1Pod[] = [];
  const onNode = async () => (current = (await listPods(t, namespace)).filter((p) => names.includes(p.metadata!.name!)));
  await t.eventually(`the pods on ${node} marked Ready=False`, async () => {
    await onNode();
    return current.every((p) => condition(p, 'Ready') === 'False') ? true : undefined;
  }, { timeoutMs: 15_000, seen: () => describePods(current) });
  await t.eventually(`the pods on ${node} deleted (Terminating) once their ${seconds} s toleration ran out`, async () => {
    await onNode();
    return current.length === names.length && current.every((p) => p.metadata?.deletionTimestamp) ? true : undefined;
  }, { timeoutMs: (seconds + 20) * 1000, seen: () => describePods(current) });
  return current;
}
