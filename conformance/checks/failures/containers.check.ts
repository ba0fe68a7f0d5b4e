// A container that dies on its own (a crash, the kernel's SIGKILL) while its
// node stays up: with restartPolicy Always the node agent restarts it in the
// same pod, on the same node. Nothing is rescheduled: the pod keeps its uid,
// its restartCount goes up by one, and lastState.terminated tells how the
// previous run ended.
// Sources: https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/#restart-policy,
// https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/#container-state-terminated.
// A SIGKILLed process ends with exit status 128 + 9 = 137; the runtime reports
// reason "Error" for any non-zero exit that is not an OOM kill (containerd
// internal/cri/server/container_status.go: completeExitReason, errorExitReason, oomExitReason).
//
// (A pod deleted by hand and replaced by its ReplicaSet is checked in
// replicasets.replicas.replaces-deleted-pod.)

import { check } from '../../lib/check.ts';
import { NO_DEBUG_ENDPOINT } from '../../harness/kill-container.ts';
import {
  containerStatusOf, describePod, isPodReady, podManifest, podNamespace, readyNodes, restartCount, runPod, untilPodAnswers, webContainer,
} from '../pods/support.ts';

const RESTART_DOC = 'https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/#restart-policy';

check({
  id: 'failures.containers.killed-restarted-in-place',
  title: 'A container SIGKILLed on its node is restarted in place: same pod and node, restartCount + 1, lastState terminated 137 Error, Ready again',
  lab: 'failures', points: 3, cites: RESTART_DOC, needs: ['kill-container'], timeoutMs: 90_000,
}, async (t) => {
  const nodes = await readyNodes(t);
  // On the first node the harness started, by name: the node checks kill the last one.
  const ours = nodes.map((n) => n.metadata!.name!).filter((name) => t.cluster.nodes.includes(name)).sort();
  const nodeSelector = ours.length ? { 'kubernetes.io/hostname': ours[0] } : undefined;
  const namespace = await podNamespace(t);
  const manifest = podManifest('crashy', webContainer(), { restartPolicy: 'Always', ...(nodeSelector ? { nodeSelector } : {}) });
  const { pod, watch } = await runPod(t, namespace, manifest, 30_000);
  const uid = pod.metadata.uid;
  const node = pod.spec.nodeName;
  const before = restartCount(pod);
  const killedID = containerStatusOf(pod)?.containerID;

  watch.mark();
  try {
    await t.disrupt({ action: 'kill-container', namespace, pod: 'crashy', container: 'web' });
  } catch (err) {
    // Probing and killing are one step: an agent without the endpoint was not disrupted at all.
    const message = (err as Error).message;
    if (message.includes(NO_DEBUG_ENDPOINT)) t.skip(message);
    throw err;
  }

  const restarted = await watch.until(`restartCount ${before + 1} after the SIGKILL`, (p) => restartCount(p) > before, 30_000);
  const objects = [{ label: 'Pod status', value: restarted.status }];
  if (restarted.metadata.uid !== uid || restarted.spec.nodeName !== node) {
    t.fail(`the same pod (uid ${uid}) on the same node ${node}`, `uid ${restarted.metadata.uid} on ${restarted.spec.nodeName}`, objects,
      'a container that dies is restarted by the node agent in its pod; the pod is not replaced');
  }
  const c = containerStatusOf(restarted);
  const last = c?.lastState?.terminated;
  if (c?.restartCount !== before + 1 || last?.exitCode !== 137 || last?.reason !== 'Error') {
    t.fail(`restartCount ${before + 1}, lastState.terminated with exitCode 137 and reason Error`,
      `restartCount ${c?.restartCount}, lastState ${JSON.stringify(c?.lastState ?? {})}`, objects,
      'SIGKILL ends a process with status 128 + 9 = 137; a non-zero exit that is no OOM kill has reason Error');
  }
  if (killedID && last.containerID && last.containerID !== killedID) {
    t.fail(`lastState.terminated.containerID ${killedID}, the run that was killed`, last.containerID, objects);
  }

  const running = await watch.until('the container Running and the pod Ready again', (p) => !!containerStatusOf(p)?.state?.running && isPodReady(p), 30_000);
  if (restartCount(running) !== before + 1 || running.metadata.uid !== uid) {
    t.fail(`still restartCount ${before + 1} in pod uid ${uid}`, describePod(running), [{ label: 'Pod status', value: running.status }]);
  }
  await untilPodAnswers(t, running, '/', 'the restarted container to answer GET / with 200', (r) => r.status === 200);
});
