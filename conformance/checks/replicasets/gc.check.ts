// Garbage collection: what deleting a ReplicaSet does to its pods. Pods name
// their ReplicaSet in ownerReferences; the DELETE's propagationPolicy says
// what happens to them: Background (kubectl's default) deletes the
// ReplicaSet at once and the garbage collector deletes the pods after it;
// Foreground keeps the ReplicaSet, with finalizer foregroundDeletion, until
// its pods are gone; Orphan (kubectl delete --cascade=orphan) leaves the pods
// running with the reference removed. A pod whose owner does not exist is
// collected. Source: https://kubernetes.io/docs/concepts/architecture/garbage-collection/
// and pkg/controller/garbagecollector/garbagecollector.go.

import { randomUUID } from 'node:crypto';
import type * as k8s from '@kubernetes/client-node';
import { check } from '../../lib/check.ts';
import { plain, statusOf, type CheckContext } from '../../lib/context.ts';
import { configMapManifest, podManifest as unscheduledPod } from '../api/support.ts';
import { podNamespace, readyNodes, sleep, WEB } from '../pods/support.ts';
import { createReplicaSet, describePods, listPods, replicaSetManifest, untilAvailable } from './support.ts';

const DOC = 'https://kubernetes.io/docs/concepts/architecture/garbage-collection/';
const GC = 'https://github.com/kubernetes/kubernetes/blob/master/pkg/controller/garbagecollector/garbagecollector.go';

async function readReplicaSet(t: CheckContext, namespace: string, name: string): Promise<k8s.V1ReplicaSet | undefined> {
  return t.apps.readNamespacedReplicaSet({ name, namespace }).catch((err) => (statusOf(err).code === 404 ? undefined : Promise.reject(err)));
}

async function readPod(t: CheckContext, namespace: string, name: string): Promise<k8s.V1Pod | undefined> {
  return t.core.readNamespacedPod({ name, namespace }).catch((err) => (statusOf(err).code === 404 ? undefined : Promise.reject(err)));
}

/** The pods (terminating ones too) that name this owner uid. */
async function podsOf(t: CheckContext, namespace: string, uid: string | undefined): Promise<k8s.V1Pod[]> {
  return (await listPods(t, namespace)).filter((p) => (p.metadata?.ownerReferences ?? []).some((r) => r.uid === uid));
}

function deleteReplicaSet(t: CheckContext, namespace: string, name: string, propagationPolicy: 'Background' | 'Foreground' | 'Orphan') {
  t.step(`DELETE ReplicaSet ${name} with propagationPolicy ${propagationPolicy}`);
  return t.apps.deleteNamespacedReplicaSet({ name, namespace, body: { propagationPolicy } });
}

check({
  id: 'replicasets.gc.background',
  title: 'Deleting a ReplicaSet (propagationPolicy Background, kubectl\'s default) removes it at once, and its pods after it',
  lab: 'replicasets', points: 3, cites: `${DOC}#background-deletion; ${GC}`, concurrent: true, timeoutMs: 60_000,
}, async (t) => {
  await readyNodes(t);
  const namespace = await podNamespace(t);
  const rs = await createReplicaSet(t, namespace, replicaSetManifest('bg', 2));
  const before = await untilAvailable(t, namespace, rs, 2);
  await deleteReplicaSet(t, namespace, 'bg', 'Background');
  // The pods are followed by uid, not by their ownerReference: a pod that merely lost the reference to
  // its deleted owner is orphaned, which is what Orphan does, not Background (a dependent whose owners
  // are all gone is deleted: attemptToDeleteItem in the garbage collector).
  let alive: k8s.V1Pod[] = [];
  await t.eventually('ReplicaSet bg gone, and each of its pods deleted (gone or terminating, not merely orphaned)', async () => {
    const uids = new Set(before.map((p) => p.metadata!.uid));
    alive = (await listPods(t, namespace)).filter((p) => uids.has(p.metadata!.uid) && !p.metadata!.deletionTimestamp);
    return alive.length === 0 && (await readReplicaSet(t, namespace, 'bg')) === undefined ? true : undefined;
  }, {
    timeoutMs: 30_000,
    seen: () => `pods of bg not being deleted: ${alive.map((p) => `${p.metadata!.name} (ownerReferences ${JSON.stringify(p.metadata!.ownerReferences ?? [])})`).join('; ') || 'none'}`,
  });
});

check({
  id: 'replicasets.gc.foreground',
  title: 'With propagationPolicy Foreground the ReplicaSet stays, with finalizer foregroundDeletion, until its pods are gone',
  lab: 'replicasets', points: 3, cites: `${DOC}#foreground-deletion`, concurrent: true, timeoutMs: 60_000,
}, async (t) => {
  await readyNodes(t);
  const namespace = await podNamespace(t);
  // Containers that ignore SIGTERM hold their pods for the whole 3 s grace period: long enough to see the ReplicaSet wait.
  const slow = { terminationGracePeriodSeconds: 3, containers: [{ name: 'web', image: WEB, env: [{ name: 'IGNORE_SIGTERM', value: '1' }] }] };
  const rs = await createReplicaSet(t, namespace, replicaSetManifest('fg', 2, {}, slow));
  await untilAvailable(t, namespace, rs, 2);
  await deleteReplicaSet(t, namespace, 'fg', 'Foreground');

  const waiting = await readReplicaSet(t, namespace, 'fg');
  if (!waiting?.metadata?.deletionTimestamp || !waiting.metadata.finalizers?.includes('foregroundDeletion')) {
    t.fail('ReplicaSet fg still there, with a deletionTimestamp and finalizer foregroundDeletion',
      waiting ? `deletionTimestamp ${waiting.metadata?.deletionTimestamp ?? 'unset'}, finalizers ${JSON.stringify(waiting.metadata?.finalizers ?? [])}` : 'it is gone',
      waiting ? [{ label: 'ReplicaSet metadata', value: plain(waiting.metadata) }] : [],
      'a DELETE with propagationPolicy Foreground adds finalizer foregroundDeletion; the garbage collector removes it when the dependents are gone');
  }
  let pods: k8s.V1Pod[] = [];
  await t.eventually('ReplicaSet fg gone, after its pods', async () => {
    // The ReplicaSet first, then the pods: a pod seen after the ReplicaSet was gone was there before too.
    const current = await readReplicaSet(t, namespace, 'fg');
    pods = await podsOf(t, namespace, rs.metadata!.uid);
    if (current === undefined && pods.length > 0) {
      t.fail('ReplicaSet fg to stay until its pods are gone', `it is gone while pods remain: ${describePods(pods)}`, [],
        'remove foregroundDeletion only when no dependent with blockOwnerDeletion: true is left, even one still terminating');
    }
    return current === undefined ? true : undefined;
  }, { timeoutMs: 30_000, seen: () => `pods: ${describePods(pods)}` });
});

check({
  id: 'replicasets.gc.orphan',
  title: 'With propagationPolicy Orphan (kubectl delete --cascade=orphan) the ReplicaSet goes and its pods keep running, with no ownerReference',
  lab: 'replicasets', points: 3, cites: `${DOC}#orphaned-dependents; https://kubernetes.io/docs/concepts/workloads/controllers/replicaset/#deleting-just-a-replicaset`,
  concurrent: true, timeoutMs: 60_000,
}, async (t) => {
  await readyNodes(t);
  const namespace = await podNamespace(t);
  const rs = await createReplicaSet(t, namespace, replicaSetManifest('orph', 2));
  const before = await untilAvailable(t, namespace, rs, 2);
  await deleteReplicaSet(t, namespace, 'orph', 'Orphan');
  let left: k8s.V1ReplicaSet | undefined;
  await t.eventually('ReplicaSet orph gone', async () => ((left = await readReplicaSet(t, namespace, 'orph')) === undefined ? true : undefined), {
    timeoutMs: 20_000,
    seen: () => `ReplicaSet orph still there: deletionTimestamp ${left?.metadata?.deletionTimestamp ?? 'unset'}, finalizers ${JSON.stringify(left?.metadata?.finalizers ?? [])}` +
      ' (the garbage collector removes finalizer orphan once no pod names the ReplicaSet)',
  });
  let after: (k8s.V1Pod | undefined)[] = [];
  await t.eventually('both pods there, without an ownerReference to the ReplicaSet', async () => {
    after = await Promise.all(before.map((p) => readPod(t, namespace, p.metadata!.name!)));
    return after.every((p) => p && !(p.metadata?.ownerReferences ?? []).some((r) => r.uid === rs.metadata!.uid)) ? true : undefined;
  }, { timeoutMs: 10_000, seen: () => after.map((p, i) => (p ? `${p.metadata?.name}: ownerReferences ${JSON.stringify(p.metadata?.ownerReferences ?? [])}` : `${before[i].metadata?.name}: gone`)).join('; ') });
  for (const p of after) {
    if (p!.metadata?.deletionTimestamp || p!.status?.phase !== 'Running') {
      t.fail(`Pod ${p!.metadata?.name} still Running, not being deleted`, describePods([p!]), [{ label: 'Pod', value: plain(p) }]);
    }
  }
});

check({
  id: 'replicasets.gc.dangling-owner',
  title: 'A pod whose owner does not exist (no object with that uid) is deleted by the garbage collector; one whose owner exists is kept',
  lab: 'replicasets', points: 2, cites: `${DOC}#owners-dependents; ${GC}`, concurrent: true, timeoutMs: 45_000,
}, async (t) => {
  const namespace = await t.namespace();
  t.step('create ConfigMap owner, Pod kept owned by it, and Pod stray owned by ReplicaSet ghost (a uid no object has)');
  const owner = await t.core.createNamespacedConfigMap({ namespace, body: configMapManifest('owner', namespace) });
  // Both pods stay unscheduled (a nodeSelector no node matches): a DELETE removes them at once.
  const kept = unscheduledPod('kept', namespace);
  kept.metadata.ownerReferences = [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: owner.metadata!.uid }];
  const stray = unscheduledPod('stray', namespace);
  stray.metadata.ownerReferences = [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'ghost', uid: randomUUID(), controller: true, blockOwnerDeletion: true }];
  await t.core.createNamespacedPod({ namespace, body: kept });
  await t.core.createNamespacedPod({ namespace, body: stray });

  await t.eventually('Pod stray deleted', async () => {
    const p = await readPod(t, namespace, 'stray');
    return p === undefined || p.metadata?.deletionTimestamp ? true : undefined;
  }, { timeoutMs: 30_000, seen: () => 'Pod stray is still there, not being deleted' });
  await sleep(500); // the collector has had time to look at the older pod too
  const survivor = await readPod(t, namespace, 'kept');
  if (!survivor || survivor.metadata?.deletionTimestamp) {
    t.fail('Pod kept untouched: its owner, ConfigMap owner, exists', survivor ? 'it is being deleted' : 'it is gone', [],
      'an owner is gone only when a GET of it answers 404 or finds another uid; never delete on a cache miss alone');
  }
});
