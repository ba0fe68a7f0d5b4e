// Control-plane components, one at a time: each is a separate process, so
// students can see what its absence does and that the cluster catches up when
// it returns (https://kubernetes.io/docs/concepts/architecture/#control-plane-components).
//
// - scheduler gone: new pods stay Pending, with no node; placed when it returns;
// - controller manager gone: a deleted pod is not replaced and a scale-up does
//   nothing; when it returns it works from a fresh list and catches up.
//
// An implementation that runs these inside another process has no component to
// stop: the checks are skipped with the reason.

import { check } from '../../lib/check.ts';
import type { CheckContext } from '../../lib/context.ts';
import { podManifest, podNamespace, readyNodes, sleep, webContainer } from '../pods/support.ts';
import { createReplicaSet, describePods, listPods, ownedPods, replicaSetManifest, untilAvailable } from '../replicasets/support.ts';

const DOC = 'https://kubernetes.io/docs/concepts/architecture/#control-plane-components';
/** How long a missing component's work is watched for not happening. */
const QUIET_MS = 3000;

/** Stops a component for the rest of the check; it is started again at cleanup whatever happens. */
async function stopComponent(t: CheckContext, name: string): Promise<() => Promise<void>> {
  if (!t.cluster.components.includes(name)) {
    t.skip(`the implementation has no component named ${name} (kubelab.yaml components: ${t.cluster.components.join(', ') || 'none'})`);
  }
  let running = false;
  const start = async () => {
    if (running) return;
    running = true;
    await t.disrupt({ action: 'start-component', name });
  };
  t.onCleanup(start);
  await t.disrupt({ action: 'stop-component', name });
  return start;
}

check({
  id: 'failures.components.scheduler-down',
  title: 'With the scheduler stopped a new pod stays Pending with no node; it is placed once the scheduler is back',
  lab: 'failures', points: 2, cites: 'https://kubernetes.io/docs/concepts/scheduling-eviction/kube-scheduler/',
  needs: ['stop-component'], timeoutMs: 60_000,
}, async (t) => {
  await readyNodes(t);
  const namespace = await podNamespace(t);
  const startScheduler = await stopComponent(t, 'scheduler');
  t.step('create pod waiting');
  await t.core.createNamespacedPod({ namespace, body: podManifest('waiting', webContainer()) });
  await sleep(QUIET_MS);
  const pending = await t.core.readNamespacedPod({ name: 'waiting', namespace });
  if (pending.spec?.nodeName || pending.status?.phase !== 'Pending') {
    t.fail('the pod Pending with no spec.nodeName while no scheduler runs', `phase ${pending.status?.phase}, node ${pending.spec?.nodeName}`, [{ label: 'pod', value: pending }]);
  }
  await startScheduler();
  await t.eventually('the pod bound to a node and Running once the scheduler is back', async () => {
    const pod = await t.core.readNamespacedPod({ name: 'waiting', namespace });
    return pod.spec?.nodeName && pod.status?.phase === 'Running' ? true : undefined;
  }, { timeoutMs: 30_000 });
});

check({
  id: 'failures.components.controller-manager-down',
  title: 'With the controller manager stopped a deleted pod is not replaced and a scale-up does nothing; both happen once it is back',
  lab: 'failures', points: 3, cites: DOC, needs: ['stop-component'], timeoutMs: 90_000,
}, async (t) => {
  await readyNodes(t);
  const namespace = await podNamespace(t);
  const rs = await createReplicaSet(t, namespace, replicaSetManifest('orphaned', 1));
  const [pod] = await untilAvailable(t, namespace, rs, 1);
  const startControllers = await stopComponent(t, 'controller-manager');

  t.step(`delete pod ${pod.metadata!.name}; scale the ReplicaSet to 2`);
  await t.core.deleteNamespacedPod({ name: pod.metadata!.name!, namespace, gracePeriodSeconds: 0 });
  await t.apps.replaceNamespacedReplicaSetScale({ name: 'orphaned', namespace, body: { metadata: { name: 'orphaned', namespace }, spec: { replicas: 2 } } });
  await sleep(QUIET_MS);
  const meanwhile = ownedPods(await listPods(t, namespace), rs.metadata!.uid);
  if (meanwhile.length !== 0) {
    t.fail('no pods while the controller manager is stopped (nothing replaces the deleted one, nothing scales up)', describePods(meanwhile));
  }
  await startControllers();
  await untilAvailable(t, namespace, rs, 2, 40_000);
});
