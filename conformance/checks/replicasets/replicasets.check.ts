// ReplicaSets: a controller keeps spec.replicas pods alive. It owns its pods
// through an ownerReference with controller: true, replaces pods that go away,
// adopts orphans its selector matches, releases pods that stop matching,
// deletes the least valuable pods first, and reports what it sees in status.
// Source: https://kubernetes.io/docs/concepts/workloads/controllers/replicaset/
// and pkg/controller/replicaset/replica_set.go.

import * as k8s from '@kubernetes/client-node';
import { check } from '../../lib/check.ts';
import { httpProbe, isPodReady, podManifest, podNamespace, readyNodes, sleep, webContainer } from '../pods/support.ts';
import {
  createReplicaSet, describePods, listPods, NEVER_READY, ownedPods, replicaSetManifest, untilAvailable,
} from './support.ts';

const MERGE_PATCH = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);
const DOC = 'https://kubernetes.io/docs/concepts/workloads/controllers/replicaset/';

check({
  id: 'replicasets.replicas.creates-pods',
  title: 'A ReplicaSet creates spec.replicas pods from its template, each owned by it, and reports them in status',
  lab: 'replicasets', points: 3, cites: `${DOC}#how-a-replicaset-works`, concurrent: true,
}, async (t) => {
  await readyNodes(t);
  const namespace = await podNamespace(t);
  const rs = await createReplicaSet(t, namespace, replicaSetManifest('web', 3));
  const pods = await untilAvailable(t, namespace, rs, 3);
  for (const pod of pods) {
    const ref = pod.metadata!.ownerReferences!.find((r) => r.controller)!;
    // Pods are named <rs>-<5 random characters> through generateName (WEB replicaset.md example pod).
    if (!pod.metadata!.name!.startsWith('web-') || pod.metadata!.labels?.app !== 'web') {
      t.fail('each pod named web-<suffix> with the template labels', `${pod.metadata!.name} with labels ${JSON.stringify(pod.metadata!.labels)}`);
    }
    if (ref.kind !== 'ReplicaSet' || ref.apiVersion !== 'apps/v1' || ref.name !== 'web' || ref.blockOwnerDeletion !== true) {
      t.fail('an ownerReference {apiVersion: apps/v1, kind: ReplicaSet, name: web, controller: true, blockOwnerDeletion: true}', JSON.stringify(ref));
    }
  }
  const current = await t.apps.readNamespacedReplicaSet({ name: 'web', namespace });
  const s = current.status!;
  if (s.readyReplicas !== 3 || s.fullyLabeledReplicas !== 3 || s.observedGeneration !== current.metadata!.generation) {
    t.fail('status {replicas: 3, fullyLabeledReplicas: 3, readyReplicas: 3, availableReplicas: 3, observedGeneration: metadata.generation}',
      JSON.stringify(s), [{ label: 'ReplicaSet', value: current }]);
  }
});

check({
  id: 'replicasets.replicas.replaces-deleted-pod',
  title: 'A pod of a ReplicaSet that is deleted is replaced by a new pod',
  lab: 'replicasets', points: 3, cites: `${DOC}#how-a-replicaset-works`, concurrent: true,
}, async (t) => {
  await readyNodes(t);
  const namespace = await podNamespace(t);
  const rs = await createReplicaSet(t, namespace, replicaSetManifest('keeper', 2));
  const before = await untilAvailable(t, namespace, rs, 2);
  const victim = before[0].metadata!.name!;
  t.step(`delete pod ${victim}`);
  await t.core.deleteNamespacedPod({ name: victim, namespace });
  const after = await untilAvailable(t, namespace, rs, 2);
  if (after.some((p) => p.metadata!.name === victim)) t.fail(`pod ${victim} gone and a new pod in its place`, describePods(after));
});

// A pod being deleted no longer counts (IsPodActive: no deletionTimestamp, not Succeeded or Failed), so the
// controller replaces it while it is still Terminating, and status.replicas counts active pods only:
// FilterActivePods in pkg/controller/controller_utils.go, calculateStatus in
// pkg/controller/replicaset/replica_set_utils.go.
const UTILS = 'https://github.com/kubernetes/kubernetes/blob/master/pkg/controller/controller_utils.go';
const RS_UTILS = 'https://github.com/kubernetes/kubernetes/blob/master/pkg/controller/replicaset/replica_set_utils.go';
/** How long a deleted pod of this check stays Terminating: its container ignores SIGTERM and is killed only then. */
const LINGER_SECONDS = 30;
/** The replacement must come well before the old pod is gone; an implementation that waits for it misses this. */
const REPLACEMENT_WITHIN_MS = 20_000;

check({
  id: 'replicasets.replicas.replaces-terminating-pod',
  title: 'A pod of a ReplicaSet that is still Terminating no longer counts: its replacement is created at once, and status.replicas leaves it out',
  lab: 'replicasets', points: 3, cites: `${DOC}#how-a-replicaset-works; ${UTILS} (FilterActivePods, IsPodActive); ${RS_UTILS} (calculateStatus)`,
  concurrent: true, timeoutMs: 60_000,
}, async (t) => {
  await readyNodes(t);
  const namespace = await podNamespace(t);
  // kubelab/web with IGNORE_SIGTERM=1 keeps running on SIGTERM: its pod stays Terminating for the whole grace period.
  // It can ignore SIGTERM only once its program has loaded: the readiness probe (answered once it listens)
  // keeps a pod from being chosen and deleted before, when a SIGTERM would still end it at once.
  const lingering = {
    terminationGracePeriodSeconds: LINGER_SECONDS,
    containers: [webContainer({ IGNORE_SIGTERM: '1' }, { readinessProbe: httpProbe('/ready') })],
  };
  const rs = await createReplicaSet(t, namespace, replicaSetManifest('lingerer', 2, {}, lingering));
  const before = await untilAvailable(t, namespace, rs, 2);
  const victim = before[0].metadata!.name!;
  t.step(`delete pod ${victim}: it stays Terminating for up to ${LINGER_SECONDS} s`);
  await t.core.deleteNamespacedPod({ name: victim, namespace });

  // Two live pods, all available, and status.replicas 2 (not 3: the Terminating pod is not counted)
  // while the old pod is still there: the replacement did not wait for it.
  const after = await untilAvailable(t, namespace, rs, 2, REPLACEMENT_WITHIN_MS);
  const old = (await listPods(t, namespace)).find((p) => p.metadata!.name === victim);
  if (!old?.metadata?.deletionTimestamp) {
    t.fail(`a replacement while pod ${victim} is still Terminating (its grace period is ${LINGER_SECONDS} s)`,
      `pod ${victim} is already gone; pods now: ${describePods(after)}`, [],
      'a pod with a deletionTimestamp is not active: replace it as soon as the deletion is seen, not when the pod is gone');
  }
});

check({
  id: 'replicasets.replicas.scale',
  title: 'Scaling a ReplicaSet up and down through its scale subresource changes the number of its pods',
  lab: 'replicasets', points: 2, cites: `${DOC}#scaling-a-replicaset`, concurrent: true,
}, async (t) => {
  await readyNodes(t);
  const namespace = await podNamespace(t);
  const rs = await createReplicaSet(t, namespace, replicaSetManifest('scaled', 1));
  await untilAvailable(t, namespace, rs, 1);
  t.step('PATCH replicasets/scaled/scale {spec: {replicas: 3}}');
  await t.apps.patchNamespacedReplicaSetScale({ name: 'scaled', namespace, body: { spec: { replicas: 3 } } }, MERGE_PATCH);
  await untilAvailable(t, namespace, rs, 3);
  t.step('PATCH replicasets/scaled/scale {spec: {replicas: 1}}');
  await t.apps.patchNamespacedReplicaSetScale({ name: 'scaled', namespace, body: { spec: { replicas: 1 } } }, MERGE_PATCH);
  await untilAvailable(t, namespace, rs, 1);
});

check({
  id: 'replicasets.ownership.adopts-orphan',
  title: 'A ReplicaSet adopts a matching pod that has no controller, and removes the surplus starting with a pod that is not ready',
  lab: 'replicasets', points: 3, cites: `${DOC}#non-template-pod-acquisitions`, concurrent: true,
}, async (t) => {
  await readyNodes(t);
  const namespace = await podNamespace(t);
  const rs = await createReplicaSet(t, namespace, replicaSetManifest('adopter', 2));
  await untilAvailable(t, namespace, rs, 2);
  // A pod the user made, with the ReplicaSet's labels, that never turns ready: the least valuable of the three.
  t.step('create pod orphan with label app=adopter, never ready');
  await t.core.createNamespacedPod({ namespace, body: podManifest('orphan', webContainer({}, NEVER_READY), {}, { app: 'adopter' }) });
  // Scale-down order (ActivePodsWithRanks, pkg/controller/controller_utils.go): not ready before ready.
  await t.eventually('the orphan adopted (ownerReference to the ReplicaSet) and then deleted as the surplus', async () => {
    const orphan = (await listPods(t, namespace)).find((p) => p.metadata!.name === 'orphan');
    return !orphan || orphan.metadata!.deletionTimestamp ? true : undefined;
  }, { timeoutMs: 15_000, seen: async () => describePods(await listPods(t, namespace)) });
  const pods = await untilAvailable(t, namespace, rs, 2);
  if (pods.some((p) => !isPodReady(p))) t.fail('two ready pods kept', describePods(pods));
});

check({
  id: 'replicasets.ownership.releases-relabelled-pod',
  title: 'A pod relabelled out of a ReplicaSet\'s selector is released (its ownerReference removed) and replaced',
  lab: 'replicasets', points: 3, cites: `${DOC}#isolating-pods-from-a-replicaset`, concurrent: true,
}, async (t) => {
  await readyNodes(t);
  const namespace = await podNamespace(t);
  const rs = await createReplicaSet(t, namespace, replicaSetManifest('releaser', 2));
  const [pod] = await untilAvailable(t, namespace, rs, 2);
  const name = pod.metadata!.name!;
  t.step(`relabel pod ${name} app=debug`);
  await t.core.patchNamespacedPod({ name, namespace, body: { metadata: { labels: { app: 'debug' } } } }, MERGE_PATCH);
  await t.eventually(`pod ${name} to have no controller ownerReference`, async () => {
    const p = await t.core.readNamespacedPod({ name, namespace });
    return (p.metadata!.ownerReferences ?? []).some((r) => r.controller) ? undefined : true;
  }, { timeoutMs: 10_000 });
  const owned = await untilAvailable(t, namespace, rs, 2);
  if (owned.some((p) => p.metadata!.name === name)) t.fail(`pod ${name} no longer counted`, describePods(owned));
  const kept = await t.core.readNamespacedPod({ name, namespace });
  if (kept.metadata!.deletionTimestamp) t.fail(`the released pod ${name} left running`, 'it is being deleted');
});

check({
  id: 'replicasets.ownership.ignores-others-pods',
  title: 'A ReplicaSet ignores pods that another controller owns, even when its selector matches them',
  lab: 'replicasets', points: 2, cites: `${DOC}#non-template-pod-acquisitions`, concurrent: true,
}, async (t) => {
  await readyNodes(t);
  const namespace = await podNamespace(t);
  const first = await createReplicaSet(t, namespace, replicaSetManifest('narrow', 2, {}, {}, { app: 'shared', tier: 'a' }));
  await untilAvailable(t, namespace, first, 2);
  const second = await createReplicaSet(t, namespace, replicaSetManifest('wide', 1, {}, {}, { app: 'shared' }));
  await untilAvailable(t, namespace, second, 1);
  await sleep(1000);
  const all = (await listPods(t, namespace, 'app=shared')).filter((p) => !p.metadata!.deletionTimestamp);
  if (all.length !== 3 || ownedPods(all, first.metadata!.uid).length !== 2) {
    t.fail('3 pods: 2 owned by narrow, 1 owned by wide', describePods(all));
  }
});

check({
  id: 'replicasets.status.min-ready-seconds',
  title: 'A pod counts as available only after it has been ready for minReadySeconds',
  lab: 'replicasets', points: 2, cites: 'https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/replica-set-v1/#ReplicaSetSpec', concurrent: true,
}, async (t) => {
  await readyNodes(t);
  const namespace = await podNamespace(t);
  const rs = await createReplicaSet(t, namespace, replicaSetManifest('patient', 1, { minReadySeconds: 4 }));
  const readyButNotAvailable = await t.eventually('readyReplicas 1', async () => {
    const s = (await t.apps.readNamespacedReplicaSet({ name: 'patient', namespace })).status;
    return s?.readyReplicas === 1 ? s : undefined;
  }, { timeoutMs: 15_000 });
  if ((readyButNotAvailable.availableReplicas ?? 0) !== 0) {
    t.fail('availableReplicas 0 while the pod has been ready for less than minReadySeconds (4 s)', JSON.stringify(readyButNotAvailable));
  }
  // The pod turned ready at most a moment ago; availability must come by the clock alone, with no other change.
  await untilAvailable(t, namespace, rs, 1, 10_000);
});

check({
  id: 'replicasets.convergence.reapply-noop',
  title: 'Writing back a ReplicaSet unchanged changes nothing: same generation, same pods',
  lab: 'replicasets', points: 1, cites: 'https://kubernetes.io/docs/concepts/overview/working-with-objects/object-management/', concurrent: true,
}, async (t) => {
  await readyNodes(t);
  const namespace = await podNamespace(t);
  const rs = await createReplicaSet(t, namespace, replicaSetManifest('steady', 2));
  const before = (await untilAvailable(t, namespace, rs, 2)).map((p) => p.metadata!.name).sort();
  const current = await t.apps.readNamespacedReplicaSet({ name: 'steady', namespace });
  t.step('PUT the ReplicaSet as read');
  const written = await t.apps.replaceNamespacedReplicaSet({ name: 'steady', namespace, body: current });
  if (written.metadata!.generation !== current.metadata!.generation) {
    t.fail(`metadata.generation to stay ${current.metadata!.generation}`, String(written.metadata!.generation));
  }
  await sleep(1500);
  const after = ownedPods(await listPods(t, namespace), rs.metadata!.uid).map((p) => p.metadata!.name).sort();
  if (JSON.stringify(after) !== JSON.stringify(before)) t.fail(`the same pods ${before.join(', ')}`, after.join(', '));
});
