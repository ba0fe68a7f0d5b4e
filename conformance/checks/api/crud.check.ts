// Create, read, update, list and delete: one round trip per kind the labs use, then
// the write rules every kind shares (generateName, finalizers, dryRun).
//
// A round trip: create → get (uid, creationTimestamp, resourceVersion, and the kind's
// defaults, visible because the server stores them) → update with PUT (a new
// resourceVersion; for Deployments and ReplicaSets metadata.generation moves on a
// spec change and not on a label change) → list (the object is in it) → delete →
// get is 404 NotFound.

import { check } from '../../lib/check.ts';
import { plain, statusOf, type CheckContext } from '../../lib/context.ts';
import { IMAGE, configMapManifest, deploymentManifest, podManifest, serviceManifest, unique } from './support.ts';

interface KindCase {
  apiVersion: string;
  kind: string;
  /** The id part: api.crud.<slug>. */
  slug: string;
  namespaced: boolean;
  points: number;
  cites: string;
  /** What the title adds about this kind's defaults. */
  defaultsText?: string;
  manifest(name: string, namespace: string | undefined): any;
  /** Problems with the defaults of the object read back (empty: all there). */
  defaults?(obj: any): string[];
  /** A change to spec, for kinds whose metadata.generation follows spec changes. */
  specChange?(obj: any): void;
  /**
   * Whether DELETE removes the object at once. On a real cluster PersistentVolumes and
   * claims carry protection finalizers that a controller removes a moment later.
   */
  immediateDelete: boolean;
}

function expectField(problems: string[], obj: any, path: string, expected: unknown): void {
  const value = path.split('.').reduce((o, key) => (o == null ? undefined : o[key]), obj);
  if (JSON.stringify(value) !== JSON.stringify(expected)) {
    problems.push(`${path}: expected ${JSON.stringify(expected)}, seen ${JSON.stringify(value)}`);
  }
}

const KINDS: KindCase[] = [
  {
    apiVersion: 'v1', kind: 'Pod', slug: 'pod', namespaced: true, points: 2, immediateDelete: true,
    cites: 'k8s.io/kubernetes/pkg/apis/core/v1/defaults.go (SetDefaults_PodSpec, SetDefaults_Container)',
    defaultsText: 'restartPolicy Always, terminationGracePeriodSeconds 30, dnsPolicy ClusterFirst',
    manifest: (name, ns) => podManifest(name, ns!),
    defaults: (pod) => {
      const p: string[] = [];
      expectField(p, pod, 'spec.restartPolicy', 'Always');
      expectField(p, pod, 'spec.terminationGracePeriodSeconds', 30);
      expectField(p, pod, 'spec.dnsPolicy', 'ClusterFirst');
      expectField(p, pod, 'spec.schedulerName', 'default-scheduler');
      expectField(p, pod.spec?.containers?.[0], 'imagePullPolicy', 'IfNotPresent');
      expectField(p, pod.spec?.containers?.[0], 'terminationMessagePath', '/dev/termination-log');
      expectField(p, pod, 'status.phase', 'Pending');
      return p;
    },
  },
  {
    apiVersion: 'v1', kind: 'Service', slug: 'service', namespaced: true, points: 2, immediateDelete: true,
    cites: 'k8s.io/kubernetes/pkg/apis/core/v1/defaults.go (SetDefaults_Service); kubernetes.io/docs/concepts/services-networking/service/',
    defaultsText: 'type ClusterIP with a clusterIP allocated, targetPort = port, protocol TCP',
    manifest: (name, ns) => serviceManifest(name, ns!),
    defaults: (svc) => {
      const p: string[] = [];
      expectField(p, svc, 'spec.type', 'ClusterIP');
      expectField(p, svc, 'spec.sessionAffinity', 'None');
      expectField(p, svc.spec?.ports?.[0], 'protocol', 'TCP');
      expectField(p, svc.spec?.ports?.[0], 'targetPort', 80);
      const ip = svc.spec?.clusterIP;
      if (typeof ip !== 'string' || !/^\d+\.\d+\.\d+\.\d+$|:/.test(ip)) p.push(`spec.clusterIP: expected an allocated address, seen ${JSON.stringify(ip)}`);
      else if (JSON.stringify(svc.spec?.clusterIPs) !== JSON.stringify([ip])) p.push(`spec.clusterIPs: expected [${JSON.stringify(ip)}], seen ${JSON.stringify(svc.spec?.clusterIPs)}`);
      return p;
    },
  },
  {
    apiVersion: 'v1', kind: 'ConfigMap', slug: 'configmap', namespaced: true, points: 1, immediateDelete: true,
    cites: 'kubernetes.io/docs/reference/using-api/api-concepts/',
    manifest: (name, ns) => configMapManifest(name, ns!),
  },
  {
    apiVersion: 'v1', kind: 'Endpoints', slug: 'endpoints', namespaced: true, points: 1, immediateDelete: true,
    cites: 'kubernetes.io/docs/reference/kubernetes-api/service-resources/endpoints-v1/',
    manifest: (name, ns) => ({
      apiVersion: 'v1', kind: 'Endpoints', metadata: { name, namespace: ns },
      subsets: [{ addresses: [{ ip: '10.1.2.3' }], ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] }],
    }),
  },
  {
    apiVersion: 'v1', kind: 'Event', slug: 'event', namespaced: true, points: 1, immediateDelete: true,
    cites: 'kubernetes.io/docs/reference/kubernetes-api/cluster-resources/event-v1/',
    manifest: (name, ns) => ({
      apiVersion: 'v1', kind: 'Event', metadata: { name, namespace: ns },
      involvedObject: { apiVersion: 'v1', kind: 'ConfigMap', name: 'settings', namespace: ns },
      reason: 'Checked', message: 'written by a conformance check', type: 'Normal', source: { component: 'kubelab-conformance' },
    }),
  },
  {
    apiVersion: 'v1', kind: 'PersistentVolumeClaim', slug: 'persistentvolumeclaim', namespaced: true, points: 1, immediateDelete: false,
    cites: 'k8s.io/kubernetes/pkg/apis/core/v1/defaults.go (SetDefaults_PersistentVolumeClaimSpec)',
    defaultsText: 'volumeMode Filesystem',
    manifest: (name, ns) => ({
      apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name, namespace: ns },
      // A class nobody provides: the claim stays Pending and binds to nothing.
      spec: { storageClassName: `${name}-class`, accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Mi' } } },
    }),
    defaults: (pvc) => {
      const p: string[] = [];
      expectField(p, pvc, 'spec.volumeMode', 'Filesystem');
      return p;
    },
  },
  {
    apiVersion: 'apps/v1', kind: 'ReplicaSet', slug: 'replicaset', namespaced: true, points: 2, immediateDelete: true,
    cites: 'k8s.io/kubernetes/pkg/registry/apps/replicaset/strategy.go (PrepareForCreate, PrepareForUpdate: generation)',
    defaultsText: 'metadata.generation 1, template restartPolicy Always',
    manifest: (name, ns) => ({ ...deploymentManifest(name, ns!), kind: 'ReplicaSet' }),
    defaults: (rs) => {
      const p: string[] = [];
      expectField(p, rs, 'metadata.generation', 1);
      expectField(p, rs, 'spec.template.spec.restartPolicy', 'Always');
      return p;
    },
    specChange: (rs) => { rs.spec.minReadySeconds = 5; },
  },
  {
    apiVersion: 'apps/v1', kind: 'Deployment', slug: 'deployment', namespaced: true, points: 2, immediateDelete: true,
    cites: 'k8s.io/kubernetes/pkg/apis/apps/v1/defaults.go (SetDefaults_Deployment); pkg/registry/apps/deployment/strategy.go',
    defaultsText: 'strategy RollingUpdate 25%/25%, revisionHistoryLimit 10, progressDeadlineSeconds 600',
    manifest: (name, ns) => deploymentManifest(name, ns!),
    defaults: (d) => {
      const p: string[] = [];
      expectField(p, d, 'metadata.generation', 1);
      expectField(p, d, 'spec.strategy.type', 'RollingUpdate');
      expectField(p, d, 'spec.strategy.rollingUpdate.maxSurge', '25%');
      expectField(p, d, 'spec.strategy.rollingUpdate.maxUnavailable', '25%');
      expectField(p, d, 'spec.revisionHistoryLimit', 10);
      expectField(p, d, 'spec.progressDeadlineSeconds', 600);
      expectField(p, d, 'spec.template.spec.restartPolicy', 'Always');
      return p;
    },
    specChange: (d) => { d.spec.revisionHistoryLimit = 5; },
  },
  {
    apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', slug: 'lease', namespaced: true, points: 1, immediateDelete: true,
    cites: 'kubernetes.io/docs/concepts/architecture/leases/',
    manifest: (name, ns) => ({
      apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace: ns },
      spec: { holderIdentity: 'conformance', leaseDurationSeconds: 40 },
    }),
  },
  {
    apiVersion: 'v1', kind: 'Namespace', slug: 'namespace', namespaced: false, points: 2, immediateDelete: false,
    cites: 'k8s.io/kubernetes/pkg/apis/core/v1/defaults.go (SetDefaults_Namespace); kubernetes.io/docs/concepts/overview/working-with-objects/namespaces/',
    defaultsText: 'label kubernetes.io/metadata.name, phase Active, finalizer kubernetes',
    manifest: (name) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } }),
    defaults: (ns) => {
      const p: string[] = [];
      expectField(p, ns, 'status.phase', 'Active');
      if (ns.metadata?.labels?.['kubernetes.io/metadata.name'] !== ns.metadata?.name) {
        p.push(`metadata.labels["kubernetes.io/metadata.name"]: expected ${JSON.stringify(ns.metadata?.name)}, seen ${JSON.stringify(ns.metadata?.labels?.['kubernetes.io/metadata.name'])}`);
      }
      if (!(ns.spec?.finalizers ?? []).includes('kubernetes')) p.push(`spec.finalizers: expected to contain "kubernetes", seen ${JSON.stringify(ns.spec?.finalizers)}`);
      return p;
    },
  },
  {
    apiVersion: 'v1', kind: 'Node', slug: 'node', namespaced: false, points: 1, immediateDelete: true,
    cites: 'kubernetes.io/docs/concepts/architecture/nodes/ (Management: creating a Node object)',
    manifest: (name) => ({ apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'kubelab.dev/conformance': 'true' } } }),
  },
  {
    apiVersion: 'v1', kind: 'PersistentVolume', slug: 'persistentvolume', namespaced: false, points: 1, immediateDelete: false,
    cites: 'k8s.io/kubernetes/pkg/apis/core/v1/defaults.go (SetDefaults_PersistentVolume)',
    defaultsText: 'persistentVolumeReclaimPolicy Retain, volumeMode Filesystem',
    manifest: (name) => ({
      apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name },
      spec: {
        storageClassName: `${name}-class`, capacity: { storage: '1Mi' }, accessModes: ['ReadWriteOnce'],
        hostPath: { path: `/tmp/${name}` },
      },
    }),
    defaults: (pv) => {
      const p: string[] = [];
      expectField(p, pv, 'spec.persistentVolumeReclaimPolicy', 'Retain');
      expectField(p, pv, 'spec.volumeMode', 'Filesystem');
      return p;
    },
  },
];

/** Reads, changes and PUTs the object back, again on a 409 Conflict (a controller may write in between). */
/** What the generic client needs to find one object. */
interface ObjectHeader {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
}

async function updateWithRetry(t: CheckContext, header: ObjectHeader, change: (obj: any) => void): Promise<{ before: any; after: any }> {
  for (let attempt = 0; ; attempt++) {
    const before = plain(await t.objects.read(header)) as any;
    const next = structuredClone(before);
    change(next);
    try {
      const after = plain(await t.objects.replace(next)) as any;
      return { before, after };
    } catch (err) {
      if (statusOf(err).code !== 409 || attempt >= 4) throw err;
    }
  }
}

function crudTitle(c: KindCase): string {
  const noun = c.kind === 'Endpoints' ? 'An Endpoints object' : `${/^[AEIOU]/.test(c.kind) ? 'An' : 'A'} ${c.kind}`;
  const scope = c.namespaced ? '' : ' (cluster-scoped)';
  const defaults = c.defaultsText ? `, and GET shows the defaults (${c.defaultsText})` : '';
  const generation = c.specChange ? '; metadata.generation goes up on a spec change but not on a label change' : '';
  const end = c.kind === 'Namespace' ? 'after DELETE it is Terminating or gone' : 'after DELETE a GET is 404';
  return `${noun}${scope} gets a uid, a creationTimestamp and a resourceVersion on create${defaults}; a PUT gives it a new resourceVersion${generation}; a list contains it; ${end}`;
}

for (const c of KINDS) {
  // A Node object made by hand is one more node for every check (the scheduler's "0/N nodes" counts it): a cluster of its own.
  check({ id: `api.crud.${c.slug}`, title: crudTitle(c), lab: 'api', points: c.points, cites: c.cites, exclusive: c.kind === 'Node' }, async (t) => {
    const ns = c.namespaced ? await t.namespace() : undefined;
    const name = c.namespaced ? unique(c.slug) : unique(`kubelab-api-crud-${c.slug}`);
    const header: ObjectHeader = { apiVersion: c.apiVersion, kind: c.kind, metadata: { name, ...(ns ? { namespace: ns } : {}) } };
    let created: any;
    try {
      t.step(`create ${c.kind} ${name}`);
      created = plain(await t.objects.create(c.manifest(name, ns)));
      const meta = created?.metadata ?? {};
      const missing = ['uid', 'creationTimestamp', 'resourceVersion'].filter((f) => !meta[f]);
      if (missing.length || meta.name !== name) {
        t.fail(`the created ${c.kind} named ${name}, with metadata.uid, creationTimestamp and resourceVersion set`,
          missing.length ? `no ${missing.join(', ')}` : `name ${JSON.stringify(meta.name)}`, [{ label: 'create response', value: created }]);
      }
      if (!Number.isFinite(Date.parse(meta.creationTimestamp))) {
        t.fail('creationTimestamp to be an RFC 3339 time', JSON.stringify(meta.creationTimestamp), [{ label: 'create response', value: created }]);
      }

      t.step(`get ${c.kind} ${name}`);
      const got = plain(await t.objects.read(header)) as any;
      if (got?.metadata?.uid !== meta.uid) {
        t.fail(`GET to return the created object (uid ${meta.uid})`, `uid ${got?.metadata?.uid}`, [{ label: 'GET response', value: got }]);
      }
      const problems = c.defaults?.(got) ?? [];
      if (problems.length) {
        t.fail(`the ${c.kind} read back to carry the defaults the API server fills in`, problems.join('; '), [{ label: `${c.kind} read back`, value: got }],
          'defaults are applied on create and stored, so every GET shows them');
      }

      t.step(`update ${c.kind} ${name}: add a label (PUT)`);
      const labelled = await updateWithRetry(t, header, (o) => { o.metadata.labels = { ...o.metadata.labels, 'kubelab.dev/touched': 'label' }; });
      const after = labelled.after;
      if (after?.metadata?.labels?.['kubelab.dev/touched'] !== 'label' || after?.metadata?.uid !== meta.uid) {
        t.fail('the PUT response to carry the new label and the same uid', JSON.stringify(after?.metadata), [{ label: 'PUT response', value: after }]);
      }
      if (after.metadata.resourceVersion === labelled.before.metadata.resourceVersion) {
        t.fail('a new resourceVersion after the update', `the same resourceVersion ${after.metadata.resourceVersion}`,
          [{ label: 'before', value: labelled.before }, { label: 'after', value: after }], 'every write that changes an object gives it a new resourceVersion');
      }
      if (c.specChange) {
        if (after.metadata.generation !== labelled.before.metadata.generation) {
          t.fail(`metadata.generation to stay ${labelled.before.metadata.generation} after a label change`, `generation ${after.metadata.generation}`,
            [{ label: 'before', value: labelled.before }, { label: 'after', value: after }], 'generation counts changes of spec only');
        }
        t.step(`update ${c.kind} ${name}: change spec (PUT)`);
        const changed = await updateWithRetry(t, header, c.specChange);
        const expected = (changed.before.metadata.generation ?? 0) + 1;
        if (changed.after.metadata.generation !== expected) {
          t.fail(`metadata.generation ${expected} after a spec change`, `generation ${changed.after.metadata.generation}`,
            [{ label: 'before', value: changed.before }, { label: 'after', value: changed.after }]);
        }
      }

      t.step(`list ${c.kind}s`);
      const list = plain(await t.objects.list(c.apiVersion, c.kind, ns)) as any;
      if (!(list?.items ?? []).some((i: any) => i?.metadata?.uid === meta.uid)) {
        t.fail(`the list of ${c.kind}s${ns ? ` in ${ns}` : ''} to contain ${name}`, `names ${JSON.stringify((list?.items ?? []).map((i: any) => i?.metadata?.name))}`,
          [{ label: 'list metadata', value: list?.metadata }]);
      }

      t.step(`delete ${c.kind} ${name}`);
      await t.objects.delete(header);
      if (c.kind === 'Namespace') {
        // Deleting a namespace first empties it: it is Terminating, or already gone.
        let ns: any;
        try {
          ns = plain(await t.objects.read(header));
        } catch (err) {
          if (statusOf(err).code !== 404) throw err;
          return;
        }
        if (!ns?.metadata?.deletionTimestamp || ns?.status?.phase !== 'Terminating') {
          t.fail('the deleted namespace to be gone, or to have a deletionTimestamp and phase Terminating', `phase ${ns?.status?.phase}, deletionTimestamp ${ns?.metadata?.deletionTimestamp}`,
            [{ label: 'namespace', value: ns }]);
        }
        return;
      }
      if (c.immediateDelete) {
        await t.expectError(`GET ${c.kind} ${name} after DELETE`, t.objects.read(header), { code: 404, reason: 'NotFound' });
      } else {
        await t.eventually(`GET ${c.kind} ${name} to be 404 NotFound after DELETE`, async () => {
          try {
            await t.objects.read(header);
            return undefined;
          } catch (err) {
            return statusOf(err).code === 404 ? true : undefined;
          }
        }, { timeoutMs: 15_000, seen: async () => JSON.stringify(plain(await t.objects.read(header).catch((e) => statusOf(e)))) });
      }
      created = undefined;
    } finally {
      if (created && !c.namespaced) await t.objects.delete(header).catch(() => undefined);
    }
  });
}

check({
  id: 'api.crud.generate-name',
  title: 'An object created with metadata.generateName and no name gets the prefix followed by 5 random characters, a different name each time',
  lab: 'api', points: 1,
  cites: 'k8s.io/apiserver/pkg/storage/names/generate.go; kubernetes.io/docs/reference/using-api/api-concepts/ (Generated values)',
}, async (t) => {
  const namespace = await t.namespace();
  const body = { metadata: { generateName: 'web-' }, data: { a: 'b' } };
  t.step('create two ConfigMaps with generateName web-');
  const first = await t.core.createNamespacedConfigMap({ namespace, body });
  const second = await t.core.createNamespacedConfigMap({ namespace, body });
  for (const cm of [first, second]) {
    if (!/^web-[a-z0-9]{5}$/.test(cm.metadata?.name ?? '')) {
      t.fail('a name "web-" + 5 lowercase letters or digits', JSON.stringify(cm.metadata?.name), [{ label: 'created ConfigMap', value: plain(cm) }]);
    }
  }
  if (first.metadata?.name === second.metadata?.name) {
    t.fail('two different generated names', `both ${first.metadata?.name}`, [{ label: 'first', value: plain(first) }, { label: 'second', value: plain(second) }]);
  }
  t.step(`get ${first.metadata?.name}`);
  const got = await t.core.readNamespacedConfigMap({ name: first.metadata!.name!, namespace });
  if (got.metadata?.uid !== first.metadata?.uid || got.metadata?.generateName !== 'web-') {
    t.fail('the object stored under its generated name, with metadata.generateName kept', JSON.stringify(plain(got.metadata)), [{ label: 'GET response', value: plain(got) }]);
  }
});

check({
  id: 'api.crud.finalizers',
  title: 'DELETE of an object with a finalizer only sets its deletionTimestamp; the object stays until the last finalizer is removed, then it is gone',
  lab: 'api', points: 2,
  cites: 'kubernetes.io/docs/concepts/overview/working-with-objects/finalizers/; k8s.io/apiserver/pkg/registry/generic/registry/store.go (Delete)',
}, async (t) => {
  const namespace = await t.namespace();
  const name = 'held';
  t.step(`create ConfigMap ${name} with finalizer kubelab.dev/hold`);
  await t.core.createNamespacedConfigMap({ namespace, body: { metadata: { name, finalizers: ['kubelab.dev/hold'] }, data: { a: 'b' } } });
  try {
    t.step(`delete ${name}`);
    await t.core.deleteNamespacedConfigMap({ name, namespace });
    const held = plain(await t.core.readNamespacedConfigMap({ name, namespace }).catch((err) => {
      const s = statusOf(err);
      return t.fail('the ConfigMap to stay after DELETE while it has a finalizer', `GET answered ${s.code} ${s.reason}`, [{ label: 'GET response', value: s }],
        'an object with finalizers is only marked for deletion; the finalizers\' owners clean up, then remove them');
    })) as any;
    if (!held?.metadata?.deletionTimestamp || !(held.metadata.finalizers ?? []).includes('kubelab.dev/hold')) {
      t.fail('the ConfigMap to have a deletionTimestamp and still its finalizer', JSON.stringify(held?.metadata), [{ label: 'ConfigMap', value: held }]);
    }
    t.step(`remove the finalizer of ${name}`);
    await t.core.patchNamespacedConfigMap({ name, namespace, body: [{ op: 'remove', path: '/metadata/finalizers' }] });
    await t.eventually(`ConfigMap ${name} to be gone once its last finalizer is removed`, async () => {
      try {
        await t.core.readNamespacedConfigMap({ name, namespace });
        return undefined;
      } catch (err) {
        return statusOf(err).code === 404 ? true : undefined;
      }
    }, { timeoutMs: 5_000, seen: async () => JSON.stringify(plain(await t.core.readNamespacedConfigMap({ name, namespace }).catch((e) => statusOf(e)))) });
  } finally {
    await t.core.patchNamespacedConfigMap({ name, namespace, body: [{ op: 'remove', path: '/metadata/finalizers' }] }).catch(() => undefined);
  }
});

check({
  id: 'api.crud.dry-run',
  title: 'A create with dryRun=All answers with the object as it would be stored, but nothing is stored',
  lab: 'api', points: 1,
  cites: 'kubernetes.io/docs/reference/using-api/api-concepts/ (Dry-run)',
}, async (t) => {
  const namespace = await t.namespace();
  t.step('create Pod web with dryRun=All');
  const answer = plain(await t.core.createNamespacedPod({ namespace, dryRun: 'All', body: podManifest('web', namespace) })) as any;
  if (answer?.metadata?.name !== 'web' || answer?.spec?.containers?.[0]?.image !== IMAGE || answer?.spec?.restartPolicy !== 'Always') {
    t.fail('the would-be Pod web, with its defaults (restartPolicy Always)', JSON.stringify({ name: answer?.metadata?.name, spec: answer?.spec }),
      [{ label: 'dry-run response', value: answer }]);
  }
  t.step('get Pod web');
  await t.expectError('GET of the pod created with dryRun=All', t.core.readNamespacedPod({ name: 'web', namespace }), { code: 404, reason: 'NotFound' });
  const list = await t.core.listNamespacedPod({ namespace });
  if (list.items.length) {
    t.fail(`no pods in ${namespace}`, `${list.items.length} pods`, [{ label: 'pods', value: plain(list.items) }]);
  }
});

check({
  id: 'api.crud.http-codes',
  title: 'POST answers 201 Created with the object; GET and PUT answer 200; DELETE answers 200 with a Success Status, or with the deleted object for kinds that return it (Pods)',
  lab: 'api', points: 1,
  cites: 'kubernetes.io/docs/reference/using-api/api-concepts/; k8s.io/apiserver/pkg/registry/generic/registry/store.go (finalizeDelete, ReturnDeletedObject)',
}, async (t) => {
  const namespace = await t.namespace();
  const base = `/api/v1/namespaces/${namespace}`;
  const expectCode = (what: string, res: { status: number; json?: any; text: string }, code: number, kind: string) => {
    if (res.status !== code || res.json?.kind !== kind) {
      t.fail(`${what}: HTTP ${code} with a ${kind}`, `HTTP ${res.status} with ${res.json?.kind ?? 'a body that is not JSON'}`, [{ label: 'response body', value: res.json ?? res.text }]);
    }
    return res.json;
  };
  t.step(`POST ${base}/configmaps`);
  expectCode('POST of a new ConfigMap', await t.raw({ method: 'POST', path: `${base}/configmaps`, body: configMapManifest('codes', namespace) }), 201, 'ConfigMap');
  t.step(`GET ${base}/configmaps/codes`);
  const got = expectCode('GET of the ConfigMap', await t.raw({ path: `${base}/configmaps/codes` }), 200, 'ConfigMap');
  t.step(`PUT ${base}/configmaps/codes`);
  expectCode('PUT of the ConfigMap', await t.raw({ method: 'PUT', path: `${base}/configmaps/codes`, body: { ...got, data: { v: '2' } } }), 200, 'ConfigMap');
  t.step(`DELETE ${base}/configmaps/codes`);
  const status = expectCode('DELETE of the ConfigMap', await t.raw({ method: 'DELETE', path: `${base}/configmaps/codes` }), 200, 'Status');
  if (status.status !== 'Success' || status.details?.name !== 'codes' || status.details?.kind !== 'configmaps') {
    t.fail('a Status with status Success and details {name: codes, kind: configmaps}', JSON.stringify(status), [{ label: 'DELETE response', value: status }]);
  }
  t.step(`POST ${base}/pods, then DELETE it`);
  const pod = expectCode('POST of a new Pod', await t.raw({ method: 'POST', path: `${base}/pods`, body: podManifest('codes', namespace) }), 201, 'Pod');
  const deleted = expectCode('DELETE of a Pod not on a node', await t.raw({ method: 'DELETE', path: `${base}/pods/codes` }), 200, 'Pod');
  if (deleted.metadata?.uid !== pod.metadata?.uid) {
    t.fail('the deleted Pod in the DELETE response (same uid)', `uid ${deleted.metadata?.uid}`, [{ label: 'DELETE response', value: deleted }]);
  }
});
