// Is a node's agent still alive? The node lifecycle controller decides from two
// heartbeats the agent sends: its Lease in kube-node-lease (renewTime) and the
// lastHeartbeatTime of the Ready condition in the Node's status
// (tryUpdateNodeHealth in pkg/controller/nodelifecycle/node_lifecycle_controller.go).

import type { KubeObject } from '../../api/types.ts';
import type { Profile } from '../../config/profile.ts';

export interface NodeCondition {
  type: string;
  status: string;
  lastHeartbeatTime?: string;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

/** The conditions a lost node's agent can no longer vouch for. */
export const WATCHED_CONDITIONS = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'];

export function conditionOf(node: KubeObject, type: string): NodeCondition | undefined {
  return (node.status?.conditions ?? []).find((c: NodeCondition) => c.type === type);
}

function ms(time: string | null | undefined): number {
  return time ? Date.parse(time) || 0 : 0;
}

export type NodeHealth =
  | { alive: true; staleInMs: number }
  | { alive: false; neverPosted: boolean };

// LAB(failures) begin: deciding a node's health from its heartbeats
/**
 * A node is alive while its latest heartbeat (Lease renewal or status post) is
 * younger than nodeMonitorGracePeriod. A node that never posted a Ready
 * condition gets nodeStartupGracePeriod from its creation instead, so a slow
 * first start is not taken for a death.
 *
 * Kubernetes times heartbeats by its own clock, noting when it saw each one
 * change (probeTimestamp); here the timestamps the agent wrote are compared
 * with this clock directly, which is the same thing on one machine.
 */
export function nodeHealth(node: KubeObject, lease: KubeObject | undefined, profile: Profile, now = Date.now()): NodeHealth {
  const ready = conditionOf(node, 'Ready');
  const neverPosted = !ready;
  const lastHeartbeat = Math.max(
    ms(lease?.spec?.renewTime),
    ms(ready?.lastHeartbeatTime),
    neverPosted ? ms(node.metadata.creationTimestamp) : 0,
  );
  const grace = (neverPosted ? profile.nodeStartupGracePeriodSeconds : profile.nodeMonitorGracePeriodSeconds) * 1000;
  const staleInMs = lastHeartbeat + grace - now;
  return staleInMs > 0 ? { alive: true, staleInMs } : { alive: false, neverPosted };
}

/**
 * The conditions of a node whose agent went silent: each watched condition
 * Unknown, its heartbeat kept (it is the agent's last word), its transition
 * now. Conditions already Unknown are left as they are.
 */
export function unknownConditions(node: KubeObject, neverPosted: boolean, now: string): NodeCondition[] {
  const reason = neverPosted ? 'NodeStatusNeverUpdated' : 'NodeStatusUnknown';
  const message = neverPosted ? 'Kubelet never posted node status.' : 'Kubelet stopped posting node status.';
  const old: NodeCondition[] = node.status?.conditions ?? [];
  const others = old.filter((c) => !WATCHED_CONDITIONS.includes(c.type));
  const watched = WATCHED_CONDITIONS.map((type): NodeCondition => {
    const current = old.find((c) => c.type === type);
    if (current?.status === 'Unknown') return current;
    return { type, status: 'Unknown', lastHeartbeatTime: current?.lastHeartbeatTime ?? now, lastTransitionTime: now, reason, message };
  });
  return [...watched, ...others];
}
// LAB end
