// The control plane crashed (SIGKILL: nothing flushed, nothing closed) and
// started again on the same data. Kubernetes keeps its state in etcd, whose
// writes are on disk before the API server answers, so:
//
// - every object is still there with its uid, spec, resourceVersion and status;
// - the node agents reconnect and keep their pods running: no container restarts;
// - a watcher resumes from the last resourceVersion it saw and gets every change
//   made since, as client-go's reflector does after a dropped connection.
//
// Sources: https://kubernetes.io/docs/concepts/architecture/#etcd,
// https://kubernetes.io/docs/reference/using-api/api-concepts/#efficient-detection-of-changes
// (a watch from a resourceVersion delivers every change after it, as long as the
// history has not been compacted).

import { check } from '../../lib/check.ts';
import type { CheckContext } from '../../lib/context.ts';
import { podManifest, podNamespace, readyNodes, restartCount, runPod, webContainer } from '../pods/support.ts';
import { createDeployment, deploymentManifest, getDeployment, listPods, untilRolledOut } from '../deployments/support.ts';

const configMapPath = (namespace: string, name = '') => `/api/v1/namespaces/${namespace}/configmaps${name ? `/${name}` : ''}`;

/** What must survive of a pod: who it is and that its container was never restarted. */
function podIdentity(pod: any): string {
  const started = pod.status?.containerStatuses?.[0]?.state?.running?.startedAt ?? 'not running';
  return `${pod.metadata.name} uid=${pod.metadata.uid} node=${pod.spec.nodeName} restarts=${restartCount(pod)} startedAt=${started}`;
}

/** What must survive of a Deployment's status: the counts the controller reported, for the generation it saw. */
function deploymentCounts(d: any): string {
  const s = d.status ?? {};
  return `observedGeneration=${s.observedGeneration} replicas=${s.replicas} ready=${s.readyReplicas} available=${s.availableReplicas} updated=${s.updatedReplicas}`;
}

async function readConfigMap(t: CheckContext, namespace: string, name: string): Promise<any> {
  const res = await t.raw({ path: configMapPath(namespace, name) });
  if (res.status !== 200) t.fail(`GET configmaps/${name} to answer 200`, `HTTP ${res.status}: ${res.text.slice(0, 300)}`);
  return res.json;
}

check({
  id: 'failures.control-plane.crash-keeps-state',
  title: 'After the control plane is killed and started again, every object and its status are there, pods were not restarted, and a watch resumes',
  lab: 'failures', points: 4, cites: 'https://kubernetes.io/docs/reference/using-api/api-concepts/#efficient-detection-of-changes',
  needs: ['crash-control-plane'], timeoutMs: 120_000,
}, async (t: CheckContext) => {
  await readyNodes(t);
  const namespace = await podNamespace(t);

  const created = await t.raw({
    method: 'POST', path: configMapPath(namespace),
    body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' }, data: { colour: 'blue' } },
  });
  if (created.status !== 201) t.fail('POST configmaps to answer 201', `HTTP ${created.status}: ${created.text.slice(0, 300)}`);
  const configMap = created.json;
  await createDeployment(t, namespace, deploymentManifest('steady', 2));
  const deployment = await untilRolledOut(t, namespace, 'steady', 30_000);
  const pods = await listPods(t, namespace, 'steady');
  const before = { deployment: deploymentCounts(deployment), pods: pods.map(podIdentity).sort() };
  t.step(`before: Deployment ${before.deployment}; pods ${before.pods.join('; ')}`);

  // A watcher that has seen everything up to the ConfigMap's creation.
  const watcher = t.watch(`${configMapPath(namespace)}?watch=1&resourceVersion=${configMap.metadata.resourceVersion}`);

  await t.disrupt({ action: 'crash-control-plane' });
  await watcher.closed; // the API server died: its watches ended with it

  // Objects: the same uid, spec and resourceVersion; nothing wrote to the ConfigMap, so its version is unchanged.
  const after = await readConfigMap(t, namespace, 'settings');
  if (after.metadata.uid !== configMap.metadata.uid || after.metadata.resourceVersion !== configMap.metadata.resourceVersion || after.data?.colour !== 'blue') {
    t.fail(`ConfigMap settings unchanged: uid ${configMap.metadata.uid}, resourceVersion ${configMap.metadata.resourceVersion}, colour blue`,
      `uid ${after.metadata.uid}, resourceVersion ${after.metadata.resourceVersion}, data ${JSON.stringify(after.data)}`, [{ label: 'ConfigMap', value: after }]);
  }
  const deploymentAfter = await getDeployment(t, namespace, 'steady');
  if (deploymentAfter.metadata.uid !== deployment.metadata.uid || deploymentCounts(deploymentAfter) !== before.deployment) {
    t.fail(`Deployment steady with the same uid and status (${before.deployment})`, deploymentCounts(deploymentAfter), [{ label: 'Deployment status', value: deploymentAfter.status }]);
  }

  // Pods: the node agents kept them running. Give the agents time to report again: nothing may change.
  const podsAfter = (await listPods(t, namespace, 'steady')).map(podIdentity).sort();
  if (JSON.stringify(podsAfter) !== JSON.stringify(before.pods)) {
    t.fail(`the same pods, never restarted: ${before.pods.join('; ')}`, podsAfter.join('; '), [],
      'a node agent that loses the API server keeps its containers running and reports their state when it reconnects');
  }
  t.step('after the crash: the ConfigMap, the Deployment and its status, and both pods are as they were');

  // Watches resume: a change made after the crash reaches a watcher that starts from the version it last saw.
  const updated = await t.raw({
    method: 'PATCH', path: configMapPath(namespace, 'settings'), body: JSON.stringify({ data: { colour: 'green' } }),
    headers: { 'Content-Type': 'application/merge-patch+json' },
  });
  if (updated.status !== 200) t.fail('PATCH configmaps/settings to answer 200', `HTTP ${updated.status}: ${updated.text.slice(0, 300)}`);
  const resumed = t.watch(`${configMapPath(namespace)}?watch=1&resourceVersion=${configMap.metadata.resourceVersion}`);
  const event = await resumed.waitFor((e) => e.type === 'MODIFIED' || e.type === 'ERROR', 10_000).catch(() => undefined);
  if (!event || event.type !== 'MODIFIED' || event.object?.data?.colour !== 'green') {
    t.fail(`a watch from resourceVersion ${configMap.metadata.resourceVersion} to deliver MODIFIED settings (colour green)`,
      event ? `${event.type}: ${JSON.stringify(event.object).slice(0, 300)}` : `no event; HTTP ${await resumed.status}`, [{ label: 'events', value: resumed.events }]);
  }
  t.step(`the resumed watch delivered the change made after the crash (resourceVersion ${event.object.metadata.resourceVersion})`);

  // The scheduler, the controllers and the node agents reconnected: a new pod runs as before.
  await runPod(t, namespace, podManifest('after-crash', webContainer()), 30_000);
});
