// The ReplicaSet controller: the pure parts (which pods go first, slow start,
// status) and the whole controller against an in-process API server, with pod
// readiness written by the test in place of a node agent.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../reference/src/api/types.ts';
import { ApiStatusError } from '../../reference/src/client/api-client.ts';
import { PODS, REPLICASETS, resourcePath } from '../../reference/src/client/paths.ts';
import { ReplicaSetController, slowStartBatch } from '../../reference/src/controllers/replicaset/replicaset-controller.ts';
import { sortForScaleDown } from '../../reference/src/controllers/replicaset/scale-down-order.ts';
import { replicaSetStatus } from '../../reference/src/controllers/replicaset/status.ts';
import { startTestApiServer } from '../support/apiserver.ts';
import { runControllers, until } from '../support/controllers.ts';

function pod(name: string, opts: { node?: string; phase?: string; readySince?: string; created?: string; restarts?: number; labels?: Record<string, string> } = {}): KubeObject {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, namespace: 'default', creationTimestamp: opts.created ?? '2026-01-01T00:00:00Z', labels: opts.labels ?? { app: 'web' } },
    spec: { nodeName: opts.node },
    status: {
      phase: opts.phase ?? 'Pending',
      conditions: opts.readySince ? [{ type: 'Ready', status: 'True', lastTransitionTime: opts.readySince }] : [],
      containerStatuses: [{ restartCount: opts.restarts ?? 0 }],
    },
  };
}

describe('scale-down order', () => {
  it('deletes unscheduled, then pending, then not ready, then the most recently ready, then the newest', () => {
    const pods = [
      pod('ready-long', { node: 'n1', phase: 'Running', readySince: '2026-01-01T00:00:00Z' }),
      pod('ready-recent', { node: 'n2', phase: 'Running', readySince: '2026-01-01T01:00:00Z' }),
      pod('running-not-ready', { node: 'n3', phase: 'Running' }),
      pod('pending-on-node', { node: 'n4', phase: 'Pending' }),
      pod('unscheduled'),
    ];
    expect(sortForScaleDown(pods, pods).map((p) => p.metadata.name)).toEqual([
      'unscheduled', 'pending-on-node', 'running-not-ready', 'ready-recent', 'ready-long',
    ]);
  });

  it('prefers pods crowded on one node, then restarts, then the newest', () => {
    const a = pod('crowded', { node: 'n1', phase: 'Running' });
    const b = pod('sibling', { node: 'n1', phase: 'Running', created: '2025-01-01T00:00:00Z' });
    const c = pod('alone', { node: 'n2', phase: 'Running', created: '2027-01-01T00:00:00Z' });
    expect(sortForScaleDown([c, a], [a, b, c]).map((p) => p.metadata.name)).toEqual(['crowded', 'alone']);
    const d = pod('restarted', { node: 'n3', phase: 'Running', restarts: 4 });
    const e = pod('newer', { node: 'n4', phase: 'Running', created: '2027-01-01T00:00:00Z' });
    expect(sortForScaleDown([e, d], [d, e]).map((p) => p.metadata.name)).toEqual(['restarted', 'newer']);
  });
});

describe('slow start', () => {
  it('calls in batches of 1, 2, 4, … and stops at the first failing batch', async () => {
    let calls = 0;
    const ok = await slowStartBatch(10, async () => { calls++; });
    expect(ok).toEqual({ created: 10 });
    expect(calls).toBe(10);

    calls = 0;
    const failing = await slowStartBatch(10, async () => {
      calls++;
      if (calls > 3) throw new Error('quota exceeded');
    });
    // Batches 1 and 2 succeed; the batch of 4 has failures; nothing after it runs.
    expect(calls).toBe(7);
    expect(failing.created).toBe(3);
    expect(failing.error?.message).toBe('quota exceeded');
  });
});

describe('status', () => {
  it('counts ready pods as available only after minReadySeconds', () => {
    const rs = { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'web', generation: 3 }, spec: { minReadySeconds: 10, template: { metadata: { labels: { app: 'web', tier: 'x' } } } } };
    const now = Date.parse('2026-01-01T00:00:30Z');
    const pods = [
      pod('old', { readySince: '2026-01-01T00:00:00Z', labels: { app: 'web', tier: 'x' } }),
      pod('fresh', { readySince: '2026-01-01T00:00:25Z' }),
      pod('unready'),
    ];
    expect(replicaSetStatus(rs, pods, undefined, now)).toEqual({
      replicas: 3, fullyLabeledReplicas: 1, readyReplicas: 2, availableReplicas: 1, observedGeneration: 3,
    });
    const failed = replicaSetStatus(rs, [], { reason: 'FailedCreate', message: 'no' }, now);
    expect(failed.conditions).toMatchObject([{ type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate' }]);
  });
});

describe('ReplicaSetController', () => {
  let api: Awaited<ReturnType<typeof startTestApiServer>>;
  let manager: Awaited<ReturnType<typeof runControllers>>;
  beforeAll(async () => {
    api = await startTestApiServer();
    manager = await runControllers(api.endpoint, [(ctx) => new ReplicaSetController(ctx)]);
  });
  afterAll(async () => {
    manager.stop();
    await api.stop();
  });

  const rsPath = (name?: string) => resourcePath(REPLICASETS, 'default', name);
  const podsOf = async (uid: string) => {
    const list = await manager.client.get<{ items: KubeObject[] }>(resourcePath(PODS, 'default'));
    return list.items.filter((p) => p.metadata.ownerReferences?.some((r) => r.uid === uid && r.controller));
  };
  const makeReady = async (p: KubeObject) => {
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    await manager.client.patch(resourcePath(PODS, 'default', p.metadata.name, 'status'), {
      status: { phase: 'Running', podIP: '127.1.0.9', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: now }] },
    });
  };
  const manifest = (name: string, replicas: number) => ({
    apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name },
    spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'kubelab/web:1' }] } } },
  });

  it('creates exactly spec.replicas pods, never more, and reports readiness in status', async () => {
    const rs = await manager.client.create<KubeObject>(rsPath(), manifest('exact', 5));
    const pods = await until('5 pods', async () => ((await podsOf(rs.metadata.uid!)).length === 5 ? podsOf(rs.metadata.uid!) : undefined));
    // Let the controller look again several times: expectations keep it from creating a sixth.
    await new Promise((r) => setTimeout(r, 300));
    expect(await podsOf(rs.metadata.uid!)).toHaveLength(5);
    for (const p of pods.slice(0, 2)) await makeReady(p);
    const status = await until('readyReplicas 2', async () => {
      const s = (await manager.client.get<KubeObject>(rsPath('exact'))).status;
      return s?.readyReplicas === 2 ? s : undefined;
    });
    expect(status).toMatchObject({ replicas: 5, fullyLabeledReplicas: 5, readyReplicas: 2, availableReplicas: 2, observedGeneration: 1 });
  });

  it('replaces a deleted pod and scales down to the ready pods', async () => {
    const rs = await manager.client.create<KubeObject>(rsPath(), manifest('healer', 3));
    const pods = await until('3 pods', async () => ((await podsOf(rs.metadata.uid!)).length === 3 ? podsOf(rs.metadata.uid!) : undefined));
    await manager.client.delete(resourcePath(PODS, 'default', pods[0].metadata.name));
    const after = await until('a replacement', async () => {
      const now = await podsOf(rs.metadata.uid!);
      return now.length === 3 && !now.some((p) => p.metadata.name === pods[0].metadata.name) ? now : undefined;
    });
    await makeReady(after[2]);
    await until('the ready pod seen', async () => ((await manager.client.get<KubeObject>(rsPath('healer'))).status?.readyReplicas === 1 ? true : undefined));
    await manager.client.patch(rsPath('healer'), { spec: { replicas: 1 } });
    const kept = await until('one pod', async () => {
      const now = await podsOf(rs.metadata.uid!);
      return now.length === 1 ? now : undefined;
    });
    expect(kept[0].metadata.name).toBe(after[2].metadata.name);
  });

  /** Makes the controller's next `count` pod creates (or deletes) fail with a 500, as an API server hiccup would. */
  function failNext(method: 'create' | 'delete', count: number): void {
    const client = manager.client as any;
    const real = client[method].bind(client);
    let left = count;
    client[method] = async (...args: unknown[]) => {
      if (left > 0 && String(args[0]).includes('/pods')) {
        left--;
        if (left === 0) client[method] = real;
        throw new ApiStatusError(500, { message: 'etcdserver: request timed out', code: 500 });
      }
      return real(...args);
    };
  }

  it('tries a failed create again, with back-off, and reports the failure meanwhile', async () => {
    failNext('create', 2);
    const rs = await manager.client.create<KubeObject>(rsPath(), manifest('retrier', 2));
    await until('2 pods despite the failed creates', async () => ((await podsOf(rs.metadata.uid!)).length === 2 ? true : undefined));
    await until('the ReplicaFailure condition cleared', async () => {
      const status = (await manager.client.get<KubeObject>(rsPath('retrier'))).status;
      return status?.replicas === 2 && !status?.conditions?.length ? true : undefined;
    });
  });

  it('a failed delete is tried again and does not leave the ReplicaSet waiting for it', async () => {
    const rs = await manager.client.create<KubeObject>(rsPath(), manifest('shrinker', 3));
    await until('3 pods', async () => ((await podsOf(rs.metadata.uid!)).length === 3 ? true : undefined));
    failNext('delete', 1);
    await manager.client.patch(rsPath('shrinker'), { spec: { replicas: 1 } });
    await until('1 pod', async () => ((await podsOf(rs.metadata.uid!)).length === 1 ? true : undefined));
  });
});
