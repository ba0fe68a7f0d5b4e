// The service proxy runs on every node, so losing one node does not take a
// Service down: its ClusterIP keeps answering through the proxies of the
// other nodes. Source: https://kubernetes.io/docs/reference/networking/virtual-ips/
// ("every node in a Kubernetes cluster runs a kube-proxy").
//
// Which node to kill: a cluster on one machine may have one node's proxy
// serve a ClusterIP for all (the reference does). Backends often see the
// address of the node that forwarded a connection, which the check reads
// from their logs; that node is killed first. When the logs do not tell, every
// node is killed in turn, each started again before the next.

import { randomBytes } from 'node:crypto';
import type * as k8s from '@kubernetes/client-node';
import { check } from '../../lib/check.ts';
import type { CheckContext } from '../../lib/context.ts';
import { isReady, podNamespace, readLog, readyNodes } from '../pods/support.ts';
import { backendPod, createService, DOCS, ipsOf, reachableClusterIP, runBackends, serviceManifest, untilAnswers, untilEndpoints, whoAnswers } from './support.ts';

function internalIP(node: k8s.V1Node): string | undefined {
  return (node.status?.addresses ?? []).find((a) => a.type === 'InternalIP')?.address;
}

/** The nodes whose address the backends logged as the client of requests carrying `token`. */
async function forwardingNodes(t: CheckContext, namespace: string, pods: any[], nodes: k8s.V1Node[], token: string): Promise<k8s.V1Node[]> {
  const clients = new Set<string>();
  for (const pod of pods) {
    const log = await readLog(t, namespace, pod.metadata.name).catch(() => '');
    for (const line of log.split('\n')) {
      const m = new RegExp(`GET /\\?via=${token} \\d+ from (\\S+)`).exec(line);
      if (m) clients.add(m[1].replace(/^::ffff:/, ''));
    }
  }
  return nodes.filter((n) => clients.has(internalIP(n) ?? ''));
}

check({
  id: 'services.proxy.survives-node-failure',
  title: "A Service's ClusterIP keeps answering when a node (with its proxy) is killed",
  lab: 'services', points: 3, cites: DOCS.virtualIPs, needs: ['kill-node'], timeoutMs: 180_000,
}, async (t) => {
  const nodes = (await readyNodes(t)).sort((a, b) => (a.metadata!.name! < b.metadata!.name! ? -1 : 1));
  if (nodes.length < 2) t.skip('needs at least two Ready nodes');
  const namespace = await podNamespace(t);
  const labels = { app: 'survivor' };
  // One backend on every node, so whichever node dies, pods on the others remain.
  const pods = await runBackends(t, namespace, nodes.map((n, i) => backendPod(`survivor-${i}`, labels, { nodeName: n.metadata!.name })));
  const svc = await createService(t, namespace, serviceManifest('survivor', { selector: labels, ports: [{ name: 'http', port: 8080, targetPort: 'http' }] }));
  const ip = reachableClusterIP(t, svc);
  await untilEndpoints(t, namespace, 'survivor', ipsOf(pods));
  await untilAnswers(t, ip, 8080, `the ClusterIP ${ip}:8080 to answer`);

  const token = randomBytes(4).toString('hex');
  for (let i = 0; i < nodes.length * 2; i++) await whoAnswers(ip, 8080, `/?via=${token}`).catch(() => undefined);
  const forwarders = await forwardingNodes(t, namespace, pods, nodes, token);
  const victims = forwarders.length === 1 ? forwarders : nodes;
  t.step(forwarders.length === 1
    ? `the backends saw node ${forwarders[0].metadata!.name} forward the connections: kill it`
    : 'the backends do not show which node forwarded: kill every node in turn');

  for (const victim of victims) {
    const name = victim.metadata!.name!;
    if (!t.cluster.nodes.includes(name)) t.skip(`node ${name} is not one the harness started`);
    // Whatever happens next, the node comes back for the checks after this one.
    t.onCleanup(() => restartNode(t, name));
    await t.disrupt({ action: 'kill-node', name });
    const answered = await untilAnswers(t, ip, 8080, `the ClusterIP ${ip}:8080 to answer with node ${name} killed`, 10_000);
    t.step(`pod ${answered} answered with node ${name} down`);
    if (victims.length > 1) await restartNode(t, name);
  }
});

/**
 * Starts the node again and waits until its new agent is back: Ready, with a
 * Lease renewed after the restart (the Node may still say Ready from before
 * it died). Once per node: later calls do nothing.
 */
const restarted = new WeakMap<CheckContext, Set<string>>();
async function restartNode(t: CheckContext, name: string): Promise<void> {
  const done = restarted.get(t) ?? new Set<string>();
  restarted.set(t, done);
  if (done.has(name)) return;
  done.add(name);
  const since = Date.now();
  await t.disrupt({ action: 'start-node', name });
  await t.eventually(`node ${name} back: Ready, and its Lease renewed`, async () => {
    const lease = await t.coordination.readNamespacedLease({ name, namespace: 'kube-node-lease' });
    const renewed = lease.spec?.renewTime ? new Date(lease.spec.renewTime as unknown as string).getTime() : 0;
    return renewed >= since && isReady(await t.core.readNode({ name })) ? true : undefined;
  }, { timeoutMs: 30_000 });
}
