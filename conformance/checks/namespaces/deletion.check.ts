// Deleting a namespace deletes what is in it. The DELETE only marks the
// namespace (deletionTimestamp, phase Terminating, spec.finalizers still
// ["kubernetes"]); from then on nothing new may be created in it; the
// namespace controller deletes every namespaced object in it, waits for pods
// to stop and for the objects' finalizers, reports what remains in
// status.conditions, and finally removes its finalizer, and the namespace is
// gone. What the API server itself refuses (a create in a Terminating
// namespace, deleting a system namespace) is checked in the api lab
// (api/admission.check.ts): a controller cannot do it.
// Sources: https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces/,
// pkg/controller/namespace/deletion/namespaced_resources_deleter.go.

import * as k8s from '@kubernetes/client-node';
import { check } from '../../lib/check.ts';
import { plain } from '../../lib/context.ts';
import { configMapManifest, deploymentManifest, describeNamespace, heldTerminatingNamespace, HOLD, readNamespace, serviceManifest } from '../api/support.ts';
import { podHttp, podManifest, podNamespace, readyNodes, runPod, webContainer } from '../pods/support.ts';

const DOC = 'https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces/';
const CONTROLLER = 'https://github.com/kubernetes/kubernetes/blob/master/pkg/controller/namespace/deletion/namespaced_resources_deleter.go';

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
