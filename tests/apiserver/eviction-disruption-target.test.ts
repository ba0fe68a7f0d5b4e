// The eviction subresource marks the pod DisruptionTarget=True, reason
// EvictionByEvictionAPI, before it deletes it (addConditionAndDeletePod in
// pkg/registry/core/pod/storage/eviction.go;
// https://kubernetes.io/docs/concepts/workloads/pods/disruptions/#pod-disruption-conditions).
// The pods are bound to a node and deleted with a grace period, so they stay
// Terminating and the condition can be read.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApiServer } from '../support/apiserver.ts';

type Server = Awaited<ReturnType<typeof startTestApiServer>>;
const PDBS = '/apis/policy/v1/namespaces/default/poddisruptionbudgets';
const PODS = '/api/v1/namespaces/default/pods';

describe('pods/eviction sets the DisruptionTarget condition', () => {
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
    expect(created.status, created.text).toBe(201);
    const pod = created.json;
    pod.status = { ...pod.status, phase: 'Running', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] };
    const updated = await server.request({ method: 'PUT', path: `${PODS}/${name}/status`, body: pod });
    expect(updated.status, updated.text).toBe(200);
  }

  const evict = (name: string, query = '') => server.request({ method: 'POST', path: `${PODS}/${name}/eviction${query}`, body: {
    apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace: 'default' }, deleteOptions: { gracePeriodSeconds: 30 },
  } });

  const disruptionTarget = async (name: string) => {
    const pod = (await server.request({ path: `${PODS}/${name}` })).json;
    return { pod, condition: (pod.status?.conditions ?? []).find((c: any) => c.type === 'DisruptionTarget') };
  };

  it('marks the pod, then deletes it gracefully; the Ready condition stays', async () => {
    await runningPod('marked', { app: 'marked' });
    const res = await evict('marked');
    expect(res.status, res.text).toBe(201);
    const { pod, condition } = await disruptionTarget('marked');
    expect(pod.metadata.deletionTimestamp).toBeTruthy();
    expect(condition).toMatchObject({ status: 'True', reason: 'EvictionByEvictionAPI', message: 'Eviction API: evicting' });
    expect(Date.parse(condition.lastTransitionTime)).not.toBeNaN();
    expect(pod.status.conditions.find((c: any) => c.type === 'Ready')).toMatchObject({ status: 'True' });
  });

  it('leaves a pod alone in a dry run', async () => {
    await runningPod('dry', { app: 'dry' });
    const res = await evict('dry', '?dryRun=All');
    expect(res.status, res.text).toBe(201);
    const { pod, condition } = await disruptionTarget('dry');
    expect(pod.metadata.deletionTimestamp).toBeUndefined();
    expect(condition).toBeUndefined();
  });

  it('marks an unready pod let go under a met budget: its own write does not fail the resourceVersion guard', async () => {
    await runningPod('ready-one', { app: 'pair' });
    await runningPod('unready-one', { app: 'pair' }, false);
    const created = await server.request({ method: 'POST', path: PDBS, body: {
      apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'pair' }, spec: { minAvailable: 1, selector: { matchLabels: { app: 'pair' } } },
    } });
    expect(created.status, created.text).toBe(201);
    const status = { observedGeneration: created.json.metadata.generation, disruptionsAllowed: 0, currentHealthy: 1, desiredHealthy: 1, expectedPods: 2 };
    const written = await server.request({ method: 'PUT', path: `${PDBS}/pair/status`, body: { ...created.json, status } });
    expect(written.status, written.text).toBe(200);

    const res = await evict('unready-one');
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
