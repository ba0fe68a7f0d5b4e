// A node that stops sending heartbeats: the node lifecycle controller marks it
// Unknown and taints it unreachable; the taint eviction controller then deletes
// its pods once their toleration runs out, and their ReplicaSet replaces them
// on the nodes that are left.
// Sources: https://kubernetes.io/docs/concepts/architecture/nodes/#node-controller,
// https://kubernetes.io/docs/concepts/scheduling-eviction/taint-and-toleration/#taint-based-evictions,
// pkg/controller/nodelifecycle/node_lifecycle_controller.go, pkg/controller/tainteviction/taint_eviction.go.

import type * as k8s from '@kubernetes/client-node';
import { check } from '../../lib/check.ts';
import type { CheckContext } from '../../lib/context.ts';
import { describePod, podNamespace, profileSeconds, readyNodes } from '../pods/support.ts';
import {
  EVICTION_DOC, NODE_DOC, TAINT_MANAGER_MESSAGE, TAINT_MANAGER_REASON, UNREACHABLE, describeDisruptionTarget, describeNode,
  hasDisruptionTarget, hasTaint, killNode, nodeLossTolerations, noticeTimeoutMs, readyCondition, untilPodsEvicted, victimHost, victimNode,
} from './support.ts';
import { createReplicaSet, describePods, replicaSetManifest, untilAvailable } from '../replicasets/support.ts';

check({
  id: 'failures.nodes.unreachable',
  title: 'A killed node turns Ready Unknown and is tainted unreachable; the taint goes when it comes back',
  lab: 'failures', points: 3, cites: NODE_DOC, needs: ['kill-node'], timeoutMs: 150_000,
}, async (t) => {
  const nodes = await readyNodes(t);
  const name = await victimNode(t, nodes);
  const grace = profileSeconds(t, 'nodeMonitorGracePeriodSeconds', 50);
  const restart = await killNode(t, name);

  let node: k8s.V1Node | undefined;
  node = await t.eventually(`node ${name} Ready=Unknown with taints ${UNREACHABLE}:NoExecute and :NoSchedule (grace period ${grace} s)`, async () => {
    node = await t.core.readNode({ name });
    const ready = readyCondition(node);
    return ready?.status === 'Unknown' && hasTaint(node, UNREACHABLE, 'NoExecute') && hasTaint(node, UNREACHABLE, 'NoSchedule') ? node : undefined;
  }, { timeoutMs: noticeTimeoutMs(t), seen: () => describeNode(node) });

  const ready = readyCondition(node)!;
  if (ready.reason !== 'NodeStatusUnknown' || ready.message !== 'Kubelet stopped posting node status.') {
    t.fail('Ready: reason NodeStatusUnknown, message "Kubelet stopped posting node status."', describeNode(node), [{ label: 'node', value: node }]);
  }
  for (const type of ['MemoryPressure', 'DiskPressure', 'PIDPressure']) {
    const c = (node.status?.conditions ?? []).find((x) => x.type === type);
    if (c && c.status !== 'Unknown') t.fail(`${type} Unknown too`, `${type}=${c.status}`, [{ label: 'node', value: node }]);
  }
  t.step(`node ${name}: ${describeNode(node)}`);

  await restart();
  t.step(`node ${name} is back: Ready, untainted`);
});

check({
  id: 'failures.nodes.pods-evicted',
  title: "The pods of a killed node are evicted when their toleration runs out and replaced on other nodes",
  lab: 'failures', points: 4, cites: EVICTION_DOC, needs: ['kill-node'], timeoutMs: 180_000,
}, async (t) => {
  const nodes = await readyNodes(t);
  if (nodes.length < 2) t.skip('needs at least two Ready nodes');
  const namespace = await podNamespace(t);
  const seconds = profileSeconds(t, 'defaultTolerationSeconds', 300);
  const rs = await createReplicaSet(t, namespace, replicaSetManifest('survivors', 3, {}, { tolerations: nodeLossTolerations(seconds) }));
  const pods = await untilAvailable(t, namespace, rs, 3, 30_000);
  await evictFrom(t, namespace, rs, victimHost(t, pods), pods, seconds);
});

async function evictFrom(t: CheckContext, namespace: string, rs: k8s.V1ReplicaSet, name: string, pods: k8s.V1Pod[], seconds: number): Promise<void> {
  const victims = pods.filter((p) => p.spec?.nodeName === name).map((p) => p.metadata!.name!);
  t.step(`pods on node ${name}: ${victims.join(', ')}; the others: ${pods.filter((p) => p.spec?.nodeName !== name).map((p) => `${p.metadata!.name} on ${p.spec?.nodeName}`).join(', ')}`);
  const restart = await killNode(t, name);

  let node: k8s.V1Node | undefined;
  await t.eventually(`node ${name} tainted ${UNREACHABLE}:NoExecute`, async () => {
    node = await t.core.readNode({ name });
    return hasTaint(node, UNREACHABLE, 'NoExecute') ? true : undefined;
  }, { timeoutMs: noticeTimeoutMs(t), seen: () => describeNode(node) });
  const tainted = Date.now();
  t.step(`node ${name} tainted unreachable; its pods tolerate that for ${seconds} s`);

  // Before eviction the pods stop being Ready (MarkPodsNotReady), so Services stop sending them traffic.
  const current = await untilPodsEvicted(t, namespace, victims, name, seconds);
  const waited = (Date.now() - tainted) / 1000;
  // Seen after the taint and polled: the wait seen can only be shorter than the real one, by a poll or so.
  if (waited < seconds - 1) {
    t.fail(`the pods deleted no sooner than ${seconds} s after the taint`, `deleted after ${waited.toFixed(1)} s`, [{ label: 'pods', value: current }]);
  }
  t.step(`pods on ${name} Terminating ${waited.toFixed(1)} s after the taint: ${current.map((p) => `${p.metadata!.name} ${describePod(p)}`).join('; ')}`);

  // Before deleting a pod the taint eviction controller marks it DisruptionTarget=True (Kubernetes 1.26+, GA in 1.31):
  // https://kubernetes.io/docs/concepts/workloads/pods/disruptions/#pod-disruption-conditions,
  // addConditionAndDeletePod in pkg/controller/tainteviction/taint_eviction.go.
  const unmarked = current.filter((p) => !hasDisruptionTarget(p, TAINT_MANAGER_REASON, TAINT_MANAGER_MESSAGE));
  if (unmarked.length > 0) {
    t.fail(`the deleted pods with condition DisruptionTarget=True, reason ${TAINT_MANAGER_REASON}, message "${TAINT_MANAGER_MESSAGE}"`,
      unmarked.map((p) => `${p.metadata!.name}: ${describeDisruptionTarget(p)}`).join('; '), [{ label: 'pods', value: unmarked }],
      'the taint eviction controller writes the condition through the pod status before its DELETE');
  }

  const replaced = await untilAvailable(t, namespace, rs, 3, 30_000);
  const misplaced = replaced.filter((p) => p.spec?.nodeName === name);
  if (misplaced.length > 0) t.fail(`the replacements on nodes other than ${name}`, describePods(replaced), [{ label: 'pods', value: replaced }]);
  t.step(`back to 3 available: ${replaced.map((p) => `${p.metadata!.name} on ${p.spec?.nodeName}`).join(', ')}`);

  await restart();
}
