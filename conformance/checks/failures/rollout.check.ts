// A bad release: a rolling update to a version that never becomes ready. The
// rollout stalls with the old pods still serving (maxUnavailable bounds what it
// may take down), the Deployment says ProgressDeadlineExceeded once
// progressDeadlineSeconds pass without progress, and rolling back recovers.
// Source: https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#failed-deployment

import { check } from '../../lib/check.ts';
import { podNamespace, readyNodes, WEB } from '../pods/support.ts';
import {
  WEB_2, condition, createDeployment, deploymentManifest, getDeployment, imageOf, isReady, isTerminating, listPods,
  replicaSetsOf, REVISION, rolloutUndo, untilRolledOut,
} from '../deployments/support.ts';

check({
  id: 'failures.rollout.bad-release-stalls',
  title: 'A rolling update to a version that never turns ready stalls with the old pods serving, reports ProgressDeadlineExceeded, and rolling back recovers',
  lab: 'failures', points: 3, cites: 'https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#failed-deployment',
  concurrent: true, timeoutMs: 60_000,
}, async (t) => {
  await readyNodes(t);
  const namespace = await podNamespace(t);
  const readiness = { readinessProbe: { httpGet: { path: '/ready', port: 8080 }, periodSeconds: 1 } };
  const manifest = deploymentManifest('release', 3, { progressDeadlineSeconds: 5 });
  manifest.spec.template.spec.containers[0] = { ...manifest.spec.template.spec.containers[0], ...readiness };
  const created = await createDeployment(t, namespace, manifest);
  const good = await untilRolledOut(t, namespace, 'release');

  t.step(`update to ${WEB_2} that never turns ready (READY_AFTER_SECONDS=3600)`);
  await t.apps.patchNamespacedDeployment({ name: 'release', namespace, body: [
    { op: 'replace', path: '/spec/template/spec/containers/0/image', value: WEB_2 },
    { op: 'add', path: '/spec/template/spec/containers/0/env', value: [{ name: 'READY_AFTER_SECONDS', value: '3600' }] },
  ] });
  const stalled = await t.eventually('condition Progressing False ProgressDeadlineExceeded', async () => {
    const d = await getDeployment(t, namespace, 'release');
    const progressing = condition(d, 'Progressing');
    return progressing?.status === 'False' && progressing?.reason === 'ProgressDeadlineExceeded' ? d : undefined;
  }, { timeoutMs: 30_000, seen: async () => JSON.stringify((await getDeployment(t, namespace, 'release')).status) });

  // maxUnavailable 25% of 3 rounds down to 0: all three old pods must still be ready.
  const serving = (await listPods(t, namespace, 'release')).filter((p) => !isTerminating(p) && isReady(p));
  if (serving.length !== 3 || serving.some((p) => imageOf(p) !== WEB) || (stalled.status?.availableReplicas ?? 0) < 3) {
    t.fail(`3 ready pods of ${WEB} still serving, availableReplicas 3`, `${serving.map((p) => `${p.metadata.name} ${imageOf(p)}`).join(', ')}; status ${JSON.stringify(stalled.status)}`);
  }

  t.step('roll back to revision 1, as kubectl rollout undo does');
  const first = (await replicaSetsOf(t, namespace, created)).find((rs) => rs.metadata.annotations?.[REVISION] === '1');
  if (!first) t.fail('the ReplicaSet of revision 1', 'none', [{ label: 'Deployment', value: good }]);
  await rolloutUndo(t, namespace, stalled, first);
  const recovered = await untilRolledOut(t, namespace, 'release', 30_000);
  const available = condition(recovered, 'Available');
  if (available?.status !== 'True') t.fail('condition Available True after the rollback', JSON.stringify(recovered.status?.conditions));
  const left = (await listPods(t, namespace, 'release')).filter((p) => !isTerminating(p));
  if (left.some((p) => imageOf(p) !== WEB)) t.fail(`only ${WEB} pods after the rollback`, left.map((p) => `${p.metadata.name} ${imageOf(p)}`).join(', '));
});
