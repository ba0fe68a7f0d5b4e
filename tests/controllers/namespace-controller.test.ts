// Namespaces that delete their content: the API server's side (the finalize
// subresource, immortal namespaces, no new content in a terminating namespace)
// and the namespace controller against an in-process API server, with the
// test playing the node agent that finishes pods on a node.

import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { KubeObject } from '../../reference/src/api/types.ts';
import { ApiStatusError } from '../../reference/src/client/api-client.ts';
import { CONFIGMAPS, NAMESPACES, PODS, resourcePath } from '../../reference/src/client/paths.ts';
import { emptyReport, namespaceConditions } from '../../reference/src/controllers/namespace/conditions.ts';
import { NamespaceController, contentRecheckDelayMs } from '../../reference/src/controllers/namespace/namespace-controller.ts';
import { startTestApiServer } from '../support/apiserver.ts';
import { runControllers, until } from '../support/controllers.ts';

const T0 = '2026-01-01T00:00:00Z';
const T1 = '2026-01-01T00:01:00Z';

describe('namespace conditions', () => {
  it('reports every type as False with the reassuring message when all went well', () => {
    const conditions = namespaceConditions(emptyReport(), [], T0);
    expect(conditions.map((c) => [c.type, c.status, c.reason])).toEqual([
      ['NamespaceDeletionDiscoveryFailure', 'False', 'ResourcesDiscovered'],
      ['NamespaceDeletionGroupVersionParsingFailure', 'False', 'ParsedGroupVersions'],
      ['NamespaceDeletionContentFailure', 'False', 'ContentDeleted'],
      ['NamespaceContentRemaining', 'False', 'ContentRemoved'],
      ['NamespaceFinalizersRemaining', 'False', 'ContentHasNoFinalizers'],
    ]);
    expect(conditions[2].message).toBe('All content successfully deleted, may be waiting on finalization');
  });

  it('names what remains, sorted, in Kubernetes\' words, and keeps lastTransitionTime while nothing changes', () => {
    const report = emptyReport();
    report.remaining.set('replicasets.apps', 1).set('pods.', 2);
    report.finalizers.set('example.com/hold', 1);
    report.contentErrors.push('secrets.: boom');
    const first = namespaceConditions(report, [], T0);
    const byType = (list: typeof first, type: string) => list.find((c) => c.type === type)!;
    expect(byType(first, 'NamespaceContentRemaining')).toMatchObject({
      status: 'True', reason: 'SomeResourcesRemain',
      message: 'Some resources are remaining: pods. has 2 resource instances, replicasets.apps has 1 resource instances',
    });
    expect(byType(first, 'NamespaceFinalizersRemaining')).toMatchObject({
      status: 'True', reason: 'SomeFinalizersRemain',
      message: 'Some content in the namespace has finalizers remaining: example.com/hold in 1 resource instances',
    });
    expect(byType(first, 'NamespaceDeletionContentFailure')).toMatchObject({
      status: 'True', reason: 'ContentDeletionFailed', message: 'Failed to delete all resource types, 1 remaining: secrets.: boom',
    });
    const again = namespaceConditions(report, first, T1);
    expect(again).toEqual(first);
    const cleared = namespaceConditions(emptyReport(), first, T1);
    expect(byType(cleared, 'NamespaceContentRemaining')).toMatchObject({ status: 'False', lastTransitionTime: T1 });
    expect(byType(cleared, 'NamespaceDeletionDiscoveryFailure').lastTransitionTime).toBe(T0);
  });
});

describe('namespaces in the API server', () => {
  let api: Awaited<ReturnType<typeof startTestApiServer>>;
  beforeAll(async () => {
    api = await startTestApiServer();
  });
  afterAll(async () => api.stop());

  const createNamespace = (name: string, extra: Record<string, unknown> = {}) =>
    api.request({ method: 'POST', path: '/api/v1/namespaces', body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name }, ...extra } });

  it('discovery lists namespaces/finalize with the update verb', async () => {
    const list = (await api.request({ path: '/api/v1' })).json;
    expect(list.resources).toContainEqual(expect.objectContaining({ name: 'namespaces/finalize', kind: 'Namespace', verbs: ['update'] }));
  });

  it('PUT /finalize changes spec.finalizers and nothing else; a Terminating namespace with none left is gone', async () => {
    expect((await createNamespace('fin')).status).toBe(201);
    const ns = (await api.request({ path: '/api/v1/namespaces/fin' })).json;
    expect(ns.spec.finalizers).toEqual(['kubernetes']);

    // A body that also changes labels and status: only spec.finalizers is taken (Kubernetes would write the labels too: DEVIATIONS.md).
    const body = { ...ns, metadata: { ...ns.metadata, labels: { sneaky: 'yes' } }, spec: { finalizers: ['example.com/mine'] }, status: { phase: 'Terminating' } };
    const put = await api.request({ method: 'PUT', path: '/api/v1/namespaces/fin/finalize', body });
    expect(put.status).toBe(200);
    expect(put.json.spec.finalizers).toEqual(['example.com/mine']);
    expect(put.json.metadata.labels).toEqual({ 'kubernetes.io/metadata.name': 'fin' });
    expect(put.json.status.phase).toBe('Active');

    expect((await api.request({ path: '/api/v1/namespaces/fin/finalize' })).status).toBe(405);
    const bad = await api.request({ method: 'PUT', path: '/api/v1/namespaces/fin/finalize', body: { ...put.json, spec: { finalizers: ['nope'] } } });
    expect(bad.status).toBe(422);
    expect(bad.json.details.causes[0]).toMatchObject({ field: 'spec.finalizers[0]' });

    expect((await api.request({ method: 'DELETE', path: '/api/v1/namespaces/fin' })).status).toBe(200);
    const terminating = (await api.request({ path: '/api/v1/namespaces/fin' })).json;
    expect(terminating.status.phase).toBe('Terminating');
    // Go clients leave an empty list out: `spec: {}` means no finalizers.
    const last = await api.request({ method: 'PUT', path: '/api/v1/namespaces/fin/finalize', body: { ...terminating, spec: {} } });
    expect(last.status).toBe(200);
    expect((await api.request({ path: '/api/v1/namespaces/fin' })).status).toBe(404);
  });

  it('gives every new namespace the "kubernetes" finalizer, even one created with its own list; only on create', async () => {
    await createNamespace('own-empty', { spec: { finalizers: [] } });
    await createNamespace('own-list', { spec: { finalizers: ['example.com/x'] } });
    expect((await api.request({ path: '/api/v1/namespaces/own-empty' })).json.spec.finalizers).toEqual(['kubernetes']);
    const ns = (await api.request({ path: '/api/v1/namespaces/own-list' })).json;
    expect(ns.spec.finalizers).toEqual(['example.com/x', 'kubernetes']);

    // Removed through /finalize, it does not come back with the next update.
    const finalized = (await api.request({ method: 'PUT', path: '/api/v1/namespaces/own-list/finalize', body: { ...ns, spec: { finalizers: [] } } })).json;
    const updated = await api.request({ method: 'PUT', path: '/api/v1/namespaces/own-list', body: { ...finalized, metadata: { ...finalized.metadata, labels: { a: 'b' } }, spec: {} } });
    expect(updated.status).toBe(200);
    expect(updated.json.spec.finalizers ?? []).toEqual([]);
  });

  it('removes a Terminating namespace on a later DELETE once no finalizer holds it; the first DELETE only marks it', async () => {
    for (const [name, metadataFinalizers] of [['loose', undefined], ['pinned', ['example.com/pin']]] as const) {
      await createNamespace(name, metadataFinalizers ? { metadata: { name, finalizers: metadataFinalizers } } : {});
      const ns = (await api.request({ path: `/api/v1/namespaces/${name}` })).json;
      await api.request({ method: 'PUT', path: `/api/v1/namespaces/${name}/finalize`, body: { ...ns, spec: { finalizers: [] } } });
      expect((await api.request({ method: 'DELETE', path: `/api/v1/namespaces/${name}` })).status).toBe(200);
      expect((await api.request({ path: `/api/v1/namespaces/${name}` })).json.status.phase).toBe('Terminating');
      expect((await api.request({ method: 'DELETE', path: `/api/v1/namespaces/${name}` })).status).toBe(200);
    }
    expect((await api.request({ path: '/api/v1/namespaces/loose' })).status).toBe(404);
    // A metadata finalizer still holds the other one.
    expect((await api.request({ path: '/api/v1/namespaces/pinned' })).json.metadata.finalizers).toEqual(['example.com/pin']);
  });

  it('refuses to delete default, kube-system and kube-public (403)', async () => {
    for (const name of ['default', 'kube-system', 'kube-public']) {
      const res = await api.request({ method: 'DELETE', path: `/api/v1/namespaces/${name}` });
      expect(res.status, name).toBe(403);
      expect(res.json).toMatchObject({ reason: 'Forbidden', message: `namespaces "${name}" is forbidden: this namespace may not be deleted` });
      expect((await api.request({ path: `/api/v1/namespaces/${name}` })).json.metadata.deletionTimestamp).toBeUndefined();
    }
  });

  it('refuses new objects in a terminating namespace with 403 and the NamespaceTerminating cause; updates still work', async () => {
    await createNamespace('closing');
    const cm = (name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { a: '1' } });
    await api.request({ method: 'POST', path: '/api/v1/namespaces/closing/configmaps', body: cm('kept') });
    await api.request({ method: 'DELETE', path: '/api/v1/namespaces/closing' });
    const refused = await api.request({ method: 'POST', path: '/api/v1/namespaces/closing/configmaps', body: cm('late') });
    expect(refused.status).toBe(403);
    expect(refused.json).toMatchObject({
      reason: 'Forbidden',
      message: 'configmaps "late" is forbidden: unable to create new content in namespace closing because it is being terminated',
      details: { name: 'late', kind: 'configmaps', causes: [{ reason: 'NamespaceTerminating', message: 'namespace closing is being terminated', field: 'metadata.namespace' }] },
    });
    const patched = await api.request({
      method: 'PATCH', path: '/api/v1/namespaces/closing/configmaps/kept', body: { data: { a: '2' } },
      headers: { 'Content-Type': 'application/merge-patch+json' },
    });
    expect(patched.status).toBe(200);
  });

  it('an update of a pod in its grace period does not remove it; the final delete does', async () => {
    await createNamespace('grace');
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'kubelab/web:1' }] } };
    await api.request({ method: 'POST', path: '/api/v1/namespaces/grace/pods', body: pod });
    await api.request({ method: 'DELETE', path: '/api/v1/namespaces/grace/pods/p' });
    const status = await api.request({
      method: 'PATCH', path: '/api/v1/namespaces/grace/pods/p/status', body: { status: { phase: 'Failed' } },
      headers: { 'Content-Type': 'application/merge-patch+json' },
    });
    expect(status.status).toBe(200);
    expect((await api.request({ path: '/api/v1/namespaces/grace/pods/p' })).json.metadata.deletionTimestamp).toBeDefined();
    await api.request({ method: 'DELETE', path: '/api/v1/namespaces/grace/pods/p', body: { gracePeriodSeconds: 0 } });
    expect((await api.request({ path: '/api/v1/namespaces/grace/pods/p' })).status).toBe(404);
  });
});

describe('NamespaceController', () => {
  let api: Awaited<ReturnType<typeof startTestApiServer>>;
  let manager: Awaited<ReturnType<typeof runControllers>>;
  beforeAll(async () => {
    api = await startTestApiServer();
    manager = await runControllers(api.endpoint, [(ctx) => new NamespaceController(ctx)]);
  });
  afterAll(async () => {
    manager.stop();
    await api.stop();
  });

  const client = () => manager.client;
  const namespace = (name: string) => client().create(resourcePath(NAMESPACES), { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  const configMap = (ns: string, name: string, finalizers?: string[]) => client().create(resourcePath(CONFIGMAPS, ns), {
    apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, ...(finalizers ? { finalizers } : {}) }, data: { k: 'v' },
  });
  const pod = (ns: string, name: string, nodeName?: string) => client().create(resourcePath(PODS, ns), {
    apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { ...(nodeName ? { nodeName } : {}), containers: [{ name: 'c', image: 'kubelab/web:1' }] },
  });
  const gone = async (path: string) => {
    try {
      await client().get(path);
      return undefined;
    } catch (err) {
      return err instanceof ApiStatusError && err.code === 404 ? true : undefined;
    }
  };
  const condition = (ns: KubeObject | undefined, type: string) => (ns?.status?.conditions ?? []).find((c: any) => c.type === type);

  it('deletes every object in the namespace, then the namespace; other namespaces keep theirs', async () => {
    await namespace('doomed');
    await namespace('bystander');
    await configMap('doomed', 'a');
    await configMap('doomed', 'b');
    await pod('doomed', 'unscheduled');
    await configMap('bystander', 'a');
    await client().delete(resourcePath(NAMESPACES, undefined, 'doomed'));
    await until('namespace doomed gone', () => gone(resourcePath(NAMESPACES, undefined, 'doomed')));
    expect((await client().get<{ items: KubeObject[] }>(resourcePath(CONFIGMAPS, 'doomed'))).items).toEqual([]);
    expect((await client().get<{ items: KubeObject[] }>(resourcePath(PODS, 'doomed'))).items).toEqual([]);
    expect((await client().get<KubeObject>(resourcePath(CONFIGMAPS, 'bystander', 'a'))).metadata.deletionTimestamp).toBeUndefined();
  });

  it('waits for pods a node agent is still stopping and for finalizers, and says so in status.conditions', async () => {
    await namespace('slow');
    await pod('slow', 'one', 'node-1');
    await pod('slow', 'two', 'node-1');
    await configMap('slow', 'held', ['example.com/hold']);
    await client().delete(resourcePath(NAMESPACES, undefined, 'slow'));

    const waiting = await until('conditions naming the remaining content', async () => {
      const ns = await client().get<KubeObject>(resourcePath(NAMESPACES, undefined, 'slow'));
      return condition(ns, 'NamespaceFinalizersRemaining')?.status === 'True' ? ns : undefined;
    });
    expect(waiting.status.phase).toBe('Terminating');
    expect(waiting.spec.finalizers).toEqual(['kubernetes']);
    expect(condition(waiting, 'NamespaceContentRemaining')).toMatchObject({
      status: 'True', reason: 'SomeResourcesRemain',
      message: 'Some resources are remaining: configmaps. has 1 resource instances, pods. has 2 resource instances',
    });
    expect(condition(waiting, 'NamespaceFinalizersRemaining')?.message)
      .toBe('Some content in the namespace has finalizers remaining: example.com/hold in 1 resource instances');
    expect(condition(waiting, 'NamespaceDeletionDiscoveryFailure')).toMatchObject({ status: 'False', message: 'All resources successfully discovered' });
    const pods = (await client().get<{ items: KubeObject[] }>(resourcePath(PODS, 'slow'))).items;
    expect(pods.every((p) => p.metadata.deletionTimestamp)).toBe(true);

    // The node agent finishes the pods; the finalizer's owner lets the ConfigMap go.
    for (const p of pods) await client().delete(resourcePath(PODS, 'slow', p.metadata.name), { gracePeriodSeconds: 0 });
    const held = await client().get<KubeObject>(resourcePath(CONFIGMAPS, 'slow', 'held'));
    expect(held.metadata.deletionTimestamp).toBeDefined();
    await client().patch(resourcePath(CONFIGMAPS, 'slow', 'held'), { metadata: { finalizers: null } });
    await until('namespace slow gone', () => gone(resourcePath(NAMESPACES, undefined, 'slow')), 8000);
  });

  it('empties and removes a namespace that was created with spec.finalizers: []', async () => {
    await client().create(resourcePath(NAMESPACES), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'bare' }, spec: { finalizers: [] } });
    await configMap('bare', 'x');
    await client().delete(resourcePath(NAMESPACES, undefined, 'bare'));
    await until('namespace bare gone', () => gone(resourcePath(NAMESPACES, undefined, 'bare')));
    expect(await gone(resourcePath(CONFIGMAPS, 'bare', 'x'))).toBe(true);
  });

  it('looks again less and less often while content stays: after 1 s, 2 s, 4 s, 8 s, then every 15 s', async () => {
    expect([1, 2, 3, 4, 5, 6, 20].map(contentRecheckDelayMs)).toEqual([1000, 2000, 4000, 8000, 15_000, 15_000, 15_000]);
    const controller = manager.controllers[0] as NamespaceController;
    const addAfter = vi.spyOn(controller.queue, 'addAfter');
    try {
      await namespace('stuck');
      await configMap('stuck', 'held', ['example.com/hold']);
      await client().delete(resourcePath(NAMESPACES, undefined, 'stuck'));
      const delays = () => addAfter.mock.calls.filter(([key]) => key === 'stuck').map(([, ms]) => ms);
      await until('two passes that found content', () => (delays().length >= 2 ? true : undefined));
      expect(delays().slice(0, 2)).toEqual([1000, 2000]);
    } finally {
      addAfter.mockRestore();
    }
    await client().patch(resourcePath(CONFIGMAPS, 'stuck', 'held'), { metadata: { finalizers: null } });
    await until('namespace stuck gone', () => gone(resourcePath(NAMESPACES, undefined, 'stuck')), 8000);
  });

  it('leaves a namespace alone while another spec finalizer holds it', async () => {
    await namespace('guarded');
    const ns = await client().get<KubeObject>(resourcePath(NAMESPACES, undefined, 'guarded'));
    await client().update(resourcePath(NAMESPACES, undefined, 'guarded', 'finalize'), { ...ns, spec: { finalizers: ['kubernetes', 'example.com/guard'] } });
    await configMap('guarded', 'x');
    await client().delete(resourcePath(NAMESPACES, undefined, 'guarded'));
    const after = await until('our finalizer removed', async () => {
      const now = await client().get<KubeObject>(resourcePath(NAMESPACES, undefined, 'guarded'));
      return now.spec.finalizers.includes('kubernetes') ? undefined : now;
    });
    expect(after.spec.finalizers).toEqual(['example.com/guard']);
    expect(await gone(resourcePath(CONFIGMAPS, 'guarded', 'x'))).toBe(true);
    await client().update(resourcePath(NAMESPACES, undefined, 'guarded', 'finalize'), { ...after, spec: { finalizers: [] } });
    expect(await gone(resourcePath(NAMESPACES, undefined, 'guarded'))).toBe(true);
  });
});
