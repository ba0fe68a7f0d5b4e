// Deleting a namespace deletes what is in it. The DELETE only marks the
// namespace (deletionTimestamp, phase Terminating, spec.finalizers still
// ["kubernetes"]); from then on nothing new may be created in it; the
// namespace controller deletes every namespaced object in it, waits for pods
// to stop and for the objects' finalizers, reports what remains in
// status.conditions, and finally removes its finalizer, and the namespace is
// gone. default, kube-system and kube-public can never be deleted.
// Sources: https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces/,
// pkg/controller/namespace/deletion/namespaced_resources_deleter.go, and the
// NamespaceLifecycle admission plugin
// (staging/src/k8s.io/apiserver/pkg/admission/plugin/namespace/lifecycle/admission.go).

import * as k8s from '@kubernetes/client-node';
import { check } from '../../lib/check.ts';
import { plain, statusOf, type CheckContext } from '../../lib/context.ts';
import { configMapManifest, deploymentManifest, serviceManifest } from '../api/support.ts';
import { podHttp, podManifest, podNamespace, readyNodes, runPod, webContainer } from '../pods/support.ts';

const DOC = 'https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces/';
const CONTROLLER = 'https://github.com/kubernetes/kubernetes/blob/master/pkg/controller/namespace/deletion/namespaced_resources_deleter.go';
const LIFECYCLE = 'https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/apiserver/pkg/admission/plugin/namespace/lifecycle/admission.go';
const MERGE_PATCH = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);

/** A finalizer no controller knows: the object it is on stays until the check removes it. */
const HOLD = 'kubelab.dev/hold';

/** The namespace as the API has it now, or undefined once it is gone. */
async function readNamespace(t: CheckContext, name: string): Promise<k8s.V1Namespace | undefined> {
  return t.core.readNamespace({ name }).catch((err) => (statusOf(err).code === 404 ? undefined : Promise.reject(err)));
}

function describeNamespace(ns: k8s.V1Namespace | undefined): string {
  if (!ns) return 'the namespace is gone';
  const conditions = (ns.status?.conditions ?? []).filter((c) => c.status === 'True').map((c) => `${c.type}: ${c.message}`);
  return `phase ${ns.status?.phase}, deletionTimestamp ${ns.metadata?.deletionTimestamp ? 'set' : 'unset'}, spec.finalizers ${JSON.stringify(ns.spec?.finalizers ?? [])}` +
    (conditions.length ? `; ${conditions.join('; ')}` : '');
}

/**
 * A namespace with a ConfigMap that carries a finalizer nobody removes, then
 * deleted: it stays Terminating until release() takes the finalizer off (the
 * check's cleanup does it too, so the namespace never outlives the check).
 */
async function heldTerminatingNamespace(t: CheckContext): Promise<{ namespace: string; release: () => Promise<void> }> {
  const namespace = await t.namespace();
  t.step(`create ConfigMap held with finalizer ${HOLD}`);
  await t.core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'held', finalizers: [HOLD] }, data: { a: '1' } } });
  const release = async () => {
    await t.core.patchNamespacedConfigMap({ name: 'held', namespace, body: { metadata: { finalizers: null } } }, MERGE_PATCH)
      .catch((err) => (statusOf(err).code === 404 ? undefined : Promise.reject(err)));
  };
  t.onCleanup(release);
  t.step(`delete namespace ${namespace}`);
  await t.core.deleteNamespace({ name: namespace });
  await t.eventually(`namespace ${namespace} Terminating`, async () => ((await readNamespace(t, namespace))?.status?.phase === 'Terminating' ? true : undefined),
    { seen: async () => describeNamespace(await readNamespace(t, namespace)) });
  return { namespace, release };
}

check({
  id: 'namespaces.deletion.removes-content',
  title: 'Deleting a namespace deletes every object in it, then the namespace itself; a watch sees it Terminating in between',
  lab: 'namespaces', points: 3, cites: `${DOC}; ${CONTROLLER}`, concurrent: true, timeoutMs: 60_000,
}, async (t) => {
  const namespace = await t.namespace();
  t.step('create ConfigMaps one and two, Service web and Deployment idle (0 replicas)');
  await t.core.createNamespacedConfigMap({ namespace, body: configMapManifest('one', namespace) });
  await t.core.createNamespacedConfigMap({ namespace, body: configMapManifest('two', namespace) });
  await t.core.createNamespacedService({ namespace, body: serviceManifest('web', namespace) });
  await t.apps.createNamespacedDeployment({ namespace, body: deploymentManifest('idle', namespace) });

  t.step(`watch namespace ${namespace}, then delete it`);
  const watch = t.watch(`/api/v1/namespaces?watch=1&fieldSelector=${encodeURIComponent(`metadata.name=${namespace}`)}`);
  await watch.waitFor((e) => e.type === 'ADDED');
  await t.core.deleteNamespace({ name: namespace });
  await watch.waitFor((e) => e.type === 'DELETED', 45_000).catch(async () => {
    const [cms, svcs, deps] = await Promise.all([
      t.core.listNamespacedConfigMap({ namespace }), t.core.listNamespacedService({ namespace }), t.apps.listNamespacedDeployment({ namespace }),
    ]);
    const left = [...cms.items, ...svcs.items, ...deps.items].map((o) => `${o.kind ?? ''} ${o.metadata?.name}`.trim());
    t.fail(`namespace ${namespace} gone within 45 s of the DELETE`, describeNamespace(await readNamespace(t, namespace)),
      [{ label: 'objects still in the namespace', value: left }],
      'a namespace controller deletes every namespaced object in a Terminating namespace, then removes "kubernetes" from spec.finalizers through /finalize');
  });

  const events = watch.events.filter((e) => e.type === 'MODIFIED' || e.type === 'DELETED');
  const deletedAt = events.findIndex((e) => e.type === 'DELETED');
  const terminating = events.slice(0, deletedAt).find((e) => e.object?.metadata?.deletionTimestamp && e.object?.status?.phase === 'Terminating');
  if (!terminating) {
    t.fail('a MODIFIED event with metadata.deletionTimestamp and status.phase Terminating before the DELETED event',
      events.map((e) => `${e.type} phase=${e.object?.status?.phase}`).join(', '), [],
      'a DELETE of a namespace marks it first; it is removed only once it is empty');
  }
  const [cms, svcs, deps] = await Promise.all([
    t.core.listNamespacedConfigMap({ namespace }), t.core.listNamespacedService({ namespace }), t.apps.listNamespacedDeployment({ namespace }),
  ]);
  const left = [...cms.items, ...svcs.items, ...deps.items].map((o) => o.metadata?.name);
  if (left.length) t.fail(`no ConfigMap, Service or Deployment left in ${namespace}`, `still there: ${left.join(', ')}`);
});

check({
  id: 'namespaces.deletion.stops-pods',
  title: 'Deleting a namespace stops its running pods (gracefully, through their deletionTimestamp) before the namespace goes',
  lab: 'namespaces', points: 2, cites: `${DOC}; ${CONTROLLER}`, concurrent: true, timeoutMs: 60_000,
}, async (t) => {
  await readyNodes(t);
  const namespace = await podNamespace(t);
  const runs = await Promise.all(['ns-stop-a', 'ns-stop-b'].map((name) =>
    runPod(t, namespace, podManifest(name, webContainer(), { terminationGracePeriodSeconds: 2 }))));
  for (const { watch } of runs) watch.mark();
  t.step(`delete namespace ${namespace}`);
  await t.core.deleteNamespace({ name: namespace });
  for (const { pod, watch } of runs) {
    await watch.gone(`Pod ${pod.metadata.name} gone from the API`, 30_000);
    if (!watch.versions.some((p) => p.metadata?.deletionTimestamp)) {
      t.fail(`Pod ${pod.metadata.name} seen with a deletionTimestamp before it went`, 'it went without one', [],
        'the namespace controller deletes pods like any client does: the node agent stops their containers, then removes them');
    }
    const answer = await podHttp(t, pod, '/', { timeoutMs: 1000 }).then((r) => r.text, () => undefined);
    if (answer?.includes(pod.metadata.name)) t.fail(`Pod ${pod.metadata.name}'s container stopped`, `it still answers on ${pod.status.podIP}`);
  }
  await t.eventually(`namespace ${namespace} gone`, async () => ((await readNamespace(t, namespace)) === undefined ? true : undefined),
    { timeoutMs: 20_000, seen: async () => describeNamespace(await readNamespace(t, namespace)) });
});

check({
  id: 'namespaces.deletion.no-new-content',
  title: 'A Terminating namespace refuses new objects with 403 Forbidden (cause NamespaceTerminating), while its objects can still be changed',
  lab: 'namespaces', points: 2, cites: `${DOC}; ${LIFECYCLE}`, concurrent: true, timeoutMs: 45_000,
}, async (t) => {
  const { namespace } = await heldTerminatingNamespace(t);
  t.step('create ConfigMap late in the Terminating namespace');
  const status = await t.expectError(`a create in Terminating namespace ${namespace}`,
    t.core.createNamespacedConfigMap({ namespace, body: configMapManifest('late', namespace) }), { code: 403, reason: 'Forbidden' });
  if (!status.message?.includes(`unable to create new content in namespace ${namespace} because it is being terminated`)) {
    t.fail(`a message "configmaps "late" is forbidden: unable to create new content in namespace ${namespace} because it is being terminated"`,
      String(status.message), [{ label: 'Status', value: status }]);
  }
  const cause = (status.details?.causes ?? []).find((c) => c.reason === 'NamespaceTerminating');
  if (!cause || cause.field !== 'metadata.namespace') {
    t.fail('details.causes with {reason: NamespaceTerminating, field: metadata.namespace}', JSON.stringify(status.details?.causes ?? []),
      [{ label: 'Status', value: status }], 'controllers recognise this refusal by its cause and stop retrying');
  }
  t.step('label ConfigMap held (an update, still allowed)');
  const updated = await t.core.patchNamespacedConfigMap({ name: 'held', namespace, body: { metadata: { labels: { touched: 'yes' } } } }, MERGE_PATCH)
    .catch((err) => t.fail('the update of an existing object in a Terminating namespace to succeed', `${statusOf(err).code} ${statusOf(err).message}`));
  if (updated.metadata?.labels?.touched !== 'yes') t.fail('label touched=yes on ConfigMap held', JSON.stringify(updated.metadata?.labels));
});

check({
  id: 'namespaces.deletion.waits-for-finalizers',
  title: 'A Terminating namespace stays while an object in it has a finalizer, says so in status.conditions, and goes once the finalizer is removed',
  lab: 'namespaces', points: 2, cites: `${DOC}; ${CONTROLLER}`, concurrent: true, timeoutMs: 60_000,
}, async (t) => {
  const { namespace, release } = await heldTerminatingNamespace(t);
  let ns: k8s.V1Namespace | undefined;
  const condition = (type: string) => (ns?.status?.conditions ?? []).find((c) => c.type === type);
  await t.eventually('conditions NamespaceContentRemaining and NamespaceFinalizersRemaining True, naming configmaps and the finalizer', async () => {
    ns = await readNamespace(t, namespace);
    return condition('NamespaceContentRemaining')?.status === 'True' && condition('NamespaceContentRemaining')?.message?.includes('configmaps')
      && condition('NamespaceFinalizersRemaining')?.status === 'True' && condition('NamespaceFinalizersRemaining')?.message?.includes(`${HOLD} in 1 resource instances`)
      ? true : undefined;
  }, { timeoutMs: 20_000, seen: () => describeNamespace(ns) });
  if (!ns?.spec?.finalizers?.includes('kubernetes')) {
    t.fail('spec.finalizers still ["kubernetes"] while content remains', describeNamespace(ns), [{ label: 'namespace', value: plain(ns) }],
      'the namespace controller removes its finalizer only once the namespace is empty');
  }
  t.step('GET ConfigMap held: deleted (deletionTimestamp set) but kept by its finalizer');
  const held = await t.core.readNamespacedConfigMap({ name: 'held', namespace });
  if (!held.metadata?.deletionTimestamp) t.fail('ConfigMap held with a deletionTimestamp', JSON.stringify(plain(held.metadata)));

  t.step(`remove finalizer ${HOLD} from ConfigMap held`);
  await release();
  await t.eventually(`namespace ${namespace} gone`, async () => ((await readNamespace(t, namespace)) === undefined ? true : undefined),
    { timeoutMs: 30_000, seen: async () => describeNamespace(await readNamespace(t, namespace)) });
});

check({
  id: 'namespaces.deletion.immortal',
  title: 'The namespaces default, kube-system and kube-public cannot be deleted (403 Forbidden)',
  lab: 'namespaces', points: 1, cites: LIFECYCLE, concurrent: true,
}, async (t) => {
  t.step('DELETE namespace default');
  const status = await t.expectError('DELETE namespace default', t.core.deleteNamespace({ name: 'default' }), { code: 403, reason: 'Forbidden' });
  if (!status.message?.includes('this namespace may not be deleted')) {
    t.fail('the message `namespaces "default" is forbidden: this namespace may not be deleted`', String(status.message), [{ label: 'Status', value: status }]);
  }
  const ns = await t.core.readNamespace({ name: 'default' });
  if (ns.metadata?.deletionTimestamp || ns.status?.phase !== 'Active') t.fail('namespace default untouched, Active', describeNamespace(ns));
  // The other two with dryRun=All: refused just the same (admission runs on dry runs), and harmless if they are not.
  for (const name of ['kube-system', 'kube-public']) {
    t.step(`DELETE namespace ${name}?dryRun=All`);
    const res = await t.raw({ method: 'DELETE', path: `/api/v1/namespaces/${name}?dryRun=All` });
    if (res.status !== 403) t.fail(`DELETE namespace ${name} (dry run) to fail with 403 Forbidden`, `HTTP ${res.status}: ${res.text.slice(0, 300)}`);
  }
});
