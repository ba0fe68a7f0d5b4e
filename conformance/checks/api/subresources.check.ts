// Subresources: parts of an object with their own URL and their own rules.
// - status: a write to the main resource keeps the stored status, and a write to
//   /status changes only status (controllers report there; users own spec);
// - scale: /scale of a Deployment is an autoscaling/v1 Scale, a small view of
//   spec.replicas that `kubectl scale` and autoscalers read and write.

import * as k8s from '@kubernetes/client-node';
import { check } from '../../lib/check.ts';
import { plain } from '../../lib/context.ts';
import { deploymentManifest, serviceManifest } from './support.ts';

const CITES_STATUS = 'kubernetes/community api-conventions.md (Spec and Status); k8s.io/kubernetes/pkg/registry/core/service/strategy.go (PrepareForUpdate)';
const CITES_SCALE = 'kubernetes.io/docs/reference/kubernetes-api/workload-resources/deployment-v1/ (read/replace/patch scale); k8s.io/api/autoscaling/v1 (Scale)';

function checkedCondition(): k8s.V1Condition {
  return { type: 'KubelabChecked', status: 'True', lastTransitionTime: new Date(), reason: 'Checked', message: 'written by a conformance check' };
}

function hasCondition(svc: k8s.V1Service): boolean {
  return (svc.status?.conditions ?? []).some((c) => c.type === 'KubelabChecked');
}

check({
  id: 'api.subresources.main-ignores-status',
  title: 'A PUT to the main resource changes metadata and spec but ignores status',
  lab: 'api', points: 2, cites: CITES_STATUS,
}, async (t) => {
  const namespace = await t.namespace();
  t.step('create Service web');
  const created = await t.core.createNamespacedService({ namespace, body: serviceManifest('web', namespace) });
  t.step('PUT Service web with a new label and a status condition');
  const body = { ...created, metadata: { ...created.metadata, labels: { touched: 'yes' } }, status: { ...created.status, conditions: [checkedCondition()] } };
  const answer = await t.core.replaceNamespacedService({ name: 'web', namespace, body });
  const stored = await t.core.readNamespacedService({ name: 'web', namespace });
  for (const [label, svc] of [['PUT response', answer], ['stored Service', stored]] as const) {
    if (svc.metadata?.labels?.touched !== 'yes') {
      t.fail(`${label}: the new label touched=yes`, JSON.stringify(svc.metadata?.labels), [{ label, value: plain(svc) }]);
    }
    if (hasCondition(svc)) {
      t.fail(`${label}: status as it was (no condition KubelabChecked)`, JSON.stringify(plain(svc.status)), [{ label, value: plain(svc) }],
        'on a write to the main resource, copy the stored status over the one in the body');
    }
  }
});

check({
  id: 'api.subresources.status-only-status',
  title: 'A PUT to /status changes status and ignores changes to spec',
  lab: 'api', points: 2, cites: CITES_STATUS,
}, async (t) => {
  const namespace = await t.namespace();
  t.step('create Service web');
  const created = await t.core.createNamespacedService({ namespace, body: serviceManifest('web', namespace) });
  t.step('PUT services/web/status with a status condition and spec.sessionAffinity ClientIP');
  const body = { ...created, spec: { ...created.spec, sessionAffinity: 'ClientIP' }, status: { ...created.status, conditions: [checkedCondition()] } };
  const answer = await t.core.replaceNamespacedServiceStatus({ name: 'web', namespace, body });
  const stored = await t.core.readNamespacedService({ name: 'web', namespace });
  for (const [label, svc] of [['PUT /status response', answer], ['stored Service', stored]] as const) {
    if (!hasCondition(svc)) {
      t.fail(`${label}: status.conditions with KubelabChecked`, JSON.stringify(plain(svc.status)), [{ label, value: plain(svc) }]);
    }
    if (svc.spec?.sessionAffinity !== 'None') {
      t.fail(`${label}: spec unchanged (sessionAffinity None)`, `sessionAffinity ${svc.spec?.sessionAffinity}`, [{ label, value: plain(svc) }],
        'on a write to /status, keep the stored spec and take only status from the body');
    }
  }
  if (stored.metadata?.resourceVersion === created.metadata?.resourceVersion) {
    t.fail('a new resourceVersion after the status write', `still ${created.metadata?.resourceVersion}`, [{ label: 'stored Service', value: plain(stored) }]);
  }
});

check({
  id: 'api.subresources.scale-get',
  title: 'GET deployments/<name>/scale returns an autoscaling/v1 Scale with spec.replicas and status.selector as a string',
  lab: 'api', points: 2, cites: CITES_SCALE,
}, async (t) => {
  const namespace = await t.namespace();
  t.step('create Deployment web with replicas 1');
  await t.apps.createNamespacedDeployment({ namespace, body: deploymentManifest('web', namespace, 1) });
  t.step('GET deployments/web/scale');
  const res = await t.raw({ path: `/apis/apps/v1/namespaces/${namespace}/deployments/web/scale` });
  const scale = res.json;
  if (res.status !== 200 || scale?.kind !== 'Scale' || scale?.apiVersion !== 'autoscaling/v1') {
    t.fail('200 with kind Scale, apiVersion autoscaling/v1', `HTTP ${res.status}, kind ${scale?.kind}, apiVersion ${scale?.apiVersion}`, [{ label: 'response', value: scale ?? res.text }]);
  }
  if (scale.metadata?.name !== 'web' || scale.spec?.replicas !== 1 || scale.status?.selector !== 'app=web') {
    t.fail('metadata.name web, spec.replicas 1, status.selector "app=web"',
      JSON.stringify({ name: scale.metadata?.name, replicas: scale.spec?.replicas, selector: scale.status?.selector }), [{ label: 'Scale', value: scale }],
      'status.selector is the deployment\'s label selector written as a string, as in ?labelSelector=');
  }
});

check({
  id: 'api.subresources.scale-patch',
  title: 'PATCH deployments/<name>/scale changes the Deployment\'s spec.replicas (and so its generation)',
  lab: 'api', points: 2, cites: CITES_SCALE,
}, async (t) => {
  const namespace = await t.namespace();
  t.step('create Deployment web with replicas 1');
  const before = await t.apps.createNamespacedDeployment({ namespace, body: deploymentManifest('web', namespace, 1) });
  t.step('PATCH deployments/web/scale: spec.replicas 3');
  const scale = await t.apps.patchNamespacedDeploymentScale({ name: 'web', namespace, body: [{ op: 'add', path: '/spec/replicas', value: 3 }] },
    k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.JsonPatch));
  if (scale.spec?.replicas !== 3) {
    t.fail('the Scale returned with spec.replicas 3', `spec.replicas ${scale.spec?.replicas}`, [{ label: 'Scale', value: plain(scale) }]);
  }
  const after = await t.apps.readNamespacedDeployment({ name: 'web', namespace });
  if (after.spec?.replicas !== 3 || after.metadata?.generation !== (before.metadata?.generation ?? 1) + 1) {
    t.fail(`Deployment web with spec.replicas 3 and generation ${(before.metadata?.generation ?? 1) + 1}`,
      `spec.replicas ${after.spec?.replicas}, generation ${after.metadata?.generation}`, [{ label: 'Deployment', value: plain(after) }]);
  }
});
