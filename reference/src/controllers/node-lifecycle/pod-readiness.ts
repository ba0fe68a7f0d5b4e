// A pod on a node that is not Ready cannot be trusted to serve: its Ready
// condition is set False by the controller, since its own agent cannot
// (MarkPodsNotReady in pkg/controller/util/node/controller_utils.go).
// The endpoints controllers then move it out of the Services' ready addresses.

import type { KubeObject } from '../../api/types.ts';

/** The pod with Ready=False, or undefined when it is not Ready already. */
export function markPodNotReady(pod: KubeObject, now: string): KubeObject | undefined {
  const conditions: { type: string; status: string; lastTransitionTime?: string }[] = pod.status?.conditions ?? [];
  const ready = conditions.find((c) => c.type === 'Ready');
  if (!ready || ready.status === 'False') return undefined;
  const updated = conditions.map((c) => (c.type === 'Ready' ? { ...c, status: 'False', lastTransitionTime: now } : c));
  return { ...pod, status: { ...pod.status, conditions: updated } };
}
