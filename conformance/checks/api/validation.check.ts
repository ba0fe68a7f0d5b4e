// Validation: a write the API server refuses fails with 422 Invalid, and
// details.causes[] names each bad field by its JSON path (metadata.name,
// spec.containers[0].image, …), so that a client can point at it. A refused write
// changes nothing.

import * as k8s from '@kubernetes/client-node';
import { check } from '../../lib/check.ts';
import { plain, type CheckContext, type StatusBody } from '../../lib/context.ts';
import { configMapManifest, deploymentManifest, expectCause, podManifest, serviceManifest } from './support.ts';

const CITES = 'k8s.io/apimachinery/pkg/api/errors/errors.go (NewInvalid)';

/** Fails unless the Status is a 422 Invalid for the Kind, with a cause for the field. */
function expectInvalid(t: CheckContext, status: StatusBody, kind: string, name: string, field: string, what: string): void {
  const prefix = `${kind} "${name}" is invalid: `;
  if (!status.message?.startsWith(prefix)) {
    t.fail(`${what}: a message starting with ${JSON.stringify(prefix)}`, JSON.stringify(status.message), [{ label: 'Status', value: status }]);
  }
  const detailsKind = kind.split('.')[0];
  if (status.details?.kind !== detailsKind || status.details?.name !== name) {
    t.fail(`${what}: details.kind ${JSON.stringify(detailsKind)} (the Kind) and details.name ${JSON.stringify(name)}`,
      `details ${JSON.stringify({ kind: status.details?.kind, name: status.details?.name })}`, [{ label: 'Status', value: status }]);
  }
  expectCause(t, status, field, what);
}

check({
  id: 'api.validation.name',
  title: 'A name that is not a DNS-1123 subdomain (upper case, underscore) fails with 422 Invalid, cause field metadata.name',
  lab: 'api', points: 1,
  cites: `${CITES}; kubernetes.io/docs/concepts/overview/working-with-objects/names/`,
}, async (t) => {
  const namespace = await t.namespace();
  for (const name of ['Web', 'web_1', '-web']) {
    t.step(`create Pod ${JSON.stringify(name)}`);
    const status = await t.expectError(`a create of Pod ${JSON.stringify(name)}`,
      t.core.createNamespacedPod({ namespace, body: podManifest(name, namespace) }), { code: 422, reason: 'Invalid' });
    expectInvalid(t, status, 'Pod', name, 'metadata.name', `Pod ${JSON.stringify(name)}`);
  }
  const list = await t.core.listNamespacedPod({ namespace });
  if (list.items.length) t.fail('no pods stored', `${list.items.length} pods`, [{ label: 'pods', value: plain(list.items) }]);
});

check({
  id: 'api.validation.container-image',
  title: 'A pod whose container has no image fails with 422 Invalid, cause field spec.containers[0].image (FieldValueRequired)',
  lab: 'api', points: 1,
  cites: `${CITES}; k8s.io/kubernetes/pkg/apis/core/validation/validation.go (validateContainers)`,
}, async (t) => {
  const namespace = await t.namespace();
  const body = podManifest('noimage', namespace);
  delete body.spec.containers[0].image;
  t.step('create Pod noimage with a container without image');
  const status = await t.expectError('a create of a pod without image', t.core.createNamespacedPod({ namespace, body }), { code: 422, reason: 'Invalid' });
  expectInvalid(t, status, 'Pod', 'noimage', 'spec.containers[0].image', 'Pod noimage');
  const cause = status.details?.causes?.find((c) => c.field === 'spec.containers[0].image');
  if (cause?.reason !== 'FieldValueRequired') {
    t.fail('the cause for spec.containers[0].image to have reason FieldValueRequired', JSON.stringify(cause), [{ label: 'Status', value: status }]);
  }
});

check({
  id: 'api.validation.deployment-selector',
  title: 'A Deployment whose selector does not select its pod template fails with 422 Invalid, cause field spec.template.metadata.labels',
  lab: 'api', points: 1,
  cites: `${CITES}; k8s.io/kubernetes/pkg/apis/apps/validation/validation.go (ValidateDeploymentSpec)`,
}, async (t) => {
  const namespace = await t.namespace();
  const body = deploymentManifest('web', namespace);
  body.spec.template.metadata.labels = { app: 'other' };
  t.step('create Deployment web with selector app=web and template labels app=other');
  const status = await t.expectError('a create of a deployment whose selector misses its template',
    t.apps.createNamespacedDeployment({ namespace, body }), { code: 422, reason: 'Invalid' });
  expectInvalid(t, status, 'Deployment.apps', 'web', 'spec.template.metadata.labels', 'Deployment web');
  if (status.details?.group !== 'apps') {
    t.fail('details.group "apps"', JSON.stringify(status.details?.group), [{ label: 'Status', value: status }]);
  }
});

check({
  id: 'api.validation.service-port',
  title: 'A Service port outside 1–65535 fails with 422 Invalid, cause field spec.ports[0].port',
  lab: 'api', points: 1,
  cites: `${CITES}; k8s.io/kubernetes/pkg/apis/core/validation/validation.go (validateServicePort)`,
}, async (t) => {
  const namespace = await t.namespace();
  for (const port of [0, 70000]) {
    const body = serviceManifest('web', namespace);
    body.spec.ports[0].port = port;
    t.step(`create Service web with port ${port}`);
    const status = await t.expectError(`a create of a service with port ${port}`,
      t.core.createNamespacedService({ namespace, body }), { code: 422, reason: 'Invalid' });
    expectInvalid(t, status, 'Service', 'web', 'spec.ports[0].port', `Service web with port ${port}`);
  }
});

check({
  id: 'api.validation.immutable-selector',
  title: 'Changing a Deployment\'s spec.selector fails with 422 Invalid (field is immutable), and the stored Deployment stays as it was',
  lab: 'api', points: 2,
  cites: `${CITES}; k8s.io/kubernetes/pkg/apis/apps/validation/validation.go (ValidateDeploymentUpdate)`,
}, async (t) => {
  const namespace = await t.namespace();
  t.step('create Deployment web with selector app=web');
  await t.apps.createNamespacedDeployment({ namespace, body: deploymentManifest('web', namespace) });
  const before = await t.apps.readNamespacedDeployment({ name: 'web', namespace });
  const changed = plain(before) as any;
  changed.spec.selector = { matchLabels: { app: 'web', tier: 'front' } };
  changed.spec.template.metadata.labels = { app: 'web', tier: 'front' };
  // The Deployment controller may write the object meanwhile (its status): an update without
  // resourceVersion is unconditional, so it meets validation rather than a 409 Conflict.
  delete changed.metadata.resourceVersion;
  t.step('update the selector to app=web,tier=front (and the template labels with it)');
  const status = await t.expectError('an update of spec.selector', t.apps.replaceNamespacedDeployment({ name: 'web', namespace, body: changed }), { code: 422, reason: 'Invalid' });
  expectInvalid(t, status, 'Deployment.apps', 'web', 'spec.selector', 'the selector update');
  const after = await t.apps.readNamespacedDeployment({ name: 'web', namespace });
  if (JSON.stringify(after.spec?.selector) !== JSON.stringify(before.spec?.selector) ||
      JSON.stringify(after.spec?.template?.metadata?.labels) !== JSON.stringify(before.spec?.template?.metadata?.labels)) {
    t.fail('the stored Deployment unchanged after the refused update', `selector ${JSON.stringify(after.spec?.selector)}, template labels ${JSON.stringify(after.spec?.template?.metadata?.labels)}`,
      [{ label: 'before', value: plain(before) }, { label: 'after', value: plain(after) }], 'validate the whole new object before writing any of it');
  }
});

check({
  id: 'api.validation.label-value',
  title: 'A label value that is not a valid label (spaces, "!") fails with 422 Invalid, cause field metadata.labels, on create and on update; the stored object stays as it was',
  lab: 'api', points: 1,
  cites: `${CITES}; kubernetes.io/docs/concepts/overview/working-with-objects/labels/ (Syntax and character set)`,
}, async (t) => {
  const namespace = await t.namespace();
  t.step('create ConfigMap bad with label tier="front end!"');
  const created = await t.expectError('a create with label value "front end!"',
    t.core.createNamespacedConfigMap({ namespace, body: configMapManifest('bad', namespace, { a: 'b' }, { tier: 'front end!' }) }), { code: 422, reason: 'Invalid' });
  expectInvalid(t, created, 'ConfigMap', 'bad', 'metadata.labels', 'ConfigMap bad');

  t.step('create ConfigMap good with label tier=front, then update the label to "front end!"');
  const good = await t.core.createNamespacedConfigMap({ namespace, body: configMapManifest('good', namespace, { a: 'b' }, { tier: 'front' }) });
  const updated = await t.expectError('an update to label value "front end!"',
    t.core.patchNamespacedConfigMap({ name: 'good', namespace, body: [{ op: 'replace', path: '/metadata/labels/tier', value: 'front end!' }] },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.JsonPatch)), { code: 422, reason: 'Invalid' });
  expectInvalid(t, updated, 'ConfigMap', 'good', 'metadata.labels', 'the label update');
  const after = await t.core.readNamespacedConfigMap({ name: 'good', namespace });
  if (after.metadata?.labels?.tier !== 'front' || after.metadata?.resourceVersion !== good.metadata?.resourceVersion) {
    t.fail(`the stored ConfigMap unchanged (label tier=front, resourceVersion ${good.metadata?.resourceVersion})`,
      `labels ${JSON.stringify(after.metadata?.labels)}, resourceVersion ${after.metadata?.resourceVersion}`, [{ label: 'stored', value: plain(after) }]);
  }
});
