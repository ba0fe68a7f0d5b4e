// Set-based selectors: a ReplicaSet's spec.selector is a LabelSelector, whose
// matchExpressions (In, NotIn, Exists, DoesNotExist) count as much as its
// matchLabels; a pod is selected only when it satisfies all of them. Services
// select with a plain map, so ReplicaSets (and Deployments, and
// PodDisruptionBudgets) are where matchExpressions matter.
// Source: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#resources-that-support-set-based-requirements
// and LabelSelectorAsSelector in staging/src/k8s.io/apimachinery/pkg/apis/meta/v1/helpers.go,
// the operators in staging/src/k8s.io/apimachinery/pkg/labels/selector.go.

import * as k8s from '@kubernetes/client-node';
import { check } from '../../lib/check.ts';
import type { CheckContext } from '../../lib/context.ts';
import { podManifest, podNamespace, readyNodes, webContainer } from '../pods/support.ts';
import { createReplicaSet, describePods, listPods, replicaSetManifest, untilAvailable } from './support.ts';

const MERGE_PATCH = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);
const DOC = 'https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#resources-that-support-set-based-requirements';
const SELECTOR_GO = 'https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/apimachinery/pkg/labels/selector.go';

/** app=picky, and tier in (front), and no label track, and env notin (test). */
const SELECTOR = {
  matchLabels: { app: 'picky' },
  matchExpressions: [
    { key: 'tier', operator: 'In', values: ['front'] },
    { key: 'track', operator: 'DoesNotExist' },
    { key: 'env', operator: 'NotIn', values: ['test'] },
  ],
};

/** Pods that match matchLabels but each fail one expression: the ReplicaSet must leave them alone. */
const STRANGERS: Record<string, Record<string, string>> = {
  'back-tier': { app: 'picky', tier: 'back' }, // fails tier In (front)
  canary: { app: 'picky', tier: 'front', track: 'canary' }, // fails track DoesNotExist
  tester: { app: 'picky', tier: 'front', env: 'test' }, // fails env NotIn (test)
};

/** Fails unless every stranger is still there, not being deleted, with no controller. */
async function strangersUntouched(t: CheckContext, namespace: string, when: string): Promise<void> {
  const pods = await listPods(t, namespace);
  for (const name of Object.keys(STRANGERS)) {
    const pod = pods.find((p) => p.metadata!.name === name);
    const controller = (pod?.metadata?.ownerReferences ?? []).find((r) => r.controller);
    if (!pod || pod.metadata!.deletionTimestamp || controller) {
      t.fail(`${when}: pod ${name} (labels ${JSON.stringify(STRANGERS[name])}) left alone: not adopted, not deleted`,
        !pod ? 'it is gone' : pod.metadata!.deletionTimestamp ? 'it is being deleted' : `it is owned by ${controller!.kind} ${controller!.name}`,
        pod ? [{ label: `Pod ${name} metadata`, value: pod.metadata }] : [],
        'a pod is selected only when it satisfies matchLabels and every matchExpressions requirement');
    }
  }
}

/** Fails unless the ReplicaSet's pods are its own (made from its template), none of the strangers. */
function ownPodsOnly(t: CheckContext, pods: k8s.V1Pod[]): void {
  if (pods.some((p) => !p.metadata!.name!.startsWith('picky-'))) {
    t.fail('the ReplicaSet to own only pods it created (picky-<suffix>)', describePods(pods));
  }
}

check({
  id: 'replicasets.selectors.match-expressions',
  title: 'A ReplicaSet whose selector uses matchExpressions creates and scales its own pods, and leaves alone pods that match matchLabels but fail an expression',
  lab: 'replicasets', points: 3, cites: `${DOC}; ${SELECTOR_GO}`, concurrent: true, timeoutMs: 60_000,
}, async (t) => {
  await readyNodes(t);
  const namespace = await podNamespace(t);
  // The strangers come first, so the ReplicaSet's very first sync sees them as orphans it might adopt.
  for (const [name, labels] of Object.entries(STRANGERS)) {
    t.step(`create pod ${name} with labels ${JSON.stringify(labels)}`);
    await t.core.createNamespacedPod({ namespace, body: podManifest(name, webContainer(), { terminationGracePeriodSeconds: 1 }, labels) });
  }
  const rs = replicaSetManifest('picky', 2, {}, {}, { app: 'picky', tier: 'front' });
  rs.spec!.selector = SELECTOR;
  const created = await createReplicaSet(t, namespace, rs);

  ownPodsOnly(t, await untilAvailable(t, namespace, created, 2));
  await strangersUntouched(t, namespace, 'after the ReplicaSet was created');

  for (const replicas of [3, 1]) {
    t.step(`PATCH replicasets/picky/scale {spec: {replicas: ${replicas}}}`);
    await t.apps.patchNamespacedReplicaSetScale({ name: 'picky', namespace, body: { spec: { replicas } } }, MERGE_PATCH);
    ownPodsOnly(t, await untilAvailable(t, namespace, created, replicas));
    await strangersUntouched(t, namespace, `after scaling to ${replicas}`);
  }
});
