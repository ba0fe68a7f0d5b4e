// The ClusterIP: a virtual address that spreads connections over the ready
// pods of a Service, stops sending to a pod that turns unready, and refuses
// connections when there is no ready pod at all. The suite connects to the
// ClusterIP from its own process, as a pod of the cluster would. Source:
// https://kubernetes.io/docs/reference/networking/virtual-ips/

import { check } from '../../lib/check.ts';
import { plain } from '../../lib/context.ts';
import { podNamespace, readyNodes } from '../pods/support.ts';
import {
  backendPod, connectOutcome, createService, DOCS, describeBackends, ipsOf, reachableClusterIP, runBackends, runUnreadyBackend,
  serviceManifest, setReadiness, untilAnswers, untilEndpoints, whoAnswers,
} from './support.ts';

const CONNECTIONS = 30;

/** Opens `count` connections to host:port one after the other; returns who answered each, or the error. */
async function spread(host: string, port: number, count: number): Promise<{ answers: Map<string, number>; errors: string[] }> {
  const answers = new Map<string, number>();
  const errors: string[] = [];
  for (let i = 0; i < count; i++) {
    try {
      const pod = await whoAnswers(host, port);
      answers.set(pod, (answers.get(pod) ?? 0) + 1);
    } catch (err) {
      errors.push((err as Error).message);
    }
  }
  return { answers, errors };
}

check({
  id: 'services.clusterip.spreads-over-ready-pods',
  title: `Connections to a ClusterIP are spread over every ready pod of the Service and never reach a pod that is not ready (${CONNECTIONS} connections)`,
  lab: 'services', points: 5, cites: DOCS.virtualIPs, concurrent: true, timeoutMs: 60_000,
}, async (t) => {
  await readyNodes(t);
  const namespace = await podNamespace(t);
  const labels = { app: 'spread' };
  const ready = await runBackends(t, namespace, [1, 2, 3].map((i) => backendPod(`spread-${i}`, labels)));
  const unready = await runUnreadyBackend(t, namespace, 'spread-unready', labels);
  const svc = await createService(t, namespace, serviceManifest('spread', { selector: labels, ports: [{ name: 'http', port: 8080, targetPort: 'http' }] }));
  const ip = reachableClusterIP(t, svc);
  await untilEndpoints(t, namespace, 'spread', ipsOf(ready), ipsOf([unready]));
  await untilAnswers(t, ip, 8080, `the ClusterIP ${ip}:8080 to answer`);

  t.step(`open ${CONNECTIONS} connections to ${ip}:8080`);
  const { answers, errors } = await spread(ip, 8080, CONNECTIONS);
  const seen = JSON.stringify(Object.fromEntries(answers)) + (errors.length ? `; ${errors.length} failed: ${errors[0]}` : '');
  const objects = [{ label: 'pods', value: describeBackends([...ready, unready]) }];
  if (answers.has(unready.metadata.name)) t.fail(`no answer from ${unready.metadata.name}, which is not ready`, seen, objects);
  const silent = ready.filter((p) => !answers.has(p.metadata.name)).map((p) => p.metadata.name);
  if (silent.length) t.fail(`answers from each ready pod (${ready.map((p) => p.metadata.name).join(', ')})`, `${seen}; never answered: ${silent.join(', ')}`, objects);
  if (errors.length) t.fail(`all ${CONNECTIONS} connections answered`, seen, objects);
});

check({
  id: 'services.clusterip.follows-readiness',
  title: 'A pod that turns unready stops getting connections through the ClusterIP, and gets them again once it is ready',
  lab: 'services', points: 3, cites: DOCS.virtualIPs, concurrent: true, timeoutMs: 60_000,
}, async (t) => {
  await readyNodes(t);
  const namespace = await podNamespace(t);
  const labels = { app: 'follow' };
  const [a, b] = await runBackends(t, namespace, [backendPod('follow-a', labels), backendPod('follow-b', labels)]);
  const svc = await createService(t, namespace, serviceManifest('follow', { selector: labels, ports: [{ name: 'http', port: 8080, targetPort: 'http' }] }));
  const ip = reachableClusterIP(t, svc);
  await untilEndpoints(t, namespace, 'follow', ipsOf([a, b]));

  await setReadiness(t, a, false);
  await untilEndpoints(t, namespace, 'follow', ipsOf([b]), ipsOf([a]));
  // The proxies follow the Endpoints within a second or two; then a gets nothing.
  let last = '';
  await t.eventually(`only ${b.metadata.name} answering on ${ip}:8080 (10 connections in a row)`, async () => {
    const { answers, errors } = await spread(ip, 8080, 10);
    last = JSON.stringify(Object.fromEntries(answers)) + (errors.length ? `; failed: ${errors[0]}` : '');
    return answers.size === 1 && answers.has(b.metadata.name) && !errors.length ? true : undefined;
  }, { timeoutMs: 10_000, seen: () => last });

  await setReadiness(t, a, true);
  await untilEndpoints(t, namespace, 'follow', ipsOf([a, b]));
  await t.eventually(`${a.metadata.name} answering on ${ip}:8080 again`, async () => {
    const { answers } = await spread(ip, 8080, 6);
    last = JSON.stringify(Object.fromEntries(answers));
    return answers.has(a.metadata.name) ? true : undefined;
  }, { timeoutMs: 10_000, seen: () => last });
});

check({
  id: 'services.clusterip.no-endpoints-refused',
  title: 'A connection to the ClusterIP of a Service without any ready pod is refused (or closed) at once, not left hanging',
  lab: 'services', points: 2, cites: `${DOCS.virtualIPs}#traffic-policies`, concurrent: true,
}, async (t) => {
  const namespace = await podNamespace(t);
  const svc = await createService(t, namespace, serviceManifest('empty', { selector: { app: 'nobody' }, ports: [{ name: 'http', port: 8080 }] }));
  const ip = reachableClusterIP(t, svc);
  // Give the control plane and the proxies a moment to see the Service.
  await t.eventually('Endpoints empty to exist', async () => ((await t.core.readNamespacedEndpoints({ name: 'empty', namespace }).catch(() => undefined)) ? true : undefined));
  const { outcome, detail } = await connectOutcome(ip, 8080);
  if (outcome !== 'refused' && outcome !== 'reset' && outcome !== 'closed') {
    t.fail(`the connection to ${ip}:8080 refused, reset or closed without an answer`, `${outcome}: ${detail}`, [{ label: 'Service', value: plain(svc) }],
      'with no endpoints, kube-proxy rejects the connection (ICMP port unreachable): the client sees "connection refused" at once');
  }
});
