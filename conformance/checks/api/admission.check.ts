// Admission: what the API server itself does to a request after it is
// authenticated and before it is stored, which no controller could do in time.
// Two of Kubernetes' admission plugins matter to the labs:
// - NamespaceLifecycle refuses new objects in a namespace that is being deleted
//   (so the namespace controller can ever finish) and refuses to delete the
//   system namespaces default, kube-system and kube-public;
// - DefaultTolerationSeconds gives every new pod a toleration of the two taints a
//   failed node gets (not-ready, unreachable) for defaultTolerationSeconds, so that
//   a node missing a heartbeat or two does not cost it its pods at once.
// Sources: https://kubernetes.io/docs/reference/access-authn-authz/admission-controllers/,
// staging/src/k8s.io/apiserver/pkg/admission/plugin/namespace/lifecycle/admission.go,
// plugin/pkg/admission/defaulttolerationseconds/admission.go.

import * as k8s from '@kubernetes/client-node';
import { check } from '../../lib/check.ts';
import { statusOf } from '../../lib/context.ts';
import { profileSeconds, webContainer, podManifest } from '../pods/support.ts';
import { configMapManifest, describeNamespace, heldTerminatingNamespace } from './support.ts';

const NAMESPACES_DOC = 'https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces/';
const LIFECYCLE = 'https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/apiserver/pkg/admission/plugin/namespace/lifecycle/admission.go';
const TOLERATIONS_DOC = 'https://kubernetes.io/docs/concepts/scheduling-eviction/taint-and-toleration/#taint-based-evictions';
const DEFAULT_TOLERATION_SECONDS = 'https://github.com/kubernetes/kubernetes/blob/master/plugin/pkg/admission/defaulttolerationseconds/admission.go';
const MERGE_PATCH = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);
const TAINTS = ['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable'];

check({
  id: 'api.admission.terminating-namespace',
  title: 'A Terminating namespace refuses new objects with 403 Forbidden (cause NamespaceTerminating), while its objects can still be changed',
  lab: 'api', points: 2, cites: `${NAMESPACES_DOC}; ${LIFECYCLE}`, concurrent: true, timeoutMs: 45_000,
}, async (t) => {
  const { namespace } = await heldTerminatingNamespace(t);
  t.step('create ConfigMap late in the Terminating namespace');
  const status = await t.expectError(`a create in Terminating namespace ${namespace}`,
    t.core.createNamespacedConfigMap({ namespace, body: configMapManifest('late', namespace) }), { code: 403, reason: 'Forbidden' });
  if (!status.message?.includes(`unable to create new content in namespace ${namespace} because it is being terminated`)) {
    t.fail(`a message "configmaps "late" is forbidden: unable to create new content in namespace ${namespace} because it is being terminated"`,
      String(status.message), [{ label: 'Status', value: status }]);
  }
  const cause = (status.details?.causes ?? []).find((c) => c.reason === 'NamespaceTerminating');
  if (!cause || cause.field !== 'metadata.namespace') {
    t.fail('details.causes with {reason: NamespaceTerminating, field: metadata.namespace}', JSON.stringify(status.details?.causes ?? []),
      [{ label: 'Status', value: status }], 'controllers recognise this refusal by its cause and stop retrying');
  }
  t.step('label ConfigMap held (an update, still allowed)');
  const updated = await t.core.patchNamespacedConfigMap({ name: 'held', namespace, body: { metadata: { labels: { touched: 'yes' } } } }, MERGE_PATCH)
    .catch((err) => t.fail('the update of an existing object in a Terminating namespace to succeed', `${statusOf(err).code} ${statusOf(err).message}`));
  if (updated.metadata?.labels?.touched !== 'yes') t.fail('label touched=yes on ConfigMap held', JSON.stringify(updated.metadata?.labels));
});

check({
  id: 'api.admission.system-namespaces',
  title: 'The namespaces default, kube-system and kube-public cannot be deleted (403 Forbidden)',
  lab: 'api', points: 1, cites: LIFECYCLE, concurrent: true,
}, async (t) => {
  t.step('DELETE namespace default');
  const status = await t.expectError('DELETE namespace default', t.core.deleteNamespace({ name: 'default' }), { code: 403, reason: 'Forbidden' });
  if (!status.message?.includes('this namespace may not be deleted')) {
    t.fail('the message `namespaces "default" is forbidden: this namespace may not be deleted`', String(status.message), [{ label: 'Status', value: status }]);
  }
  const ns = await t.core.readNamespace({ name: 'default' });
  if (ns.metadata?.deletionTimestamp || ns.status?.phase !== 'Active') t.fail('namespace default untouched, Active', describeNamespace(ns));
  // The other two with dryRun=All: refused just the same (admission runs on dry runs), and harmless if they are not.
  for (const name of ['kube-system', 'kube-public']) {
    t.step(`DELETE namespace ${name}?dryRun=All`);
    const res = await t.raw({ method: 'DELETE', path: `/api/v1/namespaces/${name}?dryRun=All` });
    if (res.status !== 403) t.fail(`DELETE namespace ${name} (dry run) to fail with 403 Forbidden`, `HTTP ${res.status}: ${res.text.slice(0, 300)}`);
  }
});

check({
  id: 'api.admission.default-tolerations',
  title: 'A new pod tolerates a not-ready or unreachable node for defaultTolerationSeconds (300 s in Kubernetes)',
  lab: 'api', points: 2, cites: `${TOLERATIONS_DOC}; ${DEFAULT_TOLERATION_SECONDS}`, concurrent: true,
}, async (t) => {
  const namespace = await t.namespace();
  const seconds = profileSeconds(t, 'defaultTolerationSeconds', 300);
  t.step('create pod plain with no tolerations');
  const pod = await t.core.createNamespacedPod({ namespace, body: podManifest('plain', webContainer(), { nodeSelector: { 'kubelab.dev/none': 'x' } }) });
  for (const key of TAINTS) {
    const found = (pod.spec?.tolerations ?? []).find((tol) => tol.key === key);
    if (!found || found.operator !== 'Exists' || found.effect !== 'NoExecute' || found.tolerationSeconds !== seconds) {
      t.fail(`a toleration {key: ${key}, operator: Exists, effect: NoExecute, tolerationSeconds: ${seconds}}`,
        JSON.stringify(pod.spec?.tolerations ?? []), [{ label: 'pod', value: pod }]);
    }
  }
});

check({
  id: 'api.admission.own-tolerations',
  title: 'A pod that says how long it tolerates an unreachable node keeps its own toleration',
  lab: 'api', points: 1, cites: `${TOLERATIONS_DOC}; ${DEFAULT_TOLERATION_SECONDS}`, concurrent: true,
}, async (t) => {
  const namespace = await t.namespace();
  const own = { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 6000 };
  t.step('create pod patient tolerating unreachable for 6000 s');
  const pod = await t.core.createNamespacedPod({ namespace, body: podManifest('patient', webContainer(), { tolerations: [own], nodeSelector: { 'kubelab.dev/none': 'x' } }) });
  const unreachable = (pod.spec?.tolerations ?? []).filter((tol) => tol.key === 'node.kubernetes.io/unreachable');
  if (unreachable.length !== 1 || unreachable[0].tolerationSeconds !== 6000) {
    t.fail('exactly one unreachable toleration, the pod\'s own (6000 s)', JSON.stringify(pod.spec?.tolerations ?? []));
  }
  if (!(pod.spec?.tolerations ?? []).some((tol) => tol.key === 'node.kubernetes.io/not-ready')) {
    t.fail('the default not-ready toleration added beside it', JSON.stringify(pod.spec?.tolerations ?? []));
  }
});
