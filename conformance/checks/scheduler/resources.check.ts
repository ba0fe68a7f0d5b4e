// Resources: the scheduler books the cpu a pod requests against what a node can
// give (status.allocatable minus the requests of the pods already there). A
// pod that fits nowhere stays Pending, and its PodScheduled condition and a
// FailedScheduling event say why, node by node.

import { check } from '../../lib/check.ts';
import type { CheckContext } from '../../lib/context.ts';
import {
  PodWatch, createPod, describePod, podManifest, podNamespace, readyNodes, schedulableNodes, webContainer,
} from '../pods/support.ts';

const CITES_FIT = 'https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/#how-pods-with-resource-requests-are-scheduled';
const HOSTNAME = 'kubernetes.io/hostname';
const CITES_MESSAGE = 'k8s.io/kubernetes/pkg/scheduler/framework/types.go (FitError.Error); k8s.io/kubernetes/pkg/scheduler/framework/plugins/noderesources/fit.go';

/** Millicores of a Kubernetes cpu quantity ("2", "1500m", "0.5"). */
function milliCpu(quantity: string | undefined): number {
  if (!quantity) return 0;
  if (quantity.endsWith('m')) return Number(quantity.slice(0, -1));
  return Math.round(Number(quantity) * 1000);
}

function unschedulableCondition(pod: any): any {
  return (pod?.status?.conditions ?? []).find((c: any) => c.type === 'PodScheduled' && c.status === 'False' && c.reason === 'Unschedulable');
}

/** Waits for PodScheduled False, reason Unschedulable; a pod bound to a node instead fails at once. */
async function waitUnschedulable(t: CheckContext, watch: PodWatch, what: string): Promise<any> {
  const pod = await watch.until(`${what}: PodScheduled False with reason Unschedulable`, (p) => !!unschedulableCondition(p) || !!p.spec?.nodeName, 15_000);
  if (pod.spec?.nodeName) t.fail(`${what}: Pending, bound to no node`, describePod(pod), [{ label: 'Pod status', value: pod.status }]);
  return pod;
}

check({
  id: 'scheduler.resources.insufficient-cpu',
  title: 'A pod that requests more cpu than any node has stays Pending: PodScheduled False, reason Unschedulable, "0/<N> nodes are available: … Insufficient cpu"',
  lab: 'scheduler', points: 3, cites: CITES_MESSAGE, concurrent: true,
}, async (t) => {
  await readyNodes(t);
  const namespace = await podNamespace(t);
  const watch = new PodWatch(t, namespace, 'greedy');
  await createPod(t, namespace, podManifest('greedy', webContainer({}, { resources: { requests: { cpu: '1000' } } })));
  const pod = await waitUnschedulable(t, watch, 'Pod greedy (1000 cpu)');
  const all = (await t.core.listNode()).items.length;
  const message: string = unschedulableCondition(pod).message ?? '';
  if (!message.startsWith(`0/${all} nodes are available`) || !message.includes('Insufficient cpu')) {
    t.fail(`a message starting "0/${all} nodes are available" (every node counted) and naming "Insufficient cpu"`, JSON.stringify(message),
      [{ label: 'Pod status', value: pod.status }], 'the message counts, over all nodes, why each one was turned down');
  }
  if (pod.spec?.nodeName || pod.status?.phase !== 'Pending') {
    t.fail('phase Pending and no spec.nodeName', describePod(pod), [{ label: 'Pod status', value: pod.status }]);
  }
});

check({
  id: 'scheduler.resources.failed-scheduling-event',
  title: 'The scheduler records a Warning event with reason FailedScheduling for a pod it cannot place',
  lab: 'scheduler', points: 1, cites: 'https://kubernetes.io/docs/tasks/debug/debug-application/debug-pods/#my-pod-stays-pending', concurrent: true,
}, async (t) => {
  await readyNodes(t);
  const namespace = await podNamespace(t);
  const watch = new PodWatch(t, namespace, 'greedy');
  await createPod(t, namespace, podManifest('greedy', webContainer({}, { resources: { requests: { cpu: '1000' } } })));
  await waitUnschedulable(t, watch, 'Pod greedy (1000 cpu)');
  let seen: any[] = [];
  await t.eventually('a Warning event FailedScheduling about Pod greedy', async () => {
    seen = (await t.core.listNamespacedEvent({ namespace })).items;
    return seen.some((e) => e.reason === 'FailedScheduling' && e.type === 'Warning' && e.involvedObject?.name === 'greedy'
      && e.involvedObject?.kind === 'Pod' && (e.message ?? '').includes('Insufficient cpu')) ? true : undefined;
  }, { timeoutMs: 10_000, seen: () => seen.length ? seen.map((e) => `${e.type} ${e.reason} ${e.involvedObject?.kind}/${e.involvedObject?.name}: ${e.message}`).join('\n') : 'no events in the namespace' });
});

check({
  id: 'scheduler.resources.requests-add-up',
  title: 'Requests add up: a second pod that needs 60% of a node\'s free cpu does not fit beside a first one, and is placed once the first is deleted',
  // It books a share of one node's free cpu: another check's pods bound there meanwhile would change what is free.
  lab: 'scheduler', points: 3, cites: CITES_FIT, exclusive: true,
}, async (t) => {
  // The first schedulable node is the one the placement checks never cordon or taint.
  const [target] = await schedulableNodes(t);
  if (!target) t.skip('needs a node that takes new pods (not cordoned, not tainted)');
  const namespace = await podNamespace(t);
  const name = target.metadata!.name!;
  const hostname = target.metadata?.labels?.[HOSTNAME];
  if (!hostname) t.skip(`node ${name} has no ${HOSTNAME} label to pin pods with`);
  const onNode = (await t.core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${name}` })).items
    .filter((p) => p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed');
  const requested = onNode.reduce((sum, p) => sum + (p.spec?.containers ?? []).reduce((s, c) => s + milliCpu(c.resources?.requests?.cpu as string | undefined), 0), 0);
  const free = milliCpu(target.status?.allocatable?.cpu) - requested;
  const each = Math.floor(free * 0.6);
  if (each < 10) t.skip(`node ${name} has too little free cpu (${free}m)`);
  const pinned = (podName: string) => podManifest(podName, webContainer({}, { resources: { requests: { cpu: `${each}m` } } }),
    { nodeSelector: { [HOSTNAME]: hostname }, terminationGracePeriodSeconds: 1 });

  const first = new PodWatch(t, namespace, 'first');
  await createPod(t, namespace, pinned('first'));
  const bound = await first.until(`Pod first (${each}m cpu) bound to node ${name}`, (p) => !!p.spec?.nodeName, 15_000);
  if (bound.spec.nodeName !== name) t.fail(`Pod first on node ${name} (its nodeSelector ${HOSTNAME}=${hostname})`, `on node ${bound.spec.nodeName}`);
  const second = new PodWatch(t, namespace, 'second');
  await createPod(t, namespace, pinned('second'));
  const pending = await waitUnschedulable(t, second, `Pod second (${each}m cpu) beside Pod first`);
  if (!unschedulableCondition(pending).message?.includes('Insufficient cpu')) {
    t.fail('a message naming "Insufficient cpu"', JSON.stringify(unschedulableCondition(pending).message), [{ label: 'Pod second status', value: pending.status }],
      'the requests of the pods already bound to a node count against its allocatable');
  }
  t.step('DELETE Pod first');
  await t.core.deleteNamespacedPod({ name: 'first', namespace, gracePeriodSeconds: 0 });
  const placed = await second.until(`Pod second bound to a node once Pod first is gone`, (p) => !!p.spec?.nodeName, 15_000);
  if (placed.spec.nodeName !== name) t.fail(`Pod second on node ${name} (its nodeSelector ${HOSTNAME}=${hostname})`, `on node ${placed.spec.nodeName}`);
});
