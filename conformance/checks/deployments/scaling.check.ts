// Scaling a Deployment resizes its ReplicaSet and makes no new revision; and a
// Deployment keeps its ReplicaSets as it wants them: one resized by hand is put
// back (a controller converges on the declared state, whoever changed it).
// Source: https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#scaling-a-deployment
// and pkg/controller/deployment/{sync.go,rolling.go}.

import { check } from '../../lib/check.ts';
import { podNamespace, readyNodes } from '../pods/support.ts';
import {
  DOC, REVISION, createDeployment, deploymentManifest, isTerminating, listPods, patchDeployment, replicaSetsOf, untilRolledOut,
} from './support.ts';

check({
  id: 'deployments.scaling.scale-subresource',
  title: 'Scaling through deployments/<name>/scale resizes the one ReplicaSet (no new revision) and the Scale reports the replicas and the selector',
  lab: 'deployments', points: 2, cites: `${DOC}#scaling-a-deployment`, concurrent: true,
}, async (t) => {
  await readyNodes(t);
  const namespace = await podNamespace(t);
  const created = await createDeployment(t, namespace, deploymentManifest('web', 1));
  await untilRolledOut(t, namespace, 'web');
  await patchDeployment(t, namespace, 'web', { spec: { replicas: 3 } }, 'merge', 'scale'); // kubectl scale --replicas=3
  await untilRolledOut(t, namespace, 'web');
  const rss = await replicaSetsOf(t, namespace, created);
  if (rss.length !== 1 || rss[0].spec.replicas !== 3 || rss[0].metadata.annotations?.[REVISION] !== '1') {
    t.fail('one ReplicaSet, revision 1, with 3 replicas', rss.map((rs) => `${rs.metadata.name} rev ${rs.metadata.annotations?.[REVISION]} replicas ${rs.spec.replicas}`).join('; '),
      [], 'a change of spec.replicas alone is no new template: resize the current ReplicaSet');
  }
  const pods = (await listPods(t, namespace, 'web')).filter((p) => !isTerminating(p));
  if (pods.length !== 3) t.fail('3 pods', `${pods.length}`);
  const scale = (await t.raw({ path: `/apis/apps/v1/namespaces/${namespace}/deployments/web/scale` })).json;
  if (scale?.spec?.replicas !== 3 || scale?.status?.replicas !== 3 || scale?.status?.selector !== 'app=web') {
    t.fail('Scale {spec: {replicas: 3}, status: {replicas: 3, selector: "app=web"}}', JSON.stringify({ spec: scale?.spec, status: scale?.status }));
  }

  await patchDeployment(t, namespace, 'web', { spec: { replicas: 1 } }, 'merge', 'scale');
  await untilRolledOut(t, namespace, 'web');
  await t.eventually('1 pod left', async () => ((await listPods(t, namespace, 'web')).filter((p) => !isTerminating(p)).length === 1 ? true : undefined));
});

check({
  id: 'deployments.scaling.converges',
  title: 'A ReplicaSet of a Deployment scaled by hand is scaled back to the Deployment\'s replicas',
  lab: 'deployments', points: 2, cites: 'https://kubernetes.io/docs/concepts/architecture/controller/#desired-versus-current-state', concurrent: true,
}, async (t) => {
  await readyNodes(t);
  const namespace = await podNamespace(t);
  const created = await createDeployment(t, namespace, deploymentManifest('web', 2));
  await untilRolledOut(t, namespace, 'web');
  const [rs] = await replicaSetsOf(t, namespace, created);
  t.step(`PATCH replicasets/${rs.metadata.name}/scale {spec: {replicas: 4}}`);
  const res = await t.raw({
    method: 'PATCH', path: `/apis/apps/v1/namespaces/${namespace}/replicasets/${rs.metadata.name}/scale`,
    body: JSON.stringify({ spec: { replicas: 4 } }), headers: { 'Content-Type': 'application/merge-patch+json' },
  });
  if (res.status !== 200) t.fail('the scale PATCH to answer 200', `HTTP ${res.status}: ${res.text.slice(0, 300)}`);
  let seen = '';
  await t.eventually(`ReplicaSet ${rs.metadata.name} back to 2 replicas, with 2 pods`, async () => {
    const now = (await replicaSetsOf(t, namespace, created)).find((r) => r.metadata.uid === rs.metadata.uid);
    const pods = (await listPods(t, namespace, 'web')).filter((p) => !isTerminating(p));
    seen = `spec.replicas ${now?.spec?.replicas}, ${pods.length} pods`;
    return now?.spec?.replicas === 2 && pods.length === 2 ? true : undefined;
  }, { timeoutMs: 15_000, seen: () => seen });
});
