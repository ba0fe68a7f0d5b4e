// A Deployment's history is its ReplicaSets, numbered by the
// deployment.kubernetes.io/revision annotation. `kubectl rollout undo` is done
// by kubectl: it copies an old ReplicaSet's template back into the Deployment
// with a JSON patch; the controller must then bring that ReplicaSet back under
// the next revision number instead of making a new one. Old ReplicaSets past
// spec.revisionHistoryLimit are deleted.
// Source: https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#rolling-back-a-deployment,
// k8s.io/kubectl/pkg/polymorphichelpers/rollback.go, pkg/controller/deployment/sync.go.

import { check } from '../../lib/check.ts';
import { podNamespace, readyNodes, WEB } from '../pods/support.ts';
import {
  DOC, REVISION, WEB_2, createDeployment, deploymentManifest, getDeployment, imageOf, isTerminating, listPods, patchDeployment,
  replicaSetsOf, rolloutUndo, setImage, untilRolledOut,
} from './support.ts';

check({
  id: 'deployments.history.rollback',
  title: 'Rolling back (kubectl rollout undo\'s JSON patch) restores the old template through its old ReplicaSet, renumbered as revision 3 with revision-history "1"',
  lab: 'deployments', points: 3, cites: `${DOC}#rolling-back-to-a-previous-revision`, concurrent: true, timeoutMs: 45_000,
}, async (t) => {
  await readyNodes(t);
  const namespace = await podNamespace(t);
  const created = await createDeployment(t, namespace, deploymentManifest('web', 2));
  await untilRolledOut(t, namespace, 'web');
  await setImage(t, namespace, 'web', WEB_2);
  const d = await untilRolledOut(t, namespace, 'web');
  const before = await replicaSetsOf(t, namespace, created);
  const first = before.find((rs) => rs.metadata.annotations?.[REVISION] === '1');
  if (before.length !== 2 || !first || d.metadata.annotations?.[REVISION] !== '2') {
    t.fail('two ReplicaSets (revisions 1 and 2) and the Deployment at revision 2',
      `${before.map((rs) => `${rs.metadata.name} rev ${rs.metadata.annotations?.[REVISION]}`).join(', ')}; Deployment rev ${d.metadata.annotations?.[REVISION]}`);
  }

  await rolloutUndo(t, namespace, d, first);
  const back = await untilRolledOut(t, namespace, 'web');

  const pods = (await listPods(t, namespace, 'web')).filter((p) => !isTerminating(p));
  if (pods.length !== 2 || pods.some((p) => imageOf(p) !== WEB)) {
    t.fail(`2 pods back on ${WEB}`, pods.map((p) => `${p.metadata.name} ${imageOf(p)}`).join('; '));
  }
  const after = await replicaSetsOf(t, namespace, created);
  const objects = [{ label: 'ReplicaSets', value: after.map((rs) => ({ name: rs.metadata.name, annotations: rs.metadata.annotations, replicas: rs.spec.replicas })) }];
  if (after.length !== 2 || !after.some((rs) => rs.metadata.uid === first.metadata.uid)) {
    t.fail(`the same two ReplicaSets, ${first.metadata.name} brought back`, after.map((rs) => rs.metadata.name).join(', '), objects,
      'find the ReplicaSet whose template equals the Deployment\'s, ignoring pod-template-hash and how the JSON is spelled (key order, null, {}, [])');
  }
  const reused = after.find((rs) => rs.metadata.uid === first.metadata.uid);
  if (reused.metadata.annotations?.[REVISION] !== '3' || reused.metadata.annotations?.['deployment.kubernetes.io/revision-history'] !== '1' || reused.spec.replicas !== 2) {
    t.fail(`${first.metadata.name} with revision "3", revision-history "1" and 2 replicas`,
      `revision ${JSON.stringify(reused.metadata.annotations?.[REVISION])}, revision-history ${JSON.stringify(reused.metadata.annotations?.['deployment.kubernetes.io/revision-history'])}, replicas ${reused.spec.replicas}`, objects);
  }
  const latest = await t.eventually(`the Deployment's ${REVISION} annotation "3"`, async () => {
    const now = await getDeployment(t, namespace, 'web');
    return now.metadata.annotations?.[REVISION] === '3' ? now : undefined;
  }, { seen: async () => JSON.stringify((await getDeployment(t, namespace, 'web')).metadata.annotations) });
  if (latest.spec.template.spec.containers[0].image !== WEB || back.status.updatedReplicas !== 2) {
    t.fail(`the Deployment's template on ${WEB}, 2 updated replicas`, JSON.stringify({ image: latest.spec.template.spec.containers[0].image, status: back.status }));
  }
});

check({
  id: 'deployments.history.revision-limit',
  title: 'With revisionHistoryLimit 1, only the newest old ReplicaSet is kept: after three revisions, revisions 2 and 3 remain',
  lab: 'deployments', points: 2, cites: `${DOC}#clean-up-policy`, concurrent: true, timeoutMs: 45_000,
}, async (t) => {
  await readyNodes(t);
  const namespace = await podNamespace(t);
  const created = await createDeployment(t, namespace, deploymentManifest('web', 1, { revisionHistoryLimit: 1 }));
  await untilRolledOut(t, namespace, 'web');
  for (const version of ['2', '3']) {
    await patchDeployment(t, namespace, 'web', { spec: { template: { metadata: { annotations: { 'kubelab.dev/version': version } } } } });
    await untilRolledOut(t, namespace, 'web');
  }
  let rss: any[] = [];
  await t.eventually('exactly the ReplicaSets of revisions 2 and 3', async () => {
    rss = await replicaSetsOf(t, namespace, created);
    const revisions = rss.map((rs) => rs.metadata.annotations?.[REVISION]).sort();
    return JSON.stringify(revisions) === '["2","3"]' ? true : undefined;
  }, { seen: () => rss.map((rs) => `${rs.metadata.name}: revision ${rs.metadata.annotations?.[REVISION]}, replicas ${rs.spec.replicas}`).join('; ') });
});
