// Control-plane components, one at a time: each is a separate process, so
// students can see what its absence does and that the cluster catches up when
// it returns (https://kubernetes.io/docs/concepts/architecture/#control-plane-components).
//
// - scheduler gone: new pods stay Pending, with no node; placed when it returns;
// - controller manager gone: a deleted pod is not replaced and a scale-up does
//   nothing; when it returns it works from a fresh list and catches up;
// - API server gone (the whole control plane's front door): the data plane
//   carries on, clients are refused; when it returns everything reconnects.
//
// An implementation that runs these inside another process has no component to
// stop: the checks are skipped with the reason.

import { execFile } from 'node:child_process';
import { check } from '../../lib/check.ts';
import type { CheckContext } from '../../lib/context.ts';
import { podHttp, podManifest, podNamespace, readyNodes, runPod, sleep, webContainer } from '../pods/support.ts';
import { createReplicaSet, describePods, listPods, ownedPods, replicaSetManifest, untilAvailable } from '../replicasets/support.ts';
import {
  backendPod, createService, ipsOf, reachableClusterIP, runBackends, serviceManifest, untilAnswers, untilEndpoints, whoAnswers,
} from '../services/support.ts';

const DOC = 'https://kubernetes.io/docs/concepts/architecture/#control-plane-components';
/** How long a missing component's work is watched for not happening. */
const QUIET_MS = 3000;

/** Stops a component for the rest of the check; it is started again at cleanup whatever happens. */
async function stopComponent(t: CheckContext, name: string): Promise<() => Promise<void>> {
  if (!t.cluster.components.includes(name)) {
    t.skip(`the implementation has no component named ${name} (kubelab.yaml components: ${t.cluster.components.join(', ') || 'none'})`);
  }
  let running = false;
  const start = async () => {
    if (running) return;
    running = true;
    await t.disrupt({ action: 'start-component', name });
  };
  t.onCleanup(start);
  await t.disrupt({ action: 'stop-component', name });
  return start;
}

check({
  id: 'failures.components.scheduler-down',
  title: 'With the scheduler stopped a new pod stays Pending with no node; it is placed once the scheduler is back',
  lab: 'failures', points: 2, cites: 'https://kubernetes.io/docs/concepts/scheduling-eviction/kube-scheduler/',
  needs: ['stop-component'], timeoutMs: 60_000,
}, async (t) => {
  await readyNodes(t);
  const namespace = await podNamespace(t);
  const startScheduler = await stopComponent(t, 'scheduler');
  t.step('create pod waiting');
  await t.core.createNamespacedPod({ namespace, body: podManifest('waiting', webContainer()) });
  await sleep(QUIET_MS);
  const pending = await t.core.readNamespacedPod({ name: 'waiting', namespace });
  if (pending.spec?.nodeName || pending.status?.phase !== 'Pending') {
    t.fail('the pod Pending with no spec.nodeName while no scheduler runs', `phase ${pending.status?.phase}, node ${pending.spec?.nodeName}`, [{ label: 'pod', value: pending }]);
  }
  await startScheduler();
  await t.eventually('the pod bound to a node and Running once the scheduler is back', async () => {
    const pod = await t.core.readNamespacedPod({ name: 'waiting', namespace });
    return pod.spec?.nodeName && pod.status?.phase === 'Running' ? true : undefined;
  }, { timeoutMs: 30_000 });
});

check({
  id: 'failures.components.controller-manager-down',
  title: 'With the controller manager stopped a deleted pod is not replaced and a scale-up does nothing; both happen once it is back',
  lab: 'failures', points: 3, cites: DOC, needs: ['stop-component'], timeoutMs: 90_000,
}, async (t) => {
  await readyNodes(t);
  const namespace = await podNamespace(t);
  const rs = await createReplicaSet(t, namespace, replicaSetManifest('orphaned', 1));
  const [pod] = await untilAvailable(t, namespace, rs, 1);
  const startControllers = await stopComponent(t, 'controller-manager');

  t.step(`delete pod ${pod.metadata!.name}; scale the ReplicaSet to 2`);
  await t.core.deleteNamespacedPod({ name: pod.metadata!.name!, namespace, gracePeriodSeconds: 0 });
  await t.apps.replaceNamespacedReplicaSetScale({ name: 'orphaned', namespace, body: { metadata: { name: 'orphaned', namespace }, spec: { replicas: 2 } } });
  await sleep(QUIET_MS);
  const meanwhile = ownedPods(await listPods(t, namespace), rs.metadata!.uid);
  if (meanwhile.length !== 0) {
    t.fail('no pods while the controller manager is stopped (nothing replaces the deleted one, nothing scales up)', describePods(meanwhile));
  }
  await startControllers();
  await untilAvailable(t, namespace, rs, 2, 40_000);
});

// The API server stopped and kept down. Nothing in the data plane needs it:
// containers keep running under their node agents, and the proxies keep the
// last Endpoints they saw, so pods answer on their IPs and through their
// Service. Clients that need the API fail: kubectl says the connection was
// refused. When it comes back, every component reconnects and works as before.
// https://kubernetes.io/docs/concepts/architecture/

/** How long the Service is asked while the API server is down. */
const DOWN_ASKING_MS = 3000;

/**
 * kubectl's own words for a refused connection, host:port as in the
 * kubeconfig (StandardErrorMessage in
 * staging/src/k8s.io/kubectl/pkg/cmd/util/helpers.go; same with kubectl 1.32).
 */
const REFUSED = /The connection to the server (\S+) was refused - did you specify the right host or port\?/;

interface KubectlRun {
  missing: boolean;
  code: number | null;
  stderr: string;
}

function runKubectl(t: CheckContext, args: string[]): Promise<KubectlRun> {
  return new Promise((resolve) => {
    execFile('kubectl', ['--kubeconfig', t.cluster.kubeconfig, ...args], { timeout: 15_000 }, (err, _stdout, stderr) => {
      const e = err as (NodeJS.ErrnoException & { code?: string | number }) | null;
      if (e?.code === 'ENOENT') return resolve({ missing: true, code: null, stderr: '' });
      resolve({ missing: false, code: e ? (typeof e.code === 'number' ? e.code : -1) : 0, stderr: String(stderr) });
    });
  });
}

check({
  id: 'failures.components.apiserver-down',
  title: 'With the API server down, pods answer on their IPs and through their Service and kubectl says the connection was refused; back up, everything reconnects',
  lab: 'failures', points: 3, cites: 'https://kubernetes.io/docs/concepts/architecture/',
  needs: ['stop-control-plane'], timeoutMs: 120_000,
}, async (t) => {
  await readyNodes(t);
  const namespace = await podNamespace(t);
  const labels = { app: 'unattended' };
  const pods = await runBackends(t, namespace, [backendPod('unattended-0', labels), backendPod('unattended-1', labels)]);
  const svc = await createService(t, namespace, serviceManifest('unattended', { selector: labels, ports: [{ port: 8080, targetPort: 8080 }] }));
  const ip = reachableClusterIP(t, svc);
  await untilEndpoints(t, namespace, 'unattended', ipsOf(pods));
  await untilAnswers(t, ip, 8080, `the ClusterIP ${ip}:8080 to answer`);

  // Started again at cleanup whatever happens (a no-op when it runs already).
  let down = false;
  const startControlPlane = async () => {
    if (!down) return;
    down = false;
    await t.disrupt({ action: 'start-control-plane' });
  };
  t.onCleanup(startControlPlane);
  down = true;
  await t.disrupt({ action: 'stop-control-plane' });
  t.step('the API server is stopped');

  for (const pod of pods) {
    const res = await podHttp(t, pod, '/').catch((err) => ({ status: 0, text: (err as Error).message }));
    if (res.status !== 200) t.fail(`pod ${pod.metadata.name} to answer GET / on ${pod.status.podIP}:8080`, `${res.status}: ${res.text.slice(0, 200)}`);
  }

  const answered = new Set<string>();
  const failures: string[] = [];
  let asked = 0;
  for (const until = Date.now() + DOWN_ASKING_MS; Date.now() < until; asked++) {
    await whoAnswers(ip, 8080).then((name) => answered.add(name), (err) => failures.push((err as Error).message));
    await sleep(100);
  }
  if (failures.length) {
    t.fail(`the Service to answer all ${asked} requests while the API server is down`, `${failures.length} failed: ${failures.slice(0, 3).join('; ')}`,
      [], 'a proxy keeps forwarding to the endpoints it last saw');
  }
  t.step(`the Service answered ${asked} requests, from ${[...answered].sort().join(', ')}`);

  const kubectl = await runKubectl(t, ['get', 'pods', '-n', namespace]);
  if (kubectl.missing) {
    t.step('kubectl is not on PATH: its error message is not checked');
  } else {
    // The host:port exactly as the kubeconfig's server URL writes it (Go's url.URL.Host).
    const server = t.cluster.apiUrl.replace(/^[a-z]+:\/\//i, '').replace(/\/.*$/, '');
    const refused = REFUSED.exec(kubectl.stderr);
    if (kubectl.code === 0 || refused?.[1] !== server) {
      t.fail(`kubectl get pods to exit non-zero with "The connection to the server ${server} was refused - did you specify the right host or port?"`,
        `exit ${kubectl.code}, stderr: ${kubectl.stderr.trim().slice(-400) || '(empty)'}`);
    }
    t.step(`kubectl: ${refused![0]}`);
  }

  await startControlPlane();
  t.step('the API server is back: a new pod is scheduled, started, and seen through a watch');
  await runPod(t, namespace, podManifest('after-outage', webContainer()), 30_000);
});
