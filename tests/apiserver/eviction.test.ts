// The eviction subresource against the in-process API server: PodDisruptionBudget
// validation and table columns, and evictions with and without a budget
// (pkg/registry/core/pod/storage/eviction.go). The budget status is written by
// the test here, in place of the disruption controller. An evicted pod is marked
// DisruptionTarget=True, reason EvictionByEvictionAPI, before it is deleted
// (addConditionAndDeletePod; https://kubernetes.io/docs/concepts/workloads/pods/disruptions/#pod-disruption-conditions);
// those pods are deleted with a grace period, so they stay Terminating and the condition can be read.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApiServer } from '../support/apiserver.ts';

type Server = Awaited<ReturnType<typeof startTestApiServer>>;
const PDBS = '/apis/policy/v1/namespaces/default/poddisruptionbudgets';
const PODS = '/api/v1/namespaces/default/pods';

describe('pods/eviction and PodDisruptionBudgets', () => {
  let server: Server;
  beforeAll(async () => {
    server = await startTestApiServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  async function runningPod(name: string, labels: Record<string, string>, ready = true) {
    const created = await server.request({ method: 'POST', path: PODS, body: {
      apiVersion: 'v1', kind: 'Pod', metadata: { name, labels }, spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'kubelab/web:1' }] },
    } });
    expect(created.status).toBe(201);
    const pod = created.json;
    pod.status = { ...pod.status, phase: 'Running', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] };
    const updated = await server.request({ method: 'PUT', path: `${PODS}/${name}/status`, body: pod });
    expect(updated.status).toBe(200);
  }

  async function budget(name: string, spec: object, status?: object) {
    const created = await server.request({ method: 'POST', path: PDBS, body: { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name }, spec } });
    expect(created.status, created.text).toBe(201);
    if (!status) return created.json;
    const written = await server.request({ method: 'PUT', path: `${PDBS}/${name}/status`, body: { ...created.json, status: { observedGeneration: created.json.metadata.generation, ...status } } });
    expect(written.status, written.text).toBe(200);
    return written.json;
  }

  const evict = (name: string, { gracePeriodSeconds = 0, query = '' } = {}) => server.request({ method: 'POST', path: `${PODS}/${name}/eviction${query}`, body: {
    apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace: 'default' }, deleteOptions: { gracePeriodSeconds },
  } });

  it('refuses a budget with both minAvailable and maxUnavailable, or a bad percentage', async () => {
    const both = await server.request({ method: 'POST', path: PDBS, body: { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'both' }, spec: { minAvailable: 1, maxUnavailable: 1, selector: {} } } });
    expect(both.status).toBe(422);
    expect(both.json.details.causes.map((c: any) => c.field)).toEqual(['spec']);
    const percent = await server.request({ method: 'POST', path: PDBS, body: { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'pct' }, spec: { minAvailable: '150%' } } });
    expect(percent.status).toBe(422);
    expect(percent.json.details.causes[0].field).toBe('spec.minAvailable');
  });

  it('serves pdb columns for kubectl get', async () => {
    await budget('columns', { maxUnavailable: '25%', selector: { matchLabels: { app: 'none' } } });
    const table = await server.request({ path: `${PDBS}/columns`, headers: { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' } });
    expect(table.json.columnDefinitions.map((c: any) => c.name)).toEqual(['Name', 'Min Available', 'Max Unavailable', 'Allowed Disruptions', 'Age']);
    expect(table.json.rows[0].cells.slice(0, 4)).toEqual(['columns', 'N/A', '25%', 0]);
  });

  it('deletes a pod no budget covers and answers 201 Success', async () => {
    await runningPod('free', { app: 'free' });
    const res = await evict('free');
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({ kind: 'Status', status: 'Success' });
    expect((await server.request({ path: `${PODS}/free` })).status).toBe(404);
  });

  it('answers 429 with the DisruptionBudget cause when no disruption is allowed', async () => {
    await runningPod('guarded', { app: 'guarded' });
    await budget('guard', { minAvailable: 1, selector: { matchLabels: { app: 'guarded' } } }, { disruptionsAllowed: 0, currentHealthy: 1, desiredHealthy: 1, expectedPods: 1 });
    const res = await evict('guarded');
    expect(res.status).toBe(429);
    expect(res.json.reason).toBe('TooManyRequests');
    expect(res.json.message).toBe("Cannot evict pod as it would violate the pod's disruption budget.");
    expect(res.json.details.causes).toEqual([{ reason: 'DisruptionBudget', message: 'The disruption budget guard needs 1 healthy pods and has 1 currently' }]);
    expect((await server.request({ path: `${PODS}/guarded` })).status).toBe(200);
  });

  it('answers 429 while the budget status is older than its spec', async () => {
    await runningPod('stale', { app: 'stale' });
    await budget('stale', { minAvailable: 0, selector: { matchLabels: { app: 'stale' } } }, { observedGeneration: 0, disruptionsAllowed: 1, currentHealthy: 1, desiredHealthy: 0, expectedPods: 1 });
    const res = await evict('stale');
    expect(res.status).toBe(429);
    expect(res.json.details.causes[0].message).toContain('is still being processed');
  });

  it('spends one disruption, notes the pod in disruptedPods, then refuses the next', async () => {
    await runningPod('a1', { app: 'pair' });
    await runningPod('a2', { app: 'pair' });
    await budget('pair', { minAvailable: 1, selector: { matchLabels: { app: 'pair' } } }, { disruptionsAllowed: 1, currentHealthy: 2, desiredHealthy: 1, expectedPods: 2 });
    expect((await evict('a1')).status).toBe(201);
    const pdb = (await server.request({ path: `${PDBS}/pair` })).json;
    expect(pdb.status.disruptionsAllowed).toBe(0);
    expect(Object.keys(pdb.status.disruptedPods)).toEqual(['a1']);
    expect((await evict('a2')).status).toBe(429);
  });

  it('lets an unready pod go when the budget is met, and refuses two budgets', async () => {
    await runningPod('sick', { app: 'sick' }, false);
    await runningPod('well', { app: 'sick' });
    await budget('sick', { minAvailable: 1, selector: { matchLabels: { app: 'sick' } } }, { disruptionsAllowed: 0, currentHealthy: 1, desiredHealthy: 1, expectedPods: 2 });
    expect((await evict('sick')).status).toBe(201);
    await budget('sick-too', { maxUnavailable: 1, selector: { matchLabels: { app: 'sick' } } });
    const res = await evict('well');
    expect(res.status).toBe(500);
    expect(res.json.message).toBe('This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.');
  });

  it('lets an unready pod go under AlwaysAllow even when the budget is not met, without spending a disruption', async () => {
    await runningPod('crashing', { app: 'crashing' }, false);
    await budget('crashing', { minAvailable: 1, unhealthyPodEvictionPolicy: 'AlwaysAllow', selector: { matchLabels: { app: 'crashing' } } }, { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 1, expectedPods: 1 });
    expect((await evict('crashing')).status).toBe(201);
    const pdb = (await server.request({ path: `${PDBS}/crashing` })).json;
    expect(pdb.status.disruptedPods).toBeUndefined();
  });

  it('refuses an unready pod under the default policy while the budget is not met', async () => {
    await runningPod('starting', { app: 'starting' }, false);
    await budget('starting', { minAvailable: 1, selector: { matchLabels: { app: 'starting' } } }, { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 1, expectedPods: 1 });
    expect((await evict('starting')).status).toBe(429);
  });

  it('lets a pending pod go whatever the budget says', async () => {
    const created = await server.request({ method: 'POST', path: PODS, body: {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'waiting', labels: { app: 'everything' } }, spec: { containers: [{ name: 'c', image: 'kubelab/web:1' }] },
    } });
    expect(created.status).toBe(201);
    await budget('everything', { minAvailable: '100%', selector: { matchLabels: { app: 'everything' } } }, { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 1, expectedPods: 1 });
    expect((await evict('waiting')).status).toBe(201);
  });

  const disruptionTarget = async (name: string) => {
    const pod = (await server.request({ path: `${PODS}/${name}` })).json;
    return { pod, condition: (pod.status?.conditions ?? []).find((c: any) => c.type === 'DisruptionTarget') };
  };

  it('marks the pod, then deletes it gracefully; the Ready condition stays', async () => {
    await runningPod('marked', { app: 'marked' });
    const res = await evict('marked', { gracePeriodSeconds: 30 });
    expect(res.status, res.text).toBe(201);
    const { pod, condition } = await disruptionTarget('marked');
    expect(pod.metadata.deletionTimestamp).toBeTruthy();
    expect(condition).toMatchObject({ status: 'True', reason: 'EvictionByEvictionAPI', message: 'Eviction API: evicting' });
    expect(Date.parse(condition.lastTransitionTime)).not.toBeNaN();
    expect(pod.status.conditions.find((c: any) => c.type === 'Ready')).toMatchObject({ status: 'True' });
  });

  it('leaves a pod alone in a dry run', async () => {
    await runningPod('dry', { app: 'dry' });
    const res = await evict('dry', { gracePeriodSeconds: 30, query: '?dryRun=All' });
    expect(res.status, res.text).toBe(201);
    const { pod, condition } = await disruptionTarget('dry');
    expect(pod.metadata.deletionTimestamp).toBeUndefined();
    expect(condition).toBeUndefined();
  });

  it('marks an unready pod let go under a met budget: its own write does not fail the resourceVersion guard', async () => {
    await runningPod('ready-one', { app: 'half-ready' });
    await runningPod('unready-one', { app: 'half-ready' }, false);
    await budget('half-ready', { minAvailable: 1, selector: { matchLabels: { app: 'half-ready' } } },
      { disruptionsAllowed: 0, currentHealthy: 1, desiredHealthy: 1, expectedPods: 2 });

    const res = await evict('unready-one', { gracePeriodSeconds: 30 });
    expect(res.status, res.text).toBe(201);
    const { pod, condition } = await disruptionTarget('unready-one');
    expect(pod.metadata.deletionTimestamp).toBeTruthy();
    expect(condition).toMatchObject({ status: 'True', reason: 'EvictionByEvictionAPI' });
  });

  it('a refused eviction (429) leaves no condition', async () => {
    const res = await evict('ready-one');
    expect(res.status).toBe(429);
    expect((await disruptionTarget('ready-one')).condition).toBeUndefined();
  });
});
