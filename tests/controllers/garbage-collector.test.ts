// The garbage collector against an in-process API server: background,
// foreground and orphan deletion, dangling owner references, and owners that
// the caches have not seen yet. No ReplicaSet controller runs: the tests make
// the owners' dependents themselves, and play the node agent for pods on a node.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject, OwnerReference } from '../../reference/src/api/types.ts';
import { ApiStatusError } from '../../reference/src/client/api-client.ts';
import { CONFIGMAPS, DEPLOYMENTS, LEASES, NAMESPACES, PODS, REPLICASETS, resourcePath } from '../../reference/src/client/paths.ts';
import { DependencyGraph } from '../../reference/src/controllers/garbage-collector/dependency-graph.ts';
import { GarbageCollector } from '../../reference/src/controllers/garbage-collector/garbage-collector.ts';
import { startTestApiServer } from '../support/apiserver.ts';
import { runControllers, until } from '../support/controllers.ts';

describe('dependency graph', () => {
  const obj = (uid: string, owners: string[]): KubeObject => ({
    apiVersion: 'v1', kind: 'Pod', metadata: { name: uid, uid, ownerReferences: owners.map((o) => ({ apiVersion: 'v1', kind: 'X', name: o, uid: o })) },
  });

  it('lists the dependents of an owner uid, and follows changes and deletions', () => {
    const graph = new DependencyGraph();
    graph.upsert('pods/ns/a', obj('a', ['rs1']));
    graph.upsert('pods/ns/b', obj('b', ['rs1', 'cm1']));
    expect(graph.dependentsOf('rs1').sort()).toEqual(['pods/ns/a', 'pods/ns/b']);
    expect(graph.keyOf('b')).toBe('pods/ns/b');
    graph.upsert('pods/ns/b', obj('b', ['cm1']), obj('b', ['rs1', 'cm1']));
    expect(graph.dependentsOf('rs1')).toEqual(['pods/ns/a']);
    expect(graph.dependentsOf('cm1')).toEqual(['pods/ns/b']);
    graph.remove('pods/ns/a', obj('a', ['rs1']));
    expect(graph.dependentsOf('rs1')).toEqual([]);
    expect(graph.keyOf('a')).toBeUndefined();
  });
});

describe('GarbageCollector', () => {
  let api: Awaited<ReturnType<typeof startTestApiServer>>;
  let manager: Awaited<ReturnType<typeof runControllers>>;
  const NS = 'gc';
  beforeAll(async () => {
    api = await startTestApiServer();
    manager = await runControllers(api.endpoint, [(ctx) => new GarbageCollector(ctx)]);
    await manager.client.create(resourcePath(NAMESPACES), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
  });
  afterAll(async () => {
    manager.stop();
    await api.stop();
  });

  const client = () => manager.client;
  const refTo = (owner: KubeObject, blockOwnerDeletion = true): OwnerReference => ({
    apiVersion: owner.apiVersion, kind: owner.kind, name: owner.metadata.name!, uid: owner.metadata.uid!, controller: true, blockOwnerDeletion,
  });
  const replicaSet = (name: string) => client().create<KubeObject>(resourcePath(REPLICASETS, NS), {
    apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name },
    spec: { replicas: 0, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'kubelab/web:1' }] } } },
  });
  /** A pod; on a node it is deleted gracefully, so it stays until the test (the node agent) finishes it. */
  const pod = (name: string, ownerReferences: OwnerReference[], nodeName?: string) => client().create<KubeObject>(resourcePath(PODS, NS), {
    apiVersion: 'v1', kind: 'Pod', metadata: { name, ownerReferences },
    spec: { ...(nodeName ? { nodeName } : {}), containers: [{ name: 'c', image: 'kubelab/web:1' }] },
  });
  const get = (path: string) => client().get<KubeObject>(path).catch((err) => {
    if (err instanceof ApiStatusError && err.code === 404) return undefined;
    throw err;
  });
  const gone = async (path: string) => ((await get(path)) === undefined ? true : undefined);
  const podPath = (name: string) => resourcePath(PODS, NS, name);

  it('background: deleting an owner deletes its dependents', async () => {
    const rs = await replicaSet('bg');
    await pod('bg-1', [refTo(rs)]);
    await pod('bg-2', [refTo(rs)]);
    await client().delete(resourcePath(REPLICASETS, NS, 'bg'), { propagationPolicy: 'Background' });
    await until('both pods gone', async () => ((await gone(podPath('bg-1'))) && (await gone(podPath('bg-2'))) ? true : undefined));
  });

  it('collects a dependent whose owner never existed, or is a different object of the same name', async () => {
    const ghost = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'ghost', uid: '00000000-0000-0000-0000-000000000001', controller: true };
    await pod('orphan-ghost', [ghost]);
    const rs = await replicaSet('renamed');
    await pod('stale-uid', [{ ...refTo(rs), uid: '00000000-0000-0000-0000-000000000002' }]);
    await until('both collected', async () => ((await gone(podPath('orphan-ghost'))) && (await gone(podPath('stale-uid'))) ? true : undefined));
    expect(await get(resourcePath(REPLICASETS, NS, 'renamed'))).toBeDefined();
  });

  it('keeps a dependent that still has an owner, and drops only the reference to the gone one', async () => {
    const keeper = await client().create<KubeObject>(resourcePath(CONFIGMAPS, NS), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'keeper' } });
    const ghost = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'gone', uid: '00000000-0000-0000-0000-000000000003' };
    await pod('two-owners', [{ ...refTo(keeper), controller: false }, ghost]);
    const after = await until('the dangling reference dropped', async () => {
      const p = await get(podPath('two-owners'));
      return p?.metadata.ownerReferences?.length === 1 ? p : undefined;
    });
    expect(after.metadata.ownerReferences![0].uid).toBe(keeper.metadata.uid);
    expect(after.metadata.deletionTimestamp).toBeUndefined();
  });

  it('never deletes a dependent whose owner the caches have not seen yet', async () => {
    const pairs = await Promise.all(Array.from({ length: 8 }, async (_, i) => {
      const rs = await replicaSet(`fresh-${i}`);
      return pod(`fresh-${i}-pod`, [refTo(rs)]);
    }));
    await new Promise((r) => setTimeout(r, 500));
    for (const p of pairs) expect((await get(podPath(p.metadata.name!)))?.metadata.deletionTimestamp).toBeUndefined();
  });

  it('looks up an owner the caches cannot have (a kind it does not watch) with a GET before deciding', async () => {
    const lease = await client().create<KubeObject>(resourcePath(LEASES, NS), {
      apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'holder' }, spec: { holderIdentity: 'x' },
    });
    await pod('lease-owned', [{ ...refTo(lease), controller: false }]);
    const ghost = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', name: 'holder', uid: '00000000-0000-0000-0000-000000000004' };
    await pod('lease-stale', [ghost]);
    await until('the pod owned by a Lease of another uid collected', () => gone(podPath('lease-stale')));
    await new Promise((r) => setTimeout(r, 300));
    const kept = await get(podPath('lease-owned'));
    expect(kept).toBeDefined();
    expect(kept!.metadata.deletionTimestamp).toBeUndefined();
  });

  it('foreground: the owner stays, with foregroundDeletion, until its blocking dependents are gone', async () => {
    const rs = await replicaSet('fg');
    await pod('fg-1', [refTo(rs)], 'node-1');
    await pod('fg-2', [refTo(rs)], 'node-1');
    const note = await client().create<KubeObject>(resourcePath(CONFIGMAPS, NS), {
      apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'fg-note', ownerReferences: [refTo(rs, false)] },
    });
    await client().delete(resourcePath(REPLICASETS, NS, 'fg'), { propagationPolicy: 'Foreground' });

    const pods = await until('both pods terminating', async () => {
      const both = await Promise.all([get(podPath('fg-1')), get(podPath('fg-2'))]);
      return both.every((p) => p?.metadata.deletionTimestamp) ? both as KubeObject[] : undefined;
    });
    // The dependent that does not block is deleted too, but not waited for.
    await until('the non-blocking ConfigMap gone', () => gone(resourcePath(CONFIGMAPS, NS, note.metadata.name)));
    const waiting = await get(resourcePath(REPLICASETS, NS, 'fg'));
    expect(waiting?.metadata.deletionTimestamp).toBeDefined();
    expect(waiting?.metadata.finalizers).toEqual(['foregroundDeletion']);

    await client().delete(podPath(pods[0].metadata.name!), { gracePeriodSeconds: 0 });
    await new Promise((r) => setTimeout(r, 200));
    expect(await get(resourcePath(REPLICASETS, NS, 'fg'))).toBeDefined(); // one blocking pod left
    await client().delete(podPath(pods[1].metadata.name!), { gracePeriodSeconds: 0 });
    await until('the ReplicaSet gone', () => gone(resourcePath(REPLICASETS, NS, 'fg')));
  });

  it('foreground through two levels: Deployment → ReplicaSet → pods', async () => {
    const deploy = await client().create<KubeObject>(resourcePath(DEPLOYMENTS, NS), {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'chain' },
      spec: { replicas: 0, selector: { matchLabels: { app: 'chain' } }, template: { metadata: { labels: { app: 'chain' } }, spec: { containers: [{ name: 'c', image: 'kubelab/web:1' }] } } },
    });
    const rs = await client().create<KubeObject>(resourcePath(REPLICASETS, NS), {
      apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'chain-rs', ownerReferences: [refTo(deploy)] },
      spec: { replicas: 0, selector: { matchLabels: { app: 'chain' } }, template: { metadata: { labels: { app: 'chain' } }, spec: { containers: [{ name: 'c', image: 'kubelab/web:1' }] } } },
    });
    await pod('chain-pod', [refTo(rs)], 'node-1');
    await client().delete(resourcePath(DEPLOYMENTS, NS, 'chain'), { propagationPolicy: 'Foreground' });
    const rsWaiting = await until('the ReplicaSet deleted in the foreground too', async () => {
      const r = await get(resourcePath(REPLICASETS, NS, 'chain-rs'));
      return r?.metadata.finalizers?.includes('foregroundDeletion') ? r : undefined;
    });
    expect(rsWaiting.metadata.deletionTimestamp).toBeDefined();
    await until('the pod terminating', async () => ((await get(podPath('chain-pod')))?.metadata.deletionTimestamp ? true : undefined));
    expect(await get(resourcePath(DEPLOYMENTS, NS, 'chain'))).toBeDefined();
    await client().delete(podPath('chain-pod'), { gracePeriodSeconds: 0 });
    await until('ReplicaSet and Deployment gone', async () =>
      ((await gone(resourcePath(REPLICASETS, NS, 'chain-rs'))) && (await gone(resourcePath(DEPLOYMENTS, NS, 'chain'))) ? true : undefined));
  });

  it('orphan: the dependents lose their reference to the owner and stay; then the owner goes', async () => {
    const rs = await replicaSet('orph');
    await pod('orph-1', [refTo(rs)]);
    await pod('orph-2', [refTo(rs)]);
    await client().delete(resourcePath(REPLICASETS, NS, 'orph'), { propagationPolicy: 'Orphan' });
    await until('the ReplicaSet gone', () => gone(resourcePath(REPLICASETS, NS, 'orph')));
    for (const name of ['orph-1', 'orph-2']) {
      const p = await get(podPath(name));
      expect(p, name).toBeDefined();
      expect(p!.metadata.ownerReferences, name).toBeUndefined();
      expect(p!.metadata.deletionTimestamp, name).toBeUndefined();
    }
  });
});
