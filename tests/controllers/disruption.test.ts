// The disruption controller: the pure status computation, then the controller
// with the ReplicaSet controller against an in-process API server, with pod
// readiness written by the test in place of a node agent.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../reference/src/api/types.ts';
import { PODS, POD_DISRUPTION_BUDGETS, REPLICASETS, resourcePath } from '../../reference/src/client/paths.ts';
import { DisruptionController } from '../../reference/src/controllers/disruption/disruption-controller.ts';
import { budgetCounts, budgetStatus, DISRUPTION_TIMEOUT_MS, failSafeStatus, scaled } from '../../reference/src/controllers/disruption/status.ts';
import { expectedScale } from '../../reference/src/controllers/disruption/expected-scale.ts';
import type { Informer } from '../../reference/src/client/informer.ts';
import { ReplicaSetController } from '../../reference/src/controllers/replicaset/replicaset-controller.ts';
import { startTestApiServer } from '../support/apiserver.ts';
import { runControllers, until } from '../support/controllers.ts';

function pod(name: string, ready: boolean, deleting = false): KubeObject {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, namespace: 'default', labels: { app: 'web' }, ...(deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
    status: { phase: 'Running', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
  };
}

function pdb(spec: object, status: object = {}): KubeObject {
  return { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'b', namespace: 'default', generation: 3 }, spec, status };
}

describe('budget status', () => {
  const noScale = () => { throw new Error('scale not needed'); };

  it('rounds percentages up', () => {
    expect(scaled('50%', 3)).toBe(2);
    expect(scaled('25%', 2)).toBe(1);
    expect(scaled(2, 10)).toBe(2);
  });

  it('counts matching pods for minAvailable as a number, the scale otherwise', () => {
    const pods = [pod('a', true), pod('b', true)];
    expect(budgetCounts(pdb({ minAvailable: 1 }), pods, noScale)).toEqual({ expectedPods: 2, desiredHealthy: 1 });
    expect(budgetCounts(pdb({ maxUnavailable: 1 }), pods, () => 3)).toEqual({ expectedPods: 3, desiredHealthy: 2 });
    expect(budgetCounts(pdb({ minAvailable: '50%' }), pods, () => 3)).toEqual({ expectedPods: 3, desiredHealthy: 2 });
    expect(budgetCounts(pdb({ maxUnavailable: '100%' }), pods, () => 3)).toEqual({ expectedPods: 3, desiredHealthy: 0 });
  });

  it('counts Ready pods not being deleted as healthy and allows the surplus', () => {
    const pods = [pod('a', true), pod('b', true), pod('c', false), pod('d', true, true)];
    const { status } = budgetStatus(pdb({ minAvailable: 1 }), pods, { expectedPods: 4, desiredHealthy: 1 });
    expect(status).toMatchObject({ currentHealthy: 2, desiredHealthy: 1, expectedPods: 4, disruptionsAllowed: 1, observedGeneration: 3 });
    expect(status.conditions).toMatchObject([{ type: 'DisruptionAllowed', status: 'True', reason: 'SufficientPods' }]);
    const none = budgetStatus(pdb({ minAvailable: 2 }), pods, { expectedPods: 4, desiredHealthy: 3 }).status;
    expect(none.disruptionsAllowed).toBe(0);
    expect(none.conditions).toMatchObject([{ status: 'False', reason: 'InsufficientPods' }]);
  });

  it('does not count a recently evicted pod, and forgets it once it goes or after two minutes', () => {
    const now = Date.parse('2026-01-01T00:10:00Z');
    const recent = new Date(now - 1000).toISOString();
    const old = new Date(now - DISRUPTION_TIMEOUT_MS - 1000).toISOString();
    const budget = pdb({ minAvailable: 1 }, { disruptedPods: { a: recent, b: old, gone: recent } });
    const { status, recheckAfterMs } = budgetStatus(budget, [pod('a', true), pod('b', true), pod('c', true)], { expectedPods: 3, desiredHealthy: 1 }, now);
    expect(status.disruptedPods).toEqual({ a: recent });
    expect(status.currentHealthy).toBe(2);
    expect(status.disruptionsAllowed).toBe(1);
    expect(recheckAfterMs).toBe(DISRUPTION_TIMEOUT_MS - 1000);
  });
});

describe('expected scale', () => {
  const cache = (objects: KubeObject[]) => ({ get: (key: string) => objects.find((o) => `${o.metadata.namespace}/${o.metadata.name}` === key) }) as unknown as Informer;
  const owned = (name: string, kind: string, owner: string, uid: string): KubeObject => ({
    ...pod(name, true), metadata: { ...pod(name, true).metadata, ownerReferences: [{ apiVersion: 'apps/v1', kind, name: owner, uid, controller: true }] },
  });
  const deployment: KubeObject = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', namespace: 'default', uid: 'd1' }, spec: { replicas: 4 } };
  const rsOfDeployment: KubeObject = { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'd-1', namespace: 'default', uid: 'r1', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'd', uid: 'd1', controller: true }] }, spec: { replicas: 2 } };
  const bareRs: KubeObject = { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'r', namespace: 'default', uid: 'r2' }, spec: { replicas: 3 } };
  const sources = { replicaSets: cache([rsOfDeployment, bareRs]), deployments: cache([deployment]) };

  it("sums each controller's replicas once, a Deployment's over its ReplicaSet's, and leaves bare pods out", () => {
    const pods = [owned('a', 'ReplicaSet', 'd-1', 'r1'), owned('b', 'ReplicaSet', 'd-1', 'r1'), owned('c', 'ReplicaSet', 'r', 'r2'), pod('bare', true)];
    expect(expectedScale(pods, sources)).toBe(7);
  });

  it('fails for a pod whose controller has no known scale, and the budget then allows nothing', () => {
    expect(() => expectedScale([owned('s', 'StatefulSet', 'db', 's1')], sources)).toThrow('found no controllers for pod "s"');
    const status = failSafeStatus(pdb({ maxUnavailable: 1 }, { disruptionsAllowed: 2 }), 'found no controllers for pod "s"');
    expect(status).toMatchObject({ disruptionsAllowed: 0, observedGeneration: 3 });
    expect(status.conditions).toMatchObject([{ type: 'DisruptionAllowed', status: 'False', reason: 'SyncFailed' }]);
  });
});

describe('DisruptionController', () => {
  let api: Awaited<ReturnType<typeof startTestApiServer>>;
  let manager: Awaited<ReturnType<typeof runControllers>>;
  beforeAll(async () => {
    api = await startTestApiServer();
    manager = await runControllers(api.endpoint, [(ctx) => new ReplicaSetController(ctx), (ctx) => new DisruptionController(ctx)]);
  });
  afterAll(async () => {
    manager?.stop();
    await api?.stop();
  });

  const budgetPath = (name?: string) => resourcePath(POD_DISRUPTION_BUDGETS, 'default', name);

  async function readyAll(labels: string) {
    const list = await manager.client.get<{ items: KubeObject[] }>(`${resourcePath(PODS, 'default')}?labelSelector=${labels}`);
    for (const p of list.items) {
      await manager.client.patch(resourcePath(PODS, 'default', p.metadata.name, 'status'), {
        status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2026-01-01T00:00:00Z' }] },
      });
    }
    return list.items;
  }

  it('reports a 3-replica ReplicaSet under minAvailable 2, and a percentage budget from its scale', async () => {
    await manager.client.create(resourcePath(REPLICASETS, 'default'), {
      apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'web' },
      spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'kubelab/web:1' }] } } },
    });
    await until('3 pods', async () => ((await readyAll('app=web')).length === 3 ? true : undefined));
    await manager.client.create(budgetPath(), { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'web' }, spec: { minAvailable: 2, selector: { matchLabels: { app: 'web' } } } });
    const status = await until('budget status', async () => {
      const s = (await manager.client.get<KubeObject>(budgetPath('web'))).status;
      return s?.currentHealthy === 3 ? s : undefined;
    });
    expect(status).toMatchObject({ currentHealthy: 3, desiredHealthy: 2, expectedPods: 3, disruptionsAllowed: 1, observedGeneration: 1 });

    // An eviction spends the one disruption; the controller keeps the pod out of currentHealthy until it is gone.
    const pods = await readyAll('app=web');
    const evicted = await api.request({ method: 'POST', path: `${resourcePath(PODS, 'default', pods[0].metadata.name)}/eviction`, body: {
      apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: pods[0].metadata.name, namespace: 'default' },
    } });
    expect(evicted.status).toBe(201);
    const blocked = await api.request({ method: 'POST', path: `${resourcePath(PODS, 'default', pods[1].metadata.name)}/eviction`, body: {
      apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: pods[1].metadata.name, namespace: 'default' },
    } });
    expect(blocked.status).toBe(429);

    await manager.client.update(budgetPath('web'), { ...(await manager.client.get<KubeObject>(budgetPath('web'))), spec: { maxUnavailable: '34%', selector: { matchLabels: { app: 'web' } } } });
    const percent = await until('the new spec observed', async () => {
      const b = await manager.client.get<KubeObject>(budgetPath('web'));
      return b.status?.observedGeneration === 2 ? b.status : undefined;
    });
    // 34% of the ReplicaSet's 3 replicas rounds up to 2 unavailable: 1 must stay healthy.
    expect(percent).toMatchObject({ expectedPods: 3, desiredHealthy: 1 });
  });
});
