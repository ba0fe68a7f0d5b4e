// Evictions and PodDisruptionBudgets: what `kubectl drain` relies on. An
// eviction (POST pods/{name}/eviction) deletes a pod like a DELETE, unless a
// budget covering the pod has no disruption left, in which case the API server
// answers 429 and the client tries again later
// (pkg/registry/core/pod/storage/eviction.go). The disruption controller keeps
// each budget's status (pkg/controller/disruption/disruption.go).
//
// Before the delete, the API server marks the pod DisruptionTarget=True, reason
// EvictionByEvictionAPI (https://kubernetes.io/docs/concepts/workloads/pods/disruptions/#pod-disruption-conditions).
//
// None of these checks cordons a node: they only create, wait and evict.

import { check } from '../../lib/check.ts';
import type { CheckContext } from '../../lib/context.ts';
import { podManifest, podNamespace, runPod, WEB, webContainer } from '../pods/support.ts';
import { DISRUPTION_DOC, EVICTION_API_MESSAGE, EVICTION_API_REASON, describeDisruptionTarget, hasDisruptionTarget } from './support.ts';

const EVICTION_DOC = 'https://kubernetes.io/docs/concepts/scheduling-eviction/api-eviction/';
const PDB_DOC = 'https://kubernetes.io/docs/tasks/run-application/configure-pdb/';

const evictionPath = (namespace: string, name: string) => `/api/v1/namespaces/${namespace}/pods/${name}/eviction`;
const budgetsPath = (namespace: string) => `/apis/policy/v1/namespaces/${namespace}/poddisruptionbudgets`;

function evict(t: CheckContext, namespace: string, name: string) {
  t.step(`POST pods/${name}/eviction`);
  return t.raw({ method: 'POST', path: evictionPath(namespace, name), body: {
    apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace }, deleteOptions: { gracePeriodSeconds: 1 },
  } });
}

async function createBudget(t: CheckContext, namespace: string, name: string, spec: Record<string, unknown>): Promise<void> {
  t.step(`create PodDisruptionBudget ${name} ${JSON.stringify(spec)}`);
  const res = await t.raw({ method: 'POST', path: budgetsPath(namespace), body: { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name }, spec } });
  if (res.status !== 201) t.fail('the PodDisruptionBudget created (201)', `${res.status}: ${res.text}`);
}

/** Waits until the disruption controller has written a status for the budget's current spec that satisfies accept. */
async function budgetStatus(t: CheckContext, namespace: string, name: string, what: string, accept: (status: any) => boolean, timeoutMs = 20_000): Promise<any> {
  let last: any;
  return t.eventually(what, async () => {
    last = (await t.raw({ path: `${budgetsPath(namespace)}/${name}` })).json;
    const status = last?.status;
    return status && status.observedGeneration === last.metadata.generation && accept(status) ? status : undefined;
  }, { timeoutMs, seen: () => `status ${JSON.stringify(last?.status)}` });
}

check({
  id: 'failures.drain.evict-without-budget',
  title: 'Evicting a pod that no disruption budget covers deletes it',
  lab: 'failures', points: 1, cites: EVICTION_DOC, concurrent: true,
}, async (t) => {
  const namespace = await podNamespace(t);
  await runPod(t, namespace, podManifest('free', webContainer(), { terminationGracePeriodSeconds: 1 }, { app: 'free' }));
  const res = await evict(t, namespace, 'free');
  // Real servers answer 201 with a Success Status (the docs say 200): accept either.
  if ((res.status !== 201 && res.status !== 200) || res.json?.status !== 'Success') {
    t.fail('201 with a Status whose status is Success', `${res.status}: ${res.text}`);
  }
  await t.eventually('pod free deleted or being deleted', async () => {
    const pod = await t.raw({ path: `/api/v1/namespaces/${namespace}/pods/free` });
    return pod.status === 404 || pod.json?.metadata?.deletionTimestamp ? true : undefined;
  });
});

check({
  id: 'failures.drain.eviction-marks-pod',
  title: 'An evicted pod carries DisruptionTarget=True, reason EvictionByEvictionAPI, while it terminates',
  lab: 'failures', points: 1, cites: DISRUPTION_DOC, concurrent: true,
}, async (t) => {
  // The API server writes the condition before its DELETE (addConditionAndDeletePod in
  // pkg/registry/core/pod/storage/eviction.go, Kubernetes 1.26+). A container that ignores
  // SIGTERM keeps its pod Terminating for the whole grace period, so the condition can be read.
  const namespace = await podNamespace(t);
  const name = 'lingering';
  await runPod(t, namespace, podManifest(name, webContainer({ IGNORE_SIGTERM: '1' }), { terminationGracePeriodSeconds: 30 }, { app: name }));
  t.onCleanup(() => t.core.deleteNamespacedPod({ name, namespace, gracePeriodSeconds: 0 }).catch(() => undefined));

  t.step(`POST pods/${name}/eviction with no deleteOptions: the pod's own grace period, 30 s`);
  const res = await t.raw({ method: 'POST', path: evictionPath(namespace, name), body: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace } } });
  if (res.status !== 201 && res.status !== 200) t.fail('201 with a Success Status', `${res.status}: ${res.text}`);
  const read = await t.raw({ path: `/api/v1/namespaces/${namespace}/pods/${name}` });
  const pod = read.json;
  if (read.status !== 200 || !pod?.metadata?.deletionTimestamp) {
    t.fail(`pod ${name} still there and Terminating (its container ignores SIGTERM for 30 s)`, read.status === 200 ? 'no deletionTimestamp' : `${read.status}: ${read.text}`);
  }
  if (!hasDisruptionTarget(pod, EVICTION_API_REASON, EVICTION_API_MESSAGE)) {
    t.fail(`condition DisruptionTarget=True, reason ${EVICTION_API_REASON}, message "${EVICTION_API_MESSAGE}"`, describeDisruptionTarget(pod),
      [{ label: 'pod', value: pod }], 'the eviction subresource writes the condition through the pod status before it deletes the pod');
  }
});

check({
  id: 'failures.drain.budget-blocks',
  title: 'Evicting the only pod of a budget with minAvailable 1 is refused with 429 TooManyRequests, and the pod stays',
  lab: 'failures', points: 2, cites: EVICTION_DOC, concurrent: true,
}, async (t) => {
  const namespace = await podNamespace(t);
  await runPod(t, namespace, podManifest('guarded', webContainer(), { terminationGracePeriodSeconds: 1 }, { app: 'guarded' }));
  await createBudget(t, namespace, 'guard', { minAvailable: 1, selector: { matchLabels: { app: 'guarded' } } });
  await budgetStatus(t, namespace, 'guard', 'budget guard to count its one healthy pod', (s) => s.currentHealthy === 1);

  const res = await evict(t, namespace, 'guarded');
  if (res.status !== 429 || res.json?.reason !== 'TooManyRequests') {
    t.fail('429 with reason TooManyRequests', `${res.status}: ${res.text}`, [], 'an eviction must consult the PodDisruptionBudgets whose selector matches the pod');
  }
  const causes: any[] = res.json?.details?.causes ?? [];
  const cause = causes.find((c) => c.reason === 'DisruptionBudget');
  if (!cause || !/^The disruption budget guard needs 1 healthy pods and has 1 currently$/.test(cause.message ?? '')) {
    t.fail('a cause {reason: DisruptionBudget, message: "The disruption budget guard needs 1 healthy pods and has 1 currently"}', JSON.stringify(causes), [{ label: 'response', value: res.json }]);
  }
  const pod = await t.raw({ path: `/api/v1/namespaces/${namespace}/pods/guarded` });
  if (pod.status !== 200 || pod.json?.metadata?.deletionTimestamp) {
    t.fail('pod guarded still there, not being deleted', pod.status === 200 ? `deletionTimestamp ${pod.json.metadata.deletionTimestamp}` : `${pod.status}`);
  }
});

check({
  id: 'failures.drain.budget-status',
  title: 'A budget with minAvailable 2 over a 3-replica ReplicaSet reports 3 healthy, 2 desired, 1 disruption allowed',
  lab: 'failures', points: 2, cites: PDB_DOC, concurrent: true,
}, async (t) => {
  const namespace = await podNamespace(t);
  t.step('create ReplicaSet web with 3 replicas');
  await t.apps.createNamespacedReplicaSet({ namespace, body: {
    apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'web' },
    spec: {
      replicas: 3, selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'web', image: WEB }] } },
    },
  } });
  await createBudget(t, namespace, 'web', { minAvailable: 2, selector: { matchLabels: { app: 'web' } } });
  const status = await budgetStatus(t, namespace, 'web', 'budget web to count 3 healthy pods', (s) => s.currentHealthy === 3, 40_000);
  const wanted = { currentHealthy: 3, desiredHealthy: 2, disruptionsAllowed: 1, expectedPods: 3 };
  const seen = Object.fromEntries(Object.keys(wanted).map((k) => [k, status[k]]));
  if (JSON.stringify(seen) !== JSON.stringify(wanted)) t.fail(JSON.stringify(wanted), JSON.stringify(seen), [{ label: 'status', value: status }]);
  const allowed = (status.conditions ?? []).find((c: any) => c.type === 'DisruptionAllowed');
  if (allowed?.status !== 'True' || allowed?.reason !== 'SufficientPods') {
    t.fail('condition DisruptionAllowed True, reason SufficientPods', JSON.stringify(status.conditions ?? []));
  }
});
