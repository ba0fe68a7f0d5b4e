// @kubernetes/client-node (1.4) against the reference API server: the typed
// CoreV1Api and AppsV1Api (create, read, list, patch with each patch type,
// replace, delete) for pods, deployments and services; Watch; an Informer;
// errors as ApiException carrying the Status body; KubernetesObjectApi, which
// finds resources through discovery.
//
// The server is started once, as the graders start it (memory store, no nodes;
// the scheduler and the controller manager run), and the client reads the kubeconfig the harness wrote:
// https with the cluster CA and a bearer token.
//
// How client-node 1.4 is called: every method takes one object of parameters
// ({ namespace, name, body, ... }); a patch's Content-Type is chosen with a
// second argument, setHeaderOptions('Content-Type', PatchStrategy.MergePatch)
// (the generated default is a JSON patch); failures throw ApiException, whose
// `code` is the HTTP status and whose `body` is the response text.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApiException,
  AppsV1Api,
  CoreV1Api,
  KubeConfig,
  KubernetesObjectApi,
  PatchStrategy,
  Watch,
  makeInformer,
  setHeaderOptions,
  type KubernetesObject,
  type V1Deployment,
  type V1Pod,
} from '@kubernetes/client-node';
import { ProcessCluster } from '../../conformance/harness/process-driver.ts';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const NS = 'client';

let cluster: ProcessCluster;
let dataDir: string;
let kc: KubeConfig;
let core: CoreV1Api;
let apps: AppsV1Api;

function pod(name: string, labels: Record<string, string> = {}): V1Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: { app: name, ...labels } },
    // No scheduler serves this name, so no component writes to these pods and
    // a watch sees only this test's own changes.
    spec: { schedulerName: 'no-scheduler', containers: [{ name: 'main', image: 'kubelab/box:1' }] },
  };
}

function deployment(name: string, replicas: number, image: string): V1Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'web', image, env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }] }] },
      },
    },
  };
}

/** Runs `fn`, expects an ApiException, returns its code and its body parsed as a Status. */
async function apiError(fn: () => Promise<unknown>): Promise<{ code: number; status: any }> {
  try {
    await fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ApiException);
    const e = err as ApiException<string>;
    return { code: e.code, status: JSON.parse(e.body) };
  }
  throw new Error('expected the call to fail');
}

async function waitFor(what: string, condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'kubelab-client-node-'));
  cluster = await ProcessCluster.start({ implDir: REPO_ROOT, dataDir, nodes: 0, profile: 'fast', store: 'memory' });
  kc = new KubeConfig();
  kc.loadFromFile(cluster.kubeconfig);
  core = kc.makeApiClient(CoreV1Api);
  apps = kc.makeApiClient(AppsV1Api);
  await core.createNamespace({ body: { metadata: { name: NS } } });
});

afterAll(async () => {
  await cluster?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('CoreV1Api: pods', () => {
  it('create, read, list with a label selector', async () => {
    const created = await core.createNamespacedPod({ namespace: NS, body: pod('alpha', { tier: 'a' }) });
    expect(created.metadata?.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.metadata?.namespace).toBe(NS);
    // The typed client turns timestamps into Dates.
    expect(created.metadata?.creationTimestamp).toBeInstanceOf(Date);
    expect(created.status?.phase).toBe('Pending');
    expect(created.spec?.containers[0].imagePullPolicy).toBe('IfNotPresent');

    const read = await core.readNamespacedPod({ namespace: NS, name: 'alpha' });
    expect(read.metadata?.resourceVersion).toBe(created.metadata?.resourceVersion);

    await core.createNamespacedPod({ namespace: NS, body: pod('beta', { tier: 'b' }) });
    const list = await core.listNamespacedPod({ namespace: NS, labelSelector: 'tier in (a,b)' });
    expect(list.kind).toBe('PodList');
    expect(list.metadata?.resourceVersion).toMatch(/^\d+$/);
    expect(list.items.map((p) => p.metadata?.name).sort()).toEqual(['alpha', 'beta']);
    const onlyA = await core.listNamespacedPod({ namespace: NS, labelSelector: 'tier=a' });
    expect(onlyA.items.map((p) => p.metadata?.name)).toEqual(['alpha']);
    const byName = await core.listPodForAllNamespaces({ fieldSelector: `metadata.name=beta,metadata.namespace=${NS}` });
    expect(byName.items.map((p) => p.metadata?.name)).toEqual(['beta']);
  });

  it('patch: merge, strategic merge and JSON patch, chosen with setHeaderOptions', async () => {
    const merged = await core.patchNamespacedPod(
      { namespace: NS, name: 'alpha', body: { metadata: { labels: { color: 'red' } } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    expect(merged.metadata?.labels).toEqual({ app: 'alpha', tier: 'a', color: 'red' });

    const strategic = await core.patchNamespacedPod(
      { namespace: NS, name: 'alpha', body: { spec: { containers: [{ name: 'main', image: 'kubelab/box:2' }] } } },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
    expect(strategic.spec?.containers.map((c) => [c.name, c.image])).toEqual([['main', 'kubelab/box:2']]);
    expect(strategic.spec?.containers[0].terminationMessagePath).toBe('/dev/termination-log'); // merged, not replaced

    // Without options the generated client sends application/json-patch+json.
    const jsonPatched = await core.patchNamespacedPod({
      namespace: NS, name: 'alpha', body: [{ op: 'remove', path: '/metadata/labels/color' }],
    });
    expect(jsonPatched.metadata?.labels).toEqual({ app: 'alpha', tier: 'a' });
  });

  it('replace: PUT with the resourceVersion that was read; a stale one is a 409 Conflict', async () => {
    const current = await core.readNamespacedPod({ namespace: NS, name: 'beta' });
    current.metadata!.annotations = { note: 'replaced' };
    const replaced = await core.replaceNamespacedPod({ namespace: NS, name: 'beta', body: current });
    expect(replaced.metadata?.annotations).toEqual({ note: 'replaced' });
    expect(replaced.metadata?.resourceVersion).not.toBe(current.metadata?.resourceVersion);

    const { code, status } = await apiError(() => core.replaceNamespacedPod({ namespace: NS, name: 'beta', body: current }));
    expect(code).toBe(409);
    expect(status).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'Conflict', code: 409 });
  });

  it('delete: the pod goes at once (no node has to stop it)', async () => {
    await core.deleteNamespacedPod({ namespace: NS, name: 'beta' });
    const { code } = await apiError(() => core.readNamespacedPod({ namespace: NS, name: 'beta' }));
    expect(code).toBe(404);
  });
});

describe('errors are ApiException with the Status body', () => {
  it('404 NotFound for a missing pod', async () => {
    const { code, status } = await apiError(() => core.readNamespacedPod({ namespace: NS, name: 'missing' }));
    expect(code).toBe(404);
    expect(status).toMatchObject({
      kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404,
      message: 'pods "missing" not found', details: { name: 'missing', kind: 'pods' },
    });
  });

  it('409 AlreadyExists for a second create', async () => {
    const { code, status } = await apiError(() => core.createNamespacedPod({ namespace: NS, body: pod('alpha') }));
    expect(code).toBe(409);
    expect(status).toMatchObject({ reason: 'AlreadyExists', message: 'pods "alpha" already exists' });
  });

  it('422 Invalid with the field causes', async () => {
    const { code, status } = await apiError(() => core.createNamespacedPod({
      namespace: NS, body: { metadata: { name: 'Bad_Name' }, spec: { containers: [] } },
    }));
    expect(code).toBe(422);
    expect(status).toMatchObject({ reason: 'Invalid', details: { name: 'Bad_Name', kind: 'Pod' } });
    expect(status.details.causes.map((c: any) => c.field)).toEqual(expect.arrayContaining(['metadata.name', 'spec.containers']));
  });
});

describe('AppsV1Api: deployments', () => {
  it('create, read, list', async () => {
    const created = await apps.createNamespacedDeployment({ namespace: NS, body: deployment('web', 2, 'kubelab/web:1') });
    expect(created.metadata?.generation).toBe(1);
    expect(created.spec?.strategy?.type).toBe('RollingUpdate');
    expect(created.spec?.revisionHistoryLimit).toBe(10);
    const read = await apps.readNamespacedDeployment({ namespace: NS, name: 'web' });
    expect(read.spec?.replicas).toBe(2);
    const list = await apps.listNamespacedDeployment({ namespace: NS });
    expect(list.items.map((d) => d.metadata?.name)).toEqual(['web']);
  });

  it('patch: a strategic merge patch merges env by name and deletes with $patch', async () => {
    const patched = await apps.patchNamespacedDeployment(
      {
        namespace: NS, name: 'web',
        body: { spec: { template: { spec: { containers: [{ name: 'web', env: [{ name: 'A', $patch: 'delete' }, { name: 'C', value: '3' }] }] } } } },
      },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
    expect(patched.spec?.template.spec?.containers[0].env).toEqual([{ name: 'B', value: '2' }, { name: 'C', value: '3' }]);
    expect(patched.metadata?.generation).toBe(2);
  });

  it('the scale subresource', async () => {
    const scale = await apps.readNamespacedDeploymentScale({ namespace: NS, name: 'web' });
    expect(scale.kind).toBe('Scale');
    expect(scale.spec?.replicas).toBe(2);
    const patched = await apps.patchNamespacedDeploymentScale(
      { namespace: NS, name: 'web', body: { spec: { replicas: 4 } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    expect(patched.spec?.replicas).toBe(4);
    expect((await apps.readNamespacedDeployment({ namespace: NS, name: 'web' })).spec?.replicas).toBe(4);
  });

  it('replace, then server-side apply', async () => {
    // The controller manager runs too and writes the Deployment's status, so a replace may meet a newer
    // resourceVersion: read, change and replace again on 409, as client-go's retry.RetryOnConflict does.
    let replaced: V1Deployment | undefined;
    for (let attempt = 1; !replaced; attempt++) {
      const current = await apps.readNamespacedDeployment({ namespace: NS, name: 'web' });
      current.spec!.template.spec!.containers[0].image = 'kubelab/web:2';
      replaced = await apps.replaceNamespacedDeployment({ namespace: NS, name: 'web', body: current }).catch((err) => {
        if (!(err instanceof ApiException && err.code === 409 && attempt < 5)) throw err;
        return undefined;
      });
    }
    expect(replaced.spec?.template.spec?.containers[0].image).toBe('kubelab/web:2');

    const applied = await apps.patchNamespacedDeployment(
      { namespace: NS, name: 'web', fieldManager: 'client-node-test', body: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { replicas: 1 } } },
      setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply),
    );
    expect(applied.spec?.replicas).toBe(1);
    expect(applied.spec?.template.spec?.containers[0].image).toBe('kubelab/web:2');
  });

  it('delete', async () => {
    await apps.deleteNamespacedDeployment({ namespace: NS, name: 'web' });
    const { code, status } = await apiError(() => apps.readNamespacedDeployment({ namespace: NS, name: 'web' }));
    expect(code).toBe(404);
    expect(status).toMatchObject({ reason: 'NotFound', details: { name: 'web', group: 'apps', kind: 'deployments' } });
  });
});

describe('CoreV1Api: services', () => {
  it('create allocates a cluster IP; read, list, patch, replace, delete', async () => {
    const created = await core.createNamespacedService({
      namespace: NS,
      body: { metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] } },
    });
    expect(created.spec?.type).toBe('ClusterIP');
    expect(created.spec?.clusterIP).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(created.spec?.ports?.[0]).toMatchObject({ port: 80, protocol: 'TCP', targetPort: 8080 });

    expect((await core.readNamespacedService({ namespace: NS, name: 'web' })).spec?.clusterIP).toBe(created.spec?.clusterIP);
    const list = await core.listNamespacedService({ namespace: NS });
    expect(list.items.map((s) => s.metadata?.name)).toEqual(['web']);

    // Service ports merge by port in a strategic merge patch (with two ports, each needs a name).
    const patched = await core.patchNamespacedService(
      { namespace: NS, name: 'web', body: { spec: { ports: [{ port: 80, name: 'http' }, { port: 443, targetPort: 8443, name: 'https' }] } } },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
    expect(patched.spec?.ports?.map((p) => [p.name, p.port, p.targetPort])).toEqual([['http', 80, 8080], ['https', 443, 8443]]);

    const current = await core.readNamespacedService({ namespace: NS, name: 'web' });
    current.spec!.ports = [{ name: 'http', port: 80, targetPort: 8080 }];
    const replaced = await core.replaceNamespacedService({ namespace: NS, name: 'web', body: current });
    expect(replaced.spec?.ports?.map((p) => p.port)).toEqual([80]);
    expect(replaced.spec?.clusterIP).toBe(created.spec?.clusterIP);

    await core.deleteNamespacedService({ namespace: NS, name: 'web' });
    expect((await apiError(() => core.readNamespacedService({ namespace: NS, name: 'web' }))).code).toBe(404);
  });
});

describe('Watch', () => {
  it('sees ADDED, MODIFIED and DELETED for a pod', async () => {
    const events: Array<[string, string]> = [];
    let ended: unknown = 'not yet';
    const watch = new Watch(kc);
    // watch() resolves once the response headers are in: the stream is open.
    const controller = await watch.watch(
      `/api/v1/namespaces/${NS}/pods`,
      { labelSelector: 'app=watched' },
      (type, obj: V1Pod) => events.push([type, obj.metadata!.name!]),
      (err) => (ended = err),
    );
    try {
      await core.createNamespacedPod({ namespace: NS, body: pod('watched') });
      await core.patchNamespacedPod(
        { namespace: NS, name: 'watched', body: { metadata: { annotations: { seen: 'yes' } } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
      await core.deleteNamespacedPod({ namespace: NS, name: 'watched' });
      await waitFor('three events', () => events.length >= 3);
      expect(events).toEqual([['ADDED', 'watched'], ['MODIFIED', 'watched'], ['DELETED', 'watched']]);
      expect(ended).toBe('not yet');
    } finally {
      controller.abort();
    }
  });

  it('from a list resourceVersion, replays what changed after the list (what informers rely on)', async () => {
    const list = await core.listNamespacedPod({ namespace: NS, labelSelector: 'app=late' });
    expect(list.items).toEqual([]);
    await core.createNamespacedPod({ namespace: NS, body: pod('late') }); // between the list and the watch
    const events: Array<[string, string]> = [];
    const controller = await new Watch(kc).watch(
      `/api/v1/namespaces/${NS}/pods`,
      { labelSelector: 'app=late', resourceVersion: list.metadata!.resourceVersion },
      (type, obj: V1Pod) => events.push([type, obj.metadata!.name!]),
      () => {},
    );
    try {
      await waitFor('the replayed ADDED', () => events.length >= 1);
      expect(events).toEqual([['ADDED', 'late']]);
    } finally {
      controller.abort();
      await core.deleteNamespacedPod({ namespace: NS, name: 'late' });
    }
  });
});

describe('Informer', () => {
  it('gets the initial list, then follows adds, updates and deletes', async () => {
    await core.createNamespacedPod({ namespace: NS, body: pod('before', { informed: 'yes' }) });
    const informer = makeInformer<V1Pod>(
      kc,
      `/api/v1/namespaces/${NS}/pods`,
      () => core.listNamespacedPod({ namespace: NS, labelSelector: 'informed=yes' }),
      'informed=yes',
    );
    const seen: string[] = [];
    informer.on('add', (p) => seen.push(`add ${p.metadata?.name}`));
    informer.on('update', (p) => seen.push(`update ${p.metadata?.name} ${p.metadata?.labels?.color ?? ''}`.trim()));
    informer.on('delete', (p) => seen.push(`delete ${p.metadata?.name}`));
    let failure: unknown;
    informer.on('error', (err) => (failure = err));
    await informer.start();
    try {
      await waitFor('the initial list', () => seen.includes('add before'));
      expect(informer.list(NS).map((p) => p.metadata?.name)).toEqual(['before']);

      await core.createNamespacedPod({ namespace: NS, body: pod('after', { informed: 'yes' }) });
      await waitFor('add after', () => seen.includes('add after'));
      await core.patchNamespacedPod(
        { namespace: NS, name: 'after', body: { metadata: { labels: { color: 'blue' } } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
      await waitFor('update after', () => seen.includes('update after blue'));
      expect(informer.get('after', NS)?.metadata?.labels?.color).toBe('blue');
      await core.deleteNamespacedPod({ namespace: NS, name: 'before' });
      await waitFor('delete before', () => seen.includes('delete before'));
      expect(informer.list(NS).map((p) => p.metadata?.name)).toEqual(['after']);
      expect(failure).toBeUndefined();
    } finally {
      await informer.stop();
    }
  });
});

describe('KubernetesObjectApi: generic objects, found through discovery', () => {
  it('create, read, patch, list and delete a ConfigMap and a Deployment', async () => {
    const client = KubernetesObjectApi.makeApiClient(kc);
    const cm: KubernetesObject & { data: Record<string, string> } = {
      apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: NS }, data: { color: 'blue' },
    };
    const created = await client.create(cm);
    expect(created.metadata?.uid).toBeDefined();
    const read = await client.read<typeof cm>({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: NS } });
    expect(read.data).toEqual({ color: 'blue' });
    const patched = await client.patch<typeof cm>(
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: NS }, data: { size: 'L' } },
      undefined, undefined, undefined, undefined, PatchStrategy.MergePatch,
    );
    expect(patched.data).toEqual({ color: 'blue', size: 'L' });

    const dep = { ...deployment('api', 1, 'kubelab/api:1'), metadata: { name: 'api', namespace: NS } };
    await client.create(dep);
    const list = await client.list('apps/v1', 'Deployment', NS);
    expect(list.items.map((d) => d.metadata?.name)).toEqual(['api']);

    await client.delete(cm);
    await client.delete(dep);
    const { code } = await apiError(() => client.read({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: NS } }));
    expect(code).toBe(404);
    expect((await apiError(() => client.read({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'api', namespace: NS } }))).code).toBe(404);
  });
});
