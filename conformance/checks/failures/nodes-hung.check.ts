// A hung node agent (SIGSTOP): it sends no heartbeats, so the control plane
// treats the node as lost (Ready=Unknown, tainted unreachable, its pods
// evicted and replaced), but its containers keep running, because nothing on
// the node stops them. Nor does anything restart one that crashes: restarts are
// the agent's job. When the agent resumes it catches up: it stops the
// containers of the pods it no longer owns, finishes their deletion, restarts
// what crashed, and reports Ready again.
// Sources: https://kubernetes.io/docs/concepts/architecture/nodes/#node-controller,
// https://kubernetes.io/docs/concepts/scheduling-eviction/taint-and-toleration/#taint-based-evictions,
// pkg/kubelet/kubelet_pods.go HandlePodCleanups (a pod the API no longer gives the node is stopped),
// pkg/kubelet/kuberuntime/kuberuntime_manager.go computePodActions (restarts are the kubelet's).

import type * as k8s from '@kubernetes/client-node';
import { check } from '../../lib/check.ts';
import type { CheckContext } from '../../lib/context.ts';
import {
  createPod, describePod, podManifest, podNamespace, profileSeconds, readyNodes, restartCount, sleep, webContainer,
} from '../pods/support.ts';
import { createReplicaSet, describePods, listPods, replicaSetManifest, untilAvailable } from '../replicasets/support.ts';
import { untilAnswers, whoAnswers } from '../services/support.ts';
import {
  EVICTION_DOC, NODE_DOC, UNREACHABLE, describeNode, hasTaint, nodeLossTolerations, noticeTimeoutMs, readyCondition, stopNode,
  untilPodsEvicted, victimHost, victimNode,
} from './support.ts';

const PORT = 8080; // kubelab/web's port

/** What a GET / on ip:8080 gets: the answering pod's name, or why there was none. */
async function answerFrom(ip: string): Promise<{ pod?: string; error?: string }> {
  try {
    return { pod: await whoAnswers(ip, PORT, '/', 1500) };
  } catch (err) {
    return { error: (err as Error).message };
  }
}

/** Waits until the node is Ready=Unknown and tainted unreachable:NoExecute. */
async function untilUnreachable(t: CheckContext, name: string): Promise<k8s.V1Node> {
  const grace = profileSeconds(t, 'nodeMonitorGracePeriodSeconds', 50);
  let node: k8s.V1Node | undefined;
  return t.eventually(`node ${name} Ready=Unknown and tainted ${UNREACHABLE}:NoExecute (grace period ${grace} s)`, async () => {
    node = await t.core.readNode({ name });
    return readyCondition(node)?.status === 'Unknown' && hasTaint(node, UNREACHABLE, 'NoExecute') ? node : undefined;
  }, { timeoutMs: noticeTimeoutMs(t), seen: () => describeNode(node) });
}

check({
  id: 'failures.nodes.hung-node',
  title: 'A hung node: its pods are evicted and replaced while their containers run on; resumed, the node stops them and is Ready again',
  lab: 'failures', points: 4, cites: `${NODE_DOC} ${EVICTION_DOC}`, needs: ['stop-node'], timeoutMs: 200_000,
}, async (t) => {
  const nodes = await readyNodes(t);
  if (nodes.length < 2) t.skip('needs at least two Ready nodes');
  const namespace = await podNamespace(t);
  const seconds = profileSeconds(t, 'defaultTolerationSeconds', 300);
  const rs = await createReplicaSet(t, namespace, replicaSetManifest('hung', 3, {}, { tolerations: nodeLossTolerations(seconds) }));
  const pods = await untilAvailable(t, namespace, rs, 3, 30_000);
  const name = victimHost(t, pods);
  const victims = pods.filter((p) => p.spec?.nodeName === name);
  const victimNames = victims.map((p) => p.metadata!.name!);
  for (const pod of victims) await untilAnswers(t, pod.status!.podIP!, PORT, `pod ${pod.metadata!.name} answering on ${pod.status!.podIP}:${PORT}`);
  t.step(`pods on node ${name}: ${victims.map((p) => `${p.metadata!.name} (${p.status?.podIP})`).join(', ')}`);

  const resume = await stopNode(t, name);
  const node = await untilUnreachable(t, name);
  t.step(`node ${name}: ${describeNode(node)}`);

  // The pods stop being Ready (MarkPodsNotReady), then are deleted once their toleration runs out.
  const current = await untilPodsEvicted(t, namespace, victimNames, name, seconds);
  t.step(`pods on ${name} Terminating: ${current.map((p) => `${p.metadata!.name} ${describePod(p)}`).join('; ')}`);

  const replaced = await untilAvailable(t, namespace, rs, 3, 30_000);
  if (replaced.some((p) => p.spec?.nodeName === name)) {
    t.fail(`the replacements on nodes other than ${name}`, describePods(replaced), [{ label: 'pods', value: replaced }]);
  }
  t.step(`back to 3 available: ${replaced.map((p) => `${p.metadata!.name} on ${p.spec?.nodeName}`).join(', ')}`);

  // Nothing on the hung node stopped the old containers: they still serve (a split brain a Service would not route to).
  for (const pod of victims) {
    const answer = await answerFrom(pod.status!.podIP!);
    if (answer.pod !== pod.metadata!.name) {
      t.fail(`pod ${pod.metadata!.name}'s container still answering on ${pod.status!.podIP}:${PORT} while the agent hangs`,
        answer.error ?? `answered as ${answer.pod}`, [{ label: 'pods', value: current }]);
    }
  }
  t.step(`the evicted pods' containers still answer on ${victims.map((p) => p.status!.podIP).join(', ')}`);

  const resumed = Date.now();
  await resume();
  t.step(`node ${name} is back: Ready, untainted (${((Date.now() - resumed) / 1000).toFixed(1)} s after the resume)`);

  // Back, the agent sees its pods deleted: it stops their containers and finishes the deletion (the final DELETE).
  const bound = 30_000;
  let left = current;
  await t.eventually(`the evicted pods gone from the API within ${bound / 1000} s of the resume`, async () => {
    left = (await listPods(t, namespace)).filter((p) => victimNames.includes(p.metadata!.name!));
    return left.length === 0 ? true : undefined;
  }, { timeoutMs: bound - (Date.now() - resumed), seen: () => describePods(left) });
  const answers = new Map<string, string>();
  await t.eventually(`nothing answering on the evicted pods' IPs within ${bound / 1000} s of the resume (no duplicates left running)`, async () => {
    for (const pod of victims) {
      const answer = await answerFrom(pod.status!.podIP!);
      answers.set(pod.metadata!.name!, answer.pod ? `answered as ${answer.pod}` : answer.error!);
    }
    // Only another pod given the same IP since may answer there, never the old one.
    return victims.every((p) => answers.get(p.metadata!.name!) !== `answered as ${p.metadata!.name}`) ? true : undefined;
  }, { timeoutMs: Math.max(5000, bound - (Date.now() - resumed)), seen: () => [...answers].map(([pod, a]) => `${pod}: ${a}`).join('; ') });
  t.step(`the evicted pods are gone and their containers stopped ${((Date.now() - resumed) / 1000).toFixed(1)} s after the resume`);
});

check({
  id: 'failures.nodes.agent-down',
  title: 'A node agent down: its containers keep running, a crashed one is not restarted, and the node turns NotReady',
  lab: 'failures', points: 3, cites: NODE_DOC, needs: ['stop-node'], timeoutMs: 150_000,
}, async (t) => {
  const nodes = await readyNodes(t);
  const name = await victimNode(t, nodes);
  const namespace = await podNamespace(t);
  // Tolerated for an hour: the pods stay bound to the node while the check looks at them.
  const spec = { nodeName: name, tolerations: nodeLossTolerations(3600), terminationGracePeriodSeconds: 1 };
  // The crasher exits on its own some seconds after it starts: after the agent is stopped.
  const crashAfter = 8;
  await createPod(t, namespace, podManifest('crasher', webContainer({ CRASH_AFTER_SECONDS: String(crashAfter) }), spec));
  await createPod(t, namespace, podManifest('steady', webContainer(), spec));
  const ipOf = async (pod: string) => t.eventually(`pod ${pod} Running with an IP`, async () => {
    const p = await t.core.readNamespacedPod({ name: pod, namespace });
    return p.status?.phase === 'Running' && p.status.podIP ? p.status.podIP : undefined;
  }, { timeoutMs: 20_000 });
  const [crasherIP, steadyIP] = [await ipOf('crasher'), await ipOf('steady')];
  await untilAnswers(t, crasherIP, PORT, `crasher answering on ${crasherIP}:${PORT}`);
  await untilAnswers(t, steadyIP, PORT, `steady answering on ${steadyIP}:${PORT}`);

  const resume = await stopNode(t, name);
  const stopped = Date.now();
  const before = await answerFrom(crasherIP);
  if (before.pod !== 'crasher') t.skip(`the crasher stopped answering before the agent was stopped (${before.error}): the machine is too slow for a ${crashAfter} s crash timer`);

  // The crash: its port closes, and no agent is there to start the container again.
  let crasher = await answerFrom(crasherIP);
  await t.eventually(`crasher's container exited (${crashAfter} s after its start): nothing answers on ${crasherIP}:${PORT}`, async () => {
    crasher = await answerFrom(crasherIP);
    return crasher.pod ? undefined : true;
  }, { timeoutMs: (crashAfter + 10) * 1000, seen: () => `answered as ${crasher.pod}` });
  t.step(`crasher down ${((Date.now() - stopped) / 1000).toFixed(1)} s after the agent was stopped (${crasher.error})`);
  // Watched for some seconds, longer than the profile's first restart back-off: it stays down; steady keeps serving.
  const watchSeconds = Math.max(5, 2 * profileSeconds(t, 'crashLoopBackOffBaseSeconds', 10));
  for (const end = Date.now() + watchSeconds * 1000; Date.now() < end; await sleep(500)) {
    const a = await answerFrom(crasherIP);
    if (a.pod) t.fail('the crashed container not restarted while the agent is stopped', `crasher answering again on ${crasherIP}:${PORT}`);
    const s = await answerFrom(steadyIP);
    if (s.pod !== 'steady') t.fail(`steady still answering on ${steadyIP}:${PORT} while the agent is stopped`, s.error ?? `answered as ${s.pod}`);
  }
  t.step(`for ${watchSeconds} s: crasher stays down, steady keeps answering`);

  const node = await untilUnreachable(t, name);
  t.step(`node ${name} NotReady: ${describeNode(node)}`);
  const late = await answerFrom(crasherIP);
  if (late.pod) t.fail('the crashed container still not restarted while the agent is stopped', `crasher answering on ${crasherIP}:${PORT}`);
  const steady = await answerFrom(steadyIP);
  if (steady.pod !== 'steady') t.fail(`steady still answering on ${steadyIP}:${PORT} while the node is NotReady`, steady.error ?? `answered as ${steady.pod}`);

  await resume();
  t.step(`node ${name} is back: Ready, untainted`);
  // Back, the agent sees the exit and applies the restart policy (Always): a new instance.
  let pod: k8s.V1Pod | undefined;
  await t.eventually('crasher restarted by the resumed agent: restartCount ≥ 1, running', async () => {
    pod = await t.core.readNamespacedPod({ name: 'crasher', namespace });
    return restartCount(pod) >= 1 && pod.status?.containerStatuses?.[0]?.state?.running ? true : undefined;
  }, { timeoutMs: 20_000, seen: () => describePod(pod) });
  await untilAnswers(t, crasherIP, PORT, `crasher answering again on ${crasherIP}:${PORT}`, 15_000);
  t.step(`crasher restarted (restartCount ${restartCount(pod)}) and answering again; ${describePod(pod)}`);
});
