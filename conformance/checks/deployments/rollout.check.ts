// Deployments roll a pod template out through ReplicaSets: one ReplicaSet per
// template, named and labelled with the template's hash; RollingUpdate keeps
// the number of pods and of available pods within maxSurge and maxUnavailable;
// Recreate never runs two versions at once; a paused Deployment makes no new
// ReplicaSet; a rollout that stalls past progressDeadlineSeconds says so.
// Source: https://kubernetes.io/docs/concepts/workloads/controllers/deployment/
// and pkg/controller/deployment/{sync.go,rolling.go,recreate.go,progress.go}.

import { check } from '../../lib/check.ts';
import { podNamespace, readyNodes, sleep } from '../pods/support.ts';
import {
  DOC, PodSet, REVISION, WEB_2, condition, createDeployment, deploymentManifest, getDeployment, imageOf, isReady, isTerminating,
  listPods, patchDeployment, replicaSetsOf, setImage, untilRolledOut,
} from './support.ts';

const HASH_ALPHABET = /^[bcdfghjklmnpqrstvwxz2456789]+$/;

check({
  id: 'deployments.rollout.creates-replicaset',
  title: 'A Deployment creates one ReplicaSet <name>-<pod-template-hash>, owned by it, with the hash label on its labels, selector and template; all pods become available and status says so',
  lab: 'deployments', points: 3, cites: `${DOC}#pod-template-hash-label`, concurrent: true,
}, async (t) => {
  await readyNodes(t);
  const namespace = await podNamespace(t);
  const created = await createDeployment(t, namespace, deploymentManifest('web', 3));
  const d = await untilRolledOut(t, namespace, 'web');
  const rss = await replicaSetsOf(t, namespace, created);
  const objects = [{ label: 'Deployment web', value: d }, { label: 'ReplicaSets', value: rss }];
  if (rss.length !== 1) t.fail('exactly one ReplicaSet controlled by the Deployment', `${rss.length}: ${rss.map((r) => r.metadata.name).join(', ')}`, objects);
  const rs = rss[0];
  const hash = rs.metadata.labels?.['pod-template-hash'];
  if (!hash || !HASH_ALPHABET.test(hash) || rs.metadata.name !== `web-${hash}`) {
    t.fail('a ReplicaSet named web-<hash>, the hash (letters of bcdfghjklmnpqrstvwxz2456789) in its pod-template-hash label',
      `name ${rs.metadata.name}, labels ${JSON.stringify(rs.metadata.labels)}`, objects);
  }
  if (rs.spec.selector?.matchLabels?.['pod-template-hash'] !== hash || rs.spec.template?.metadata?.labels?.['pod-template-hash'] !== hash) {
    t.fail(`pod-template-hash=${hash} in spec.selector.matchLabels and spec.template.metadata.labels`,
      `selector ${JSON.stringify(rs.spec.selector)}, template labels ${JSON.stringify(rs.spec.template?.metadata?.labels)}`, objects,
      'the hash keeps the ReplicaSets of one Deployment from selecting each other\'s pods');
  }
  const ref = (rs.metadata.ownerReferences ?? []).find((o: any) => o.controller);
  if (ref?.kind !== 'Deployment' || ref.apiVersion !== 'apps/v1' || ref.name !== 'web' || ref.blockOwnerDeletion !== true) {
    t.fail('an ownerReference {apiVersion: apps/v1, kind: Deployment, name: web, controller: true, blockOwnerDeletion: true}', JSON.stringify(rs.metadata.ownerReferences), objects);
  }
  if (rs.metadata.annotations?.[REVISION] !== '1' || d.metadata.annotations?.[REVISION] !== '1') {
    t.fail(`annotation ${REVISION}: "1" on the ReplicaSet and on the Deployment`,
      `ReplicaSet ${JSON.stringify(rs.metadata.annotations?.[REVISION])}, Deployment ${JSON.stringify(d.metadata.annotations?.[REVISION])}`, objects);
  }
  const pods = (await listPods(t, namespace, 'web')).filter((p) => !isTerminating(p));
  if (pods.length !== 3 || pods.some((p) => p.metadata.labels?.['pod-template-hash'] !== hash || !p.metadata.name.startsWith(`web-${hash}-`))) {
    t.fail(`3 pods named web-${hash}-<suffix> with label pod-template-hash=${hash}`, pods.map((p) => `${p.metadata.name} ${JSON.stringify(p.metadata.labels)}`).join('; '), objects);
  }
  if (d.status.readyReplicas !== 3 || d.status.unavailableReplicas) {
    t.fail('status readyReplicas 3 and no unavailableReplicas', JSON.stringify(d.status), objects);
  }
  // Progressing turns NewReplicaSetAvailable once complete; it may take the controller one more pass.
  const done = await t.eventually('conditions Available True (MinimumReplicasAvailable) and Progressing True (NewReplicaSetAvailable)', async () => {
    const now = await getDeployment(t, namespace, 'web');
    const available = condition(now, 'Available');
    const progressing = condition(now, 'Progressing');
    return available?.status === 'True' && available.reason === 'MinimumReplicasAvailable' && progressing?.status === 'True' && progressing.reason === 'NewReplicaSetAvailable' ? now : undefined;
  }, { seen: async () => JSON.stringify((await getDeployment(t, namespace, 'web')).status?.conditions) });
  const message = condition(done, 'Progressing').message;
  if (message !== `ReplicaSet "${rs.metadata.name}" has successfully progressed.`) {
    t.fail(`Progressing message: ReplicaSet "${rs.metadata.name}" has successfully progressed.`, JSON.stringify(message));
  }
  // Kubernetes before v1.31 wrote "Scaled up replica set X to 3"; since then "from 0 to 3".
  const scaled = new RegExp(`^Scaled up replica set ${rs.metadata.name} (from 0 )?to 3$`);
  let events: any[] = [];
  await t.eventually(`an event ScalingReplicaSet "Scaled up replica set ${rs.metadata.name} from 0 to 3" on the Deployment`, async () => {
    events = (await t.raw({ path: `/api/v1/namespaces/${namespace}/events` })).json?.items ?? [];
    return events.some((e) => e.involvedObject?.kind === 'Deployment' && e.involvedObject?.name === 'web' && e.reason === 'ScalingReplicaSet' && scaled.test(e.message)) ? true : undefined;
  }, { seen: () => events.map((e) => `${e.involvedObject?.kind}/${e.involvedObject?.name} ${e.reason}: ${e.message}`).join('; ') || 'no events' });
});

check({
  id: 'deployments.rollout.rolling-bounds',
  title: 'A rolling update (4 replicas, maxSurge 1, maxUnavailable 1) never has more than 5 pods or fewer than 3 available, and ends with every pod on the new template',
  lab: 'deployments', points: 3, cites: `${DOC}#max-surge`, concurrent: true, timeoutMs: 45_000,
}, async (t) => {
  await readyNodes(t);
  const namespace = await podNamespace(t);
  const strategy = { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 1 } };
  const created = await createDeployment(t, namespace, deploymentManifest('web', 4, { strategy }));
  await untilRolledOut(t, namespace, 'web');

  // Pods that are being deleted count neither way (the docs' note on terminating pods).
  let worst = { pods: 0, available: 4 };
  let broken: { what: string; pods: any[]; at: number } | undefined;
  const timeline: string[] = [];
  const set = await PodSet.open(t, namespace, 'web', (pods, e) => {
    timeline.push(`${e.type} ${e.object.metadata.name} (${imageOf(e.object)})${isReady(e.object) ? ' ready' : ''}${isTerminating(e.object) ? ' terminating' : ''}`);
    const live = pods.filter((p) => !isTerminating(p));
    const available = live.filter(isReady).length;
    worst = { pods: Math.max(worst.pods, live.length), available: Math.min(worst.available, available) };
    if (!broken && live.length > 5) broken = { what: `${live.length} pods that are not terminating`, pods: live, at: timeline.length };
    if (!broken && available < 3) broken = { what: `only ${available} available pods`, pods: live, at: timeline.length };
  });
  await setImage(t, namespace, 'web', WEB_2);
  let d: any;
  const deadline = Date.now() + 35_000;
  for (;;) {
    set.catchUp();
    d = await getDeployment(t, namespace, 'web');
    const pods = [...set.pods.values()].filter((p) => !isTerminating(p));
    if (d.status?.updatedReplicas === 4 && d.status?.availableReplicas === 4 && d.status?.replicas === 4
      && pods.length === 4 && pods.every((p) => imageOf(p) === WEB_2 && isReady(p))) break;
    if (broken || Date.now() > deadline) break;
    await sleep(100);
  }
  set.catchUp();
  if (broken) {
    t.fail('at most 5 pods (replicas + maxSurge) and at least 3 available (replicas − maxUnavailable) at every moment of the rollout',
      broken.what, [
        { label: 'pods at that moment', value: broken.pods.map((p) => ({ name: p.metadata.name, image: imageOf(p), ready: isReady(p) })) },
        { label: 'the pod changes up to that moment (last 20)', value: timeline.slice(0, broken.at).slice(-20) },
        { label: 'ReplicaSets now', value: (await replicaSetsOf(t, namespace, created)).map((r) => ({ name: r.metadata.name, replicas: r.spec.replicas, status: r.status })) },
      ],
      'scale the new ReplicaSet up only while the ReplicaSets have fewer than replicas + maxSurge pods, and old ones down only while more than replicas − maxUnavailable are available; '
      + 'mind that just after a scale-down a ReplicaSet\'s status still counts the pods it is deleting');
  }
  const pods = [...set.pods.values()].filter((p) => !isTerminating(p));
  if (pods.length !== 4 || pods.some((p) => imageOf(p) !== WEB_2 || !isReady(p))) {
    t.fail(`4 ready pods running ${WEB_2} within 35 s`, pods.map((p) => `${p.metadata.name} ${imageOf(p)} ready=${isReady(p)}`).join('; '),
      [{ label: 'Deployment status', value: d?.status }]);
  }
  if (set.events < 8) t.fail('a rollout that replaced the pods (at least 8 pod changes)', `${set.events} pod changes`);
  const rss = await replicaSetsOf(t, namespace, created);
  const old = rss.find((rs) => rs.metadata.annotations?.[REVISION] === '1');
  if (rss.length !== 2 || old?.spec?.replicas !== 0) {
    t.fail('two ReplicaSets: revision 1 scaled to 0, revision 2 with 4 replicas', rss.map((rs) => `${rs.metadata.name} rev ${rs.metadata.annotations?.[REVISION]} replicas ${rs.spec.replicas}`).join('; '));
  }
  t.step(`worst moment: ${worst.pods} pods, ${worst.available} available`);
});

check({
  id: 'deployments.rollout.recreate',
  title: 'With strategy Recreate, no pod of the new template exists while a pod of the old one still runs',
  lab: 'deployments', points: 3, cites: `${DOC}#recreate-deployment`, concurrent: true,
}, async (t) => {
  await readyNodes(t);
  const namespace = await podNamespace(t);
  await createDeployment(t, namespace, deploymentManifest('web', 2, { strategy: { type: 'Recreate' } }));
  await untilRolledOut(t, namespace, 'web');
  let together: any[] | undefined;
  const set = await PodSet.open(t, namespace, 'web', (pods) => {
    // A pod that Succeeded or Failed runs nothing; one being deleted may still run.
    const running = pods.filter((p) => p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed');
    if (!together && pods.some((p) => imageOf(p) === WEB_2) && running.some((p) => imageOf(p) !== WEB_2)) together = pods;
  });
  await setImage(t, namespace, 'web', WEB_2);
  const d = await untilRolledOut(t, namespace, 'web', 25_000);
  set.catchUp();
  if (together) {
    t.fail('every old pod gone before the first new pod is created', 'old and new pods at the same time',
      [{ label: 'pods at that moment', value: together.map((p) => ({ name: p.metadata.name, image: imageOf(p), phase: p.status?.phase, terminating: Boolean(p.metadata.deletionTimestamp) })) }],
      'scale the old ReplicaSets to 0, wait until their pods are gone (not just terminating), then create the new ReplicaSet');
  }
  const pods = [...set.pods.values()];
  if (pods.length !== 2 || pods.some((p) => imageOf(p) !== WEB_2)) {
    t.fail(`2 pods, all ${WEB_2}`, pods.map((p) => `${p.metadata.name} ${imageOf(p)}`).join('; '), [{ label: 'Deployment status', value: d.status }]);
  }
});

check({
  id: 'deployments.rollout.paused',
  title: 'A paused Deployment makes no new ReplicaSet for a new template (Progressing Unknown DeploymentPaused); resumed, it rolls the template out',
  lab: 'deployments', points: 2, cites: `${DOC}#pausing-and-resuming-a-deployment`, concurrent: true,
}, async (t) => {
  await readyNodes(t);
  const namespace = await podNamespace(t);
  const created = await createDeployment(t, namespace, deploymentManifest('web', 1));
  await untilRolledOut(t, namespace, 'web');
  await patchDeployment(t, namespace, 'web', { spec: { paused: true } }); // kubectl rollout pause
  await t.eventually('condition Progressing Unknown DeploymentPaused ("Deployment is paused")', async () => {
    const c = condition(await getDeployment(t, namespace, 'web'), 'Progressing');
    return c?.status === 'Unknown' && c.reason === 'DeploymentPaused' && c.message === 'Deployment is paused' ? true : undefined;
  }, { seen: async () => JSON.stringify(condition(await getDeployment(t, namespace, 'web'), 'Progressing')) });
  await setImage(t, namespace, 'web', WEB_2);
  await sleep(2000);
  const paused = await replicaSetsOf(t, namespace, created);
  if (paused.length !== 1) {
    t.fail('still one ReplicaSet while paused', paused.map((rs) => rs.metadata.name).join(', '), [],
      'a paused Deployment still scales its ReplicaSets but creates no new one');
  }
  const pods = (await listPods(t, namespace, 'web')).filter((p) => !isTerminating(p));
  if (pods.some((p) => imageOf(p) === WEB_2)) t.fail('no pod of the new template while paused', pods.map((p) => `${p.metadata.name} ${imageOf(p)}`).join('; '));

  await patchDeployment(t, namespace, 'web', { spec: { paused: null } }); // kubectl rollout resume
  await untilRolledOut(t, namespace, 'web');
  const after = (await listPods(t, namespace, 'web')).filter((p) => !isTerminating(p));
  const rss = await replicaSetsOf(t, namespace, created);
  if (rss.length !== 2 || after.length !== 1 || imageOf(after[0]) !== WEB_2) {
    t.fail(`after resume: a second ReplicaSet and its pod on ${WEB_2}`, `${rss.length} ReplicaSets; pods ${after.map((p) => `${p.metadata.name} ${imageOf(p)}`).join('; ')}`);
  }
});

check({
  id: 'deployments.rollout.progress-deadline',
  title: 'A rollout whose pods never become available gets Progressing False ProgressDeadlineExceeded after progressDeadlineSeconds, and Available False',
  lab: 'deployments', points: 2, cites: `${DOC}#failed-deployment`, concurrent: true,
}, async (t) => {
  await readyNodes(t);
  const namespace = await podNamespace(t);
  // kubelab/missing:1 is in no image catalogue: its pod stays ErrImagePull / ImagePullBackOff.
  const created = await createDeployment(t, namespace, deploymentManifest('stuck', 1, { progressDeadlineSeconds: 4 }, 'kubelab/missing:1'));
  const d = await t.eventually('condition Progressing False ProgressDeadlineExceeded within 15 s', async () => {
    const now = await getDeployment(t, namespace, 'stuck');
    return condition(now, 'Progressing')?.reason === 'ProgressDeadlineExceeded' ? now : undefined;
  }, { timeoutMs: 15_000, seen: async () => JSON.stringify((await getDeployment(t, namespace, 'stuck')).status) });
  const [rs] = await replicaSetsOf(t, namespace, created);
  const progressing = condition(d, 'Progressing');
  const objects = [{ label: 'Deployment status', value: d.status }];
  if (progressing.status !== 'False' || progressing.message !== `ReplicaSet "${rs?.metadata.name}" has timed out progressing.`) {
    t.fail(`Progressing status False, message: ReplicaSet "${rs?.metadata.name}" has timed out progressing.`, JSON.stringify(progressing), objects);
  }
  const available = condition(d, 'Available');
  if (available?.status !== 'False' || available.reason !== 'MinimumReplicasUnavailable') {
    t.fail('Available False, reason MinimumReplicasUnavailable (0 of 1 available, maxUnavailable 25% of 1 = 0)', JSON.stringify(available), objects);
  }
});
