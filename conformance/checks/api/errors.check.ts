// Errors: what the API server answers when a request cannot be done. Every error is a
// Status object whose `reason` and `code` say what went wrong (AlreadyExists 409,
// NotFound 404, Conflict 409, BadRequest 400), in the message forms kubectl prints.

import { check } from '../../lib/check.ts';
import { plain, statusOf } from '../../lib/context.ts';
import { configMapManifest, deploymentManifest, expectDetails, expectMessage, podManifest, rawStatus, unique } from './support.ts';

const CITES_ERRORS = 'k8s.io/apimachinery/pkg/api/errors/errors.go';

check({
  id: 'api.errors.already-exists',
  title: 'Creating an object whose name is taken fails with 409 AlreadyExists: `<resource> "<name>" already exists`, details.kind the resource',
  lab: 'api', points: 2,
  cites: `${CITES_ERRORS} (NewAlreadyExists); kubernetes/community api-conventions.md (Idempotency)`,
}, async (t) => {
  const namespace = await t.namespace();
  t.step('create ConfigMap settings, twice');
  const first = await t.core.createNamespacedConfigMap({ namespace, body: configMapManifest('settings', namespace, { v: '1' }) });
  const status = await t.expectError('the second create of ConfigMap settings',
    t.core.createNamespacedConfigMap({ namespace, body: configMapManifest('settings', namespace, { v: '2' }) }), { code: 409, reason: 'AlreadyExists' });
  expectMessage(t, status, 'configmaps "settings" already exists');
  expectDetails(t, status, { name: 'settings', kind: 'configmaps' });
  const stored = await t.core.readNamespacedConfigMap({ name: 'settings', namespace });
  if (stored.metadata?.uid !== first.metadata?.uid || stored.data?.v !== '1') {
    t.fail('the first ConfigMap unchanged (data.v "1", same uid)', JSON.stringify(plain(stored)), [{ label: 'stored', value: plain(stored) }]);
  }

  t.step('create Deployment web, twice');
  await t.apps.createNamespacedDeployment({ namespace, body: deploymentManifest('web', namespace) });
  const again = await t.expectError('the second create of Deployment web',
    t.apps.createNamespacedDeployment({ namespace, body: deploymentManifest('web', namespace) }), { code: 409, reason: 'AlreadyExists' });
  expectMessage(t, again, 'deployments.apps "web" already exists');
  expectDetails(t, again, { name: 'web', kind: 'deployments', group: 'apps' });
});

check({
  id: 'api.errors.not-found',
  title: 'GET, PUT and DELETE of a missing object fail with 404 NotFound: `pods "x" not found`, `deployments.apps "x" not found`',
  lab: 'api', points: 2,
  cites: `${CITES_ERRORS} (NewNotFound)`,
}, async (t) => {
  const namespace = await t.namespace();
  t.step('get Pod ghost');
  const pod = await t.expectError('GET of a pod that does not exist', t.core.readNamespacedPod({ name: 'ghost', namespace }), { code: 404, reason: 'NotFound' });
  expectMessage(t, pod, 'pods "ghost" not found');
  expectDetails(t, pod, { name: 'ghost', kind: 'pods' });

  t.step('get Deployment ghost');
  const deployment = await t.expectError('GET of a deployment that does not exist',
    t.apps.readNamespacedDeployment({ name: 'ghost', namespace }), { code: 404, reason: 'NotFound' });
  expectMessage(t, deployment, 'deployments.apps "ghost" not found');
  expectDetails(t, deployment, { name: 'ghost', kind: 'deployments', group: 'apps' });

  t.step('put ConfigMap ghost');
  const put = await t.expectError('PUT of a ConfigMap that does not exist',
    t.core.replaceNamespacedConfigMap({ name: 'ghost', namespace, body: configMapManifest('ghost', namespace) }), { code: 404, reason: 'NotFound' });
  expectMessage(t, put, 'configmaps "ghost" not found');

  t.step('delete Pod ghost');
  const del = await t.expectError('DELETE of a pod that does not exist', t.core.deleteNamespacedPod({ name: 'ghost', namespace }), { code: 404, reason: 'NotFound' });
  expectMessage(t, del, 'pods "ghost" not found');
});

check({
  id: 'api.errors.conflict',
  title: 'A PUT that carries an old resourceVersion fails with 409 Conflict and changes nothing (optimistic concurrency)',
  lab: 'api', points: 3,
  cites: `${CITES_ERRORS} (NewConflict); kubernetes/community api-conventions.md (Concurrency Control and Consistency)`,
}, async (t) => {
  const namespace = await t.namespace();
  t.step('create ConfigMap settings');
  const v1 = await t.core.createNamespacedConfigMap({ namespace, body: configMapManifest('settings', namespace, { v: '1' }) });
  t.step('update it to v2 with the current resourceVersion');
  const v2 = await t.core.replaceNamespacedConfigMap({ name: 'settings', namespace, body: { ...v1, data: { v: '2' } } });
  if (v2.metadata?.resourceVersion === v1.metadata?.resourceVersion) {
    t.fail('a new resourceVersion after the update', `still ${v2.metadata?.resourceVersion}`, [{ label: 'after update', value: plain(v2) }]);
  }
  t.step(`update it to v3 with the old resourceVersion ${v1.metadata?.resourceVersion}`);
  const status = await t.expectError('a PUT with a stale resourceVersion',
    t.core.replaceNamespacedConfigMap({ name: 'settings', namespace, body: { ...v1, data: { v: '3' } } }), { code: 409, reason: 'Conflict' });
  const prefix = 'Operation cannot be fulfilled on configmaps "settings": ';
  if (!status.message?.startsWith(prefix)) {
    t.fail(`a message starting with ${JSON.stringify(prefix)}`, JSON.stringify(status.message), [{ label: 'Status', value: status }]);
  }
  expectDetails(t, status, { name: 'settings', kind: 'configmaps' });
  const stored = await t.core.readNamespacedConfigMap({ name: 'settings', namespace });
  if (stored.data?.v !== '2' || stored.metadata?.resourceVersion !== v2.metadata?.resourceVersion) {
    t.fail(`the stored ConfigMap still at v2 (resourceVersion ${v2.metadata?.resourceVersion})`,
      `data.v ${stored.data?.v}, resourceVersion ${stored.metadata?.resourceVersion}`, [{ label: 'stored', value: plain(stored) }],
      'compare the resourceVersion in the body with the stored one before writing, atomically');
  }
});

check({
  id: 'api.errors.malformed-json',
  title: 'A body that is not valid JSON fails with 400 BadRequest, and nothing is created',
  lab: 'api', points: 1,
  cites: 'kubernetes.io/docs/reference/using-api/api-concepts/; k8s.io/apiserver/pkg/endpoints/handlers/create.go',
}, async (t) => {
  const namespace = await t.namespace();
  t.step(`POST /api/v1/namespaces/${namespace}/configmaps with a truncated body`);
  const res = await t.raw({ method: 'POST', path: `/api/v1/namespaces/${namespace}/configmaps`, body: '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"broken"', headers: { 'Content-Type': 'application/json' } });
  rawStatus(t, 'a create with malformed JSON', res, { code: 400, reason: 'BadRequest' });
  const list = await t.core.listNamespacedConfigMap({ namespace });
  if (list.items.some((cm) => cm.metadata?.name === 'broken')) {
    t.fail('no ConfigMap broken', 'it was created', [{ label: 'configmaps', value: plain(list.items) }]);
  }
});

check({
  id: 'api.errors.strict-unknown-field',
  title: 'With fieldValidation=Strict a body with an unknown field fails with 400 BadRequest naming the field; without it the field is dropped and a Warning header names it',
  lab: 'api', points: 2,
  cites: 'kubernetes.io/docs/reference/using-api/api-concepts/ (Field validation)',
}, async (t) => {
  const namespace = await t.namespace();
  const body = { ...podManifest('strict', namespace), spec: { ...podManifest('strict', namespace).spec, bogusField: 'x' } };
  t.step('create Pod strict with spec.bogusField and fieldValidation=Strict');
  const res = await t.raw({ method: 'POST', path: `/api/v1/namespaces/${namespace}/pods?fieldValidation=Strict`, body });
  const status = rawStatus(t, 'a strict create with an unknown field', res, { code: 400, reason: 'BadRequest' });
  if (!status.message?.includes('bogusField')) {
    t.fail('the message to name the unknown field (spec.bogusField)', JSON.stringify(status.message), [{ label: 'Status', value: status }]);
  }
  await t.expectError('GET of the pod a strict create refused', t.core.readNamespacedPod({ name: 'strict', namespace }), { code: 404, reason: 'NotFound' });

  t.step('create it again without fieldValidation (the default is Warn)');
  const warned = await t.raw({ method: 'POST', path: `/api/v1/namespaces/${namespace}/pods`, body });
  if (warned.status !== 201) {
    t.fail('201 Created: by default an unknown field is dropped, not an error', `HTTP ${warned.status}`, [{ label: 'response', value: warned.json ?? warned.text }]);
  }
  const warning = [warned.headers.warning ?? []].flat().join(', ');
  if (!warning.includes('bogusField')) {
    t.fail('a Warning header that names spec.bogusField', warning ? JSON.stringify(warning) : 'no Warning header', [{ label: 'response headers', value: warned.headers }]);
  }
  if (warned.json?.spec && 'bogusField' in warned.json.spec) {
    t.fail('the stored pod without the unknown field', 'spec.bogusField was kept', [{ label: 'created pod', value: warned.json }]);
  }
});

check({
  id: 'api.errors.unknown-resource',
  title: 'A request for a resource the server does not serve fails with 404',
  lab: 'api', points: 1,
  cites: 'kubernetes.io/docs/reference/using-api/api-concepts/ (Standard API terminology)',
}, async (t) => {
  const namespace = await t.namespace();
  for (const path of [`/api/v1/namespaces/${namespace}/widgets`, '/apis/widgets.kubelab.dev/v1/widgets', `/apis/apps/v1/namespaces/${namespace}/gadgets/x`]) {
    t.step(`GET ${path}`);
    const res = await t.raw({ path });
    if (res.status !== 404) {
      t.fail(`GET ${path} to fail with 404`, `HTTP ${res.status}`, [{ label: 'response body', value: res.json ?? res.text }]);
    }
    if (res.json !== undefined && (res.json.kind !== 'Status' || res.json.code !== 404)) {
      t.fail(`a JSON body for GET ${path} to be a Status with code 404`, JSON.stringify(res.json), [{ label: 'response body', value: res.json }]);
    }
  }
});

check({
  id: 'api.errors.missing-namespace',
  title: 'Creating an object in a namespace that does not exist fails with 404 NotFound for the namespace: `namespaces "<ns>" not found`',
  lab: 'api', points: 1,
  cites: 'k8s.io/apiserver/pkg/admission/plugin/namespace/lifecycle/admission.go',
}, async (t) => {
  const namespace = unique('kubelab-missing');
  t.step(`create ConfigMap settings in namespace ${namespace}, which does not exist`);
  const status = await t.expectError(`a create in the missing namespace ${namespace}`,
    t.core.createNamespacedConfigMap({ namespace, body: configMapManifest('settings', namespace) }), { code: 404, reason: 'NotFound' });
  expectMessage(t, status, `namespaces "${namespace}" not found`);
  expectDetails(t, status, { name: namespace, kind: 'namespaces' });
  const exists = await t.core.readNamespace({ name: namespace }).then(() => true, (err) => statusOf(err).code !== 404);
  if (exists) t.fail(`namespace ${namespace} still missing`, 'it exists now', [], 'a create in a missing namespace must not create the namespace');
});
