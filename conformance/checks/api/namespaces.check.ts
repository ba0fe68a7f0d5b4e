// Namespaces: names are unique per namespace, not per cluster; a namespace's objects
// are its own (deleting one namespace touches nothing in another); a deleted
// namespace is Terminating until it is empty; a list at /api/v1/<resource> spans all
// namespaces; and every cluster starts with the four system namespaces.

import { check } from '../../lib/check.ts';
import { plain, statusOf } from '../../lib/context.ts';
import { configMapManifest, podManifest, unique } from './support.ts';

const CITES = 'kubernetes.io/docs/concepts/overview/working-with-objects/namespaces/';

check({
  id: 'api.namespaces.same-name',
  title: 'Objects with the same name in two namespaces are two objects, each with its own uid and content',
  lab: 'api', points: 2, cites: `${CITES}; kubernetes.io/docs/concepts/overview/working-with-objects/names/`,
}, async (t) => {
  const [one, two] = [await t.namespace(), await t.namespace()];
  t.step(`create ConfigMap shared in ${one} (v=1) and in ${two} (v=2)`);
  const a = await t.core.createNamespacedConfigMap({ namespace: one, body: configMapManifest('shared', one, { v: '1' }) });
  const b = await t.core.createNamespacedConfigMap({ namespace: two, body: configMapManifest('shared', two, { v: '2' }) });
  if (a.metadata?.uid === b.metadata?.uid) {
    t.fail('two different uids', `both ${a.metadata?.uid}`, [{ label: one, value: plain(a) }, { label: two, value: plain(b) }]);
  }
  const [readA, readB] = await Promise.all([
    t.core.readNamespacedConfigMap({ name: 'shared', namespace: one }),
    t.core.readNamespacedConfigMap({ name: 'shared', namespace: two }),
  ]);
  if (readA.data?.v !== '1' || readB.data?.v !== '2' || readA.metadata?.namespace !== one || readB.metadata?.namespace !== two) {
    t.fail(`shared in ${one} with v=1 and shared in ${two} with v=2`,
      `${readA.metadata?.namespace}: v=${readA.data?.v}, ${readB.metadata?.namespace}: v=${readB.data?.v}`,
      [{ label: one, value: plain(readA) }, { label: two, value: plain(readB) }], 'the storage key of a namespaced object includes its namespace');
  }
});

check({
  id: 'api.namespaces.delete-isolated',
  title: 'Deleting a namespace leaves an object of the same name in another namespace untouched',
  lab: 'api', points: 2, cites: CITES,
}, async (t) => {
  const [doomed, kept] = [await t.namespace(), await t.namespace()];
  t.step(`create ConfigMap shared in ${doomed} and in ${kept}`);
  await t.core.createNamespacedConfigMap({ namespace: doomed, body: configMapManifest('shared', doomed) });
  const before = await t.core.createNamespacedConfigMap({ namespace: kept, body: configMapManifest('shared', kept) });
  t.step(`delete namespace ${doomed}`);
  await t.core.deleteNamespace({ name: doomed });
  await t.eventually(`namespace ${doomed} to be Terminating or gone`, async () => {
    const ns = await t.core.readNamespace({ name: doomed }).catch((err) => (statusOf(err).code === 404 ? null : Promise.reject(err)));
    return ns === null || ns.status?.phase === 'Terminating' ? true : undefined;
  });
  // Give a namespace controller a moment to act on the deletion, as it would on a real cluster.
  await new Promise((r) => setTimeout(r, 1000));
  const after = await t.core.readNamespacedConfigMap({ name: 'shared', namespace: kept }).catch((err) => {
    const s = statusOf(err);
    return t.fail(`ConfigMap shared in ${kept} to still exist`, `GET answered ${s.code} ${s.reason}`, [{ label: 'response', value: s }],
      'deleting a namespace deletes only the objects whose namespace it is');
  });
  if (after.metadata?.uid !== before.metadata?.uid || after.metadata?.resourceVersion !== before.metadata?.resourceVersion || after.metadata?.deletionTimestamp) {
    t.fail(`ConfigMap shared in ${kept} unchanged`, JSON.stringify(plain(after.metadata)), [{ label: 'before', value: plain(before) }, { label: 'after', value: plain(after) }]);
  }
});

check({
  id: 'api.namespaces.terminating',
  title: 'A deleted namespace shows a deletionTimestamp and phase Terminating until its content is gone (or it is already gone)',
  lab: 'api', points: 1,
  cites: `${CITES}; k8s.io/kubernetes/pkg/registry/core/namespace/storage/storage.go (Delete)`,
}, async (t) => {
  const namespace = await t.namespace();
  await t.core.createNamespacedConfigMap({ namespace, body: configMapManifest('content', namespace) });
  t.step(`delete namespace ${namespace}`);
  const answer = plain(await t.core.deleteNamespace({ name: namespace })) as any;
  const ns = await t.core.readNamespace({ name: namespace }).catch((err) => {
    if (statusOf(err).code === 404) return undefined;
    throw err;
  });
  if (ns === undefined) return; // emptied and removed already
  if (!ns.metadata?.deletionTimestamp || ns.status?.phase !== 'Terminating') {
    t.fail(`namespace ${namespace} with a deletionTimestamp and phase Terminating (or gone)`,
      `phase ${ns.status?.phase}, deletionTimestamp ${ns.metadata?.deletionTimestamp}`, [{ label: 'namespace', value: plain(ns) }, { label: 'DELETE response', value: answer }]);
  }
});

check({
  id: 'api.namespaces.system',
  title: 'The namespaces default, kube-system, kube-public and kube-node-lease exist and are Active',
  lab: 'api', points: 1, cites: `${CITES} (Initial namespaces)`,
}, async (t) => {
  t.step('list namespaces');
  const list = await t.core.listNamespace();
  for (const name of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) {
    const ns = list.items.find((n) => n.metadata?.name === name);
    if (!ns || ns.status?.phase !== 'Active') {
      t.fail(`namespace ${name}, phase Active`, ns ? `phase ${ns.status?.phase}` : 'not in the list',
        [{ label: 'namespaces', value: list.items.map((n) => `${n.metadata?.name} (${n.status?.phase})`) }], 'create the system namespaces when the API server starts');
    }
  }
});

check({
  id: 'api.namespaces.all-namespaces-list',
  title: 'A list at /api/v1/pods (no namespace in the path) returns pods from every namespace, each with its namespace',
  lab: 'api', points: 1,
  cites: 'kubernetes.io/docs/reference/using-api/api-concepts/ (Standard API terminology: cluster-wide list of a namespaced resource)',
}, async (t) => {
  const [one, two] = [await t.namespace(), await t.namespace()];
  const mark = unique('mark');
  t.step(`create pod web in ${one} and in ${two}, labelled mark=${mark}`);
  await t.core.createNamespacedPod({ namespace: one, body: podManifest('web', one, { mark }) });
  await t.core.createNamespacedPod({ namespace: two, body: podManifest('web', two, { mark }) });
  t.step(`GET /api/v1/pods?labelSelector=mark=${mark}`);
  const list = await t.core.listPodForAllNamespaces({ labelSelector: `mark=${mark}` });
  const seen = list.items.map((p) => `${p.metadata?.namespace}/${p.metadata?.name}`).sort();
  const expected = [`${one}/web`, `${two}/web`].sort();
  if (JSON.stringify(seen) !== JSON.stringify(expected)) {
    t.fail(`pods [${expected.join(', ')}]`, `[${seen.join(', ')}]`, [{ label: 'list metadata', value: plain(list.metadata) }]);
  }
  if (list.kind !== undefined && list.kind !== 'PodList') t.fail('kind PodList', String(list.kind));
});
