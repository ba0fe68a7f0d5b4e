// A Service outlives one of its nodes. Three replicas of a Deployment answer
// behind a Service; one node that runs one of them dies (its containers with
// it). The Service's other endpoints keep answering, and the dead pod is taken
// out of rotation once Kubernetes notices the node is gone:
//
//   - the node lifecycle controller looks at every node each
//     nodeMonitorPeriod and marks it Ready=Unknown once its agent has been
//     silent for nodeMonitorGracePeriod; it then marks the node's pods
//     Ready=False (https://kubernetes.io/docs/concepts/architecture/nodes/#node-controller);
//   - the endpoints controllers drop pods that are not Ready from the
//     Service's ready addresses, and the proxies stop sending to them
//     (https://kubernetes.io/docs/concepts/services-networking/service/#endpoints).
//
// So requests may fail only during one window, no longer than the grace period
// plus one monitor period plus a little slack for the endpoints and the proxies
// to follow. (A proxy that skips a backend refusing connections fails nothing
// at all, which is fine.) Later, once the pods' toleration of the unreachable
// taint runs out (defaultTolerationSeconds), they are evicted and the
// Deployment replaces them on the nodes that are left
// (https://kubernetes.io/docs/concepts/scheduling-eviction/taint-and-toleration/#taint-based-evictions).

import { check } from '../../lib/check.ts';
import { podNamespace, profileSeconds, readyNodes, sleep } from '../pods/support.ts';
import { createDeployment, deploymentManifest, getDeployment, isReady, isTerminating, listPods, untilRolledOut } from '../deployments/support.ts';
import { createService, reachableClusterIP, serviceManifest, untilAnswers, whoAnswers } from '../services/support.ts';
import { NODE_DOC, killNode, nodeLossTolerations, noticeTimeoutMs, victimHost } from './support.ts';

/** How often the Service is asked while the node dies. */
const ASK_EVERY_MS = 150;
/** Time for the endpoints controller and the proxies to follow the pods' Ready=False. */
const SLACK_SECONDS = 5;

interface Failure {
  start: number;
  end: number;
  error: string;
}

check({
  id: 'failures.nodes.service-survives-node-loss',
  title: 'A Service over 3 replicas keeps answering when one of their nodes dies, but for one window no longer than the grace period; the Deployment gets back to 3',
  lab: 'failures', points: 3, cites: NODE_DOC, needs: ['kill-node'], timeoutMs: 180_000,
}, async (t) => {
  const nodes = await readyNodes(t);
  if (nodes.length < 2) t.skip('needs at least two Ready nodes');
  const namespace = await podNamespace(t);
  const grace = profileSeconds(t, 'nodeMonitorGracePeriodSeconds', 50);
  const period = profileSeconds(t, 'nodeMonitorPeriodSeconds', 5);
  const toleration = profileSeconds(t, 'defaultTolerationSeconds', 300);
  const windowMs = (grace + period + SLACK_SECONDS) * 1000;

  const body = deploymentManifest('steady', 3);
  body.spec.template.spec.tolerations = nodeLossTolerations(toleration);
  await createDeployment(t, namespace, body);
  await untilRolledOut(t, namespace, 'steady', 40_000);
  const svc = await createService(t, namespace, serviceManifest('steady', { selector: { app: 'steady' }, ports: [{ port: 8080, targetPort: 8080 }] }));
  const ip = reachableClusterIP(t, svc);
  await untilAnswers(t, ip, 8080, `the ClusterIP ${ip}:8080 to answer`);

  // The scheduler spreads the replicas; the victim is a node that runs one of them.
  const before = (await listPods(t, namespace, 'steady')).filter((p) => !isTerminating(p));
  const victim = victimHost(t, before);
  const doomed = before.filter((p) => p.spec.nodeName === victim).map((p) => p.metadata.name);
  t.step(`replicas: ${before.map((p) => `${p.metadata.name} on ${p.spec.nodeName}`).join(', ')}; killing node ${victim}`);

  // Ask the Service all the time, from before the kill until the Deployment is whole again.
  const failures: Failure[] = [];
  let asked = 0;
  let asking = true;
  const loop = (async () => {
    while (asking) {
      asked++;
      const start = Date.now();
      await whoAnswers(ip, 8080, '/', 1000).catch((err) => failures.push({ start, end: Date.now(), error: (err as Error).message }));
      await sleep(ASK_EVERY_MS);
    }
  })();

  let killedAt = 0;
  let replaced: any[] = [];
  try {
    killedAt = Date.now();
    const restart = await killNode(t, victim);

    let last: any;
    replaced = await t.eventually(`Deployment steady back to 3 available replicas, none of them on ${victim} (after the ${toleration} s toleration)`, async () => {
      last = await getDeployment(t, namespace, 'steady');
      const pods = (await listPods(t, namespace, 'steady')).filter((p) => !isTerminating(p) && isReady(p) && p.spec.nodeName !== victim);
      return last?.status?.availableReplicas === 3 && pods.length === 3 ? pods : undefined;
    }, { timeoutMs: noticeTimeoutMs(t) + (toleration + 40) * 1000, seen: async () => `status ${JSON.stringify(last?.status ?? {})}` });

    // Keep asking until the whole window in which failures are allowed is behind us.
    const left = killedAt + windowMs - Date.now();
    if (left > 0) await sleep(left);
    asking = false;
    await loop;
    await restart();
  } finally {
    asking = false;
    await loop;
  }

  const summary = failures.length
    ? `${failures.length} of ${asked} failed, from ${((failures[0].start - killedAt) / 1000).toFixed(1)} s to ${((failures[failures.length - 1].end - killedAt) / 1000).toFixed(1)} s after the kill`
    : `all ${asked} answered`;
  t.step(`asked the Service every ${ASK_EVERY_MS} ms: ${summary}; replicas now ${replaced.map((p) => `${p.metadata.name} on ${p.spec.nodeName}`).join(', ')}`);
  if (failures.length) {
    const span = failures[failures.length - 1].end - failures[0].start;
    if (span > windowMs) {
      t.fail(`every failed request inside one window of at most ${windowMs / 1000} s (grace period ${grace} s + monitor period ${period} s + ${SLACK_SECONDS} s)`,
        `${summary}, a window of ${(span / 1000).toFixed(1)} s: ${failures.slice(0, 3).map((f) => f.error).join('; ')}`, [],
        `the pods of a dead node (${doomed.join(', ')}) must leave the Service's ready endpoints once the node is marked unreachable`);
    }
  }
});
