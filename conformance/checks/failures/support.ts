// Helpers for the failures lab's checks: reading a node's state, and breaking a
// node (kill, stop) in a way that always puts it back for the checks after.

import type * as k8s from '@kubernetes/client-node';
import type { CheckContext } from '../../lib/context.ts';
import { isReady, profileSeconds } from '../pods/support.ts';

export const NODE_DOC = 'https://kubernetes.io/docs/concepts/architecture/nodes/#node-controller';
export const EVICTION_DOC = 'https://kubernetes.io/docs/concepts/scheduling-eviction/taint-and-toleration/#taint-based-evictions';
export const UNREACHABLE = 'node.kubernetes.io/unreachable';
export const NOT_READY = 'node.kubernetes.io/not-ready';

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
  let node: k8s.V1Node | undefined;
  return t.eventually(`node ${name} back: its Lease renewed, Ready, and untainted`, async () => {
    const lease = await t.coordination.readNamespacedLease({ name, namespace: 'kube-node-lease' });
    const renewed = lease.spec?.renewTime ? new Date(lease.spec.renewTime as unknown as string).getTime() : 0;
    node = await t.core.readNode({ name });
    const tainted = [UNREACHABLE, NOT_READY].some((key) => hasTaint(node!, key, 'NoExecute') || hasTaint(node!, key, 'NoSchedule'));
    return renewed >= since && isReady(node) && !tainted ? node : undefined;
  }, { timeoutMs: noticeTimeoutMs(t) + 30_000, seen: () => describeNode(node) });
}
