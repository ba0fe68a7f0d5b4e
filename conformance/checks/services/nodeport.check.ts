// NodePort: a Service of type NodePort is reachable on its nodePort at every
// node's address, whichever node runs its pods. Source:
// https://kubernetes.io/docs/concepts/services-networking/service/#type-nodeport

import { check } from '../../lib/check.ts';
import { plain } from '../../lib/context.ts';
import { podNamespace, readyNodes } from '../pods/support.ts';
import { backendPod, createService, DOCS, ipsOf, runBackends, serviceManifest, untilAnswers, untilEndpoints } from './support.ts';
import { outOfReach, suiteReaches } from '../../lib/reach.ts';

check({
  id: 'services.nodeport.every-node',
  title: "A NodePort Service answers on its nodePort at every node's InternalIP, also on nodes that run none of its pods",
  lab: 'services', points: 3, cites: DOCS.nodePort, concurrent: true, timeoutMs: 60_000,
}, async (t) => {
  const nodes = await readyNodes(t);
  const namespace = await podNamespace(t);
  const labels = { app: 'np' };
  // One pod, on the first node: the other nodes must forward.
  const [pod] = await runBackends(t, namespace, [backendPod('np-1', labels, { nodeName: nodes[0].metadata!.name })]);
  const svc = await createService(t, namespace, serviceManifest('np', { type: 'NodePort', selector: labels, ports: [{ name: 'http', port: 8080, targetPort: 'http' }] }));
  const nodePort = svc.spec?.ports?.[0]?.nodePort;
  if (!nodePort) return t.fail('spec.ports[0].nodePort allocated', JSON.stringify(svc.spec?.ports), [{ label: 'Service', value: plain(svc) }]);
  await untilEndpoints(t, namespace, 'np', ipsOf([pod]));

  for (const node of nodes) {
    const ip = (node.status?.addresses ?? []).find((a) => a.type === 'InternalIP')?.address;
    if (!ip) return t.fail(`node ${node.metadata!.name} with an InternalIP address`, JSON.stringify(node.status?.addresses ?? []));
    if (!suiteReaches(t.cluster, ip)) t.skip(outOfReach(t.cluster, 'node address', ip));
    const answered = await untilAnswers(t, ip, nodePort, `node ${node.metadata!.name} (${ip}) to answer on NodePort ${nodePort}`);
    if (answered !== pod.metadata.name) t.fail(`pod ${pod.metadata.name} answering`, `pod ${answered}`);
  }
});
