// The API server restarted: the control plane is down for a moment, but the
// data plane is not. Running pods keep running (their node agents do not
// restart them), Services keep forwarding to them, every object is still there
// afterwards, and the components reconnect on their own, so a new pod is
// scheduled and started as before. Source: the API server is the only
// component that talks to etcd, and every other component is a client that
// reconnects (https://kubernetes.io/docs/concepts/architecture/).

import { check } from '../../lib/check.ts';
import { describePod, podManifest, podNamespace, readyNodes, restartCount, runPod, webContainer } from '../pods/support.ts';
import {
  backendPod, createService, ipsOf, reachableClusterIP, runBackends, serviceManifest, untilAnswers, untilEndpoints, whoAnswers,
} from '../services/support.ts';

check({
  id: 'failures.control-plane.restart-keeps-pods',
  title: 'While the API server restarts, pods keep running and a Service keeps answering; afterwards new pods start as before',
  lab: 'failures', points: 3, cites: 'https://kubernetes.io/docs/concepts/architecture/',
  needs: ['restart-control-plane'], timeoutMs: 120_000,
}, async (t) => {
  await readyNodes(t);
  const namespace = await podNamespace(t);
  const labels = { app: 'steady' };
  const pods = await runBackends(t, namespace, [backendPod('steady-0', labels), backendPod('steady-1', labels)]);
  const svc = await createService(t, namespace, serviceManifest('steady', { selector: labels, ports: [{ port: 8080, targetPort: 8080 }] }));
  const ip = reachableClusterIP(t, svc);
  await untilEndpoints(t, namespace, 'steady', ipsOf(pods));
  await untilAnswers(t, ip, 8080, `the ClusterIP ${ip}:8080 to answer`);

  // Ask the Service all through the restart.
  let asked = 0;
  const failures: string[] = [];
  let restarting = true;
  const asking = (async () => {
    while (restarting) {
      asked++;
      await whoAnswers(ip, 8080).catch((err) => failures.push((err as Error).message));
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  try {
    await t.disrupt({ action: 'restart-control-plane' });
  } finally {
    restarting = false;
    await asking;
  }
  if (failures.length) {
    t.fail(`the Service to answer all ${asked} requests made while the API server restarted`, `${failures.length} failed: ${failures.slice(0, 3).join('; ')}`,
      [], 'the proxies keep their last picture of the endpoints while the API server is away');
  }

  for (const before of pods) {
    const after = await t.core.readNamespacedPod({ name: before.metadata.name, namespace });
    if (after.metadata?.uid !== before.metadata.uid || after.status?.phase !== 'Running' || restartCount(after) !== restartCount(before)) {
      t.fail(`pod ${before.metadata.name} still there, Running, with the same uid and restart count ${restartCount(before)}`, describePod(after), [{ label: 'pod', value: after }]);
    }
  }
  t.step('create a new pod: the scheduler and the node agents reconnected');
  await runPod(t, namespace, podManifest('after', webContainer()), 30_000);
});
