// Default tolerations: the API server gives every new pod a toleration of the
// two taints a failed node gets (not-ready, unreachable), for
// defaultTolerationSeconds, so that a node missing a heartbeat or two does not
// cost it its pods at once (the DefaultTolerationSeconds admission plugin,
// plugin/pkg/admission/defaulttolerationseconds/admission.go).

import { check } from '../../lib/check.ts';
import { profileSeconds, webContainer, podManifest } from '../pods/support.ts';

const DOC = 'https://kubernetes.io/docs/concepts/scheduling-eviction/taint-and-toleration/#taint-based-evictions';
const TAINTS = ['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable'];

check({
  id: 'failures.tolerations.defaults',
  title: 'A new pod tolerates a not-ready or unreachable node for defaultTolerationSeconds (300 s in Kubernetes)',
  lab: 'failures', points: 2, cites: DOC, concurrent: true,
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
  id: 'failures.tolerations.own-kept',
  title: 'A pod that says how long it tolerates an unreachable node keeps its own toleration',
  lab: 'failures', points: 1, cites: DOC, concurrent: true,
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
