// restartPolicy and the restart back-off: what a pod's phase and container
// status say after its container exits, and how long a crashing container
// waits before it runs again (CrashLoopBackOff, doubling up to a cap).

import { check } from '../../lib/check.ts';
import {
  PodWatch, busyboxContainer, containerStatusOf, createPod, describePod, podManifest, podNamespace, profileSeconds, readyNodes,
  restartCount, waitingReason, webContainer,
} from './support.ts';

const CITES_POLICY = 'https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/#restart-policy';
const CITES_BACKOFF = 'https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/#container-restarts';

check({
  id: 'pods.restarts.never-failed',
  title: 'restartPolicy Never: a container that exits 1 is not restarted, it is terminated with reason Error and exitCode 1, and the pod is Failed',
  lab: 'pods', points: 2, cites: CITES_POLICY, concurrent: true,
}, async (t) => {
  await readyNodes(t);
  const namespace = await podNamespace(t);
  const watch = new PodWatch(t, namespace, 'fails');
  await createPod(t, namespace, podManifest('fails', busyboxContainer(['exit', '1']), { restartPolicy: 'Never' }));
  const pod = await watch.until('phase Failed', (p) => p.status?.phase === 'Failed', 20_000);
  const c = containerStatusOf(pod);
  const ended = c?.state?.terminated;
  if (ended?.exitCode !== 1 || ended?.reason !== 'Error' || c.restartCount !== 0) {
    t.fail('state.terminated with exitCode 1 and reason Error, restartCount 0', describePod(pod), [{ label: 'Pod status', value: pod.status }],
      'a non-zero exit is reason Error (0 is Completed)');
  }
});

check({
  id: 'pods.restarts.onfailure-completed',
  title: 'restartPolicy OnFailure: a container that exits 0 is not restarted, it is terminated with reason Completed, and the pod Succeeds',
  lab: 'pods', points: 2, cites: CITES_POLICY, concurrent: true,
}, async (t) => {
  await readyNodes(t);
  const namespace = await podNamespace(t);
  const watch = new PodWatch(t, namespace, 'done');
  await createPod(t, namespace, podManifest('done', busyboxContainer(['echo', 'done']), { restartPolicy: 'OnFailure' }));
  const pod = await watch.until('phase Succeeded', (p) => p.status?.phase === 'Succeeded', 20_000);
  const c = containerStatusOf(pod);
  const ended = c?.state?.terminated;
  if (ended?.exitCode !== 0 || ended?.reason !== 'Completed' || c.restartCount !== 0 || c.ready !== false) {
    t.fail('state.terminated with exitCode 0 and reason Completed, restartCount 0, ready false', describePod(pod), [{ label: 'Pod status', value: pod.status }]);
  }
});

check({
  id: 'pods.restarts.onfailure-restarts',
  title: 'restartPolicy OnFailure: a container that exits 2 is restarted, and the pod is not Failed',
  lab: 'pods', points: 1, cites: CITES_POLICY, concurrent: true,
}, async (t) => {
  await readyNodes(t);
  const namespace = await podNamespace(t);
  const watch = new PodWatch(t, namespace, 'retries');
  await createPod(t, namespace, podManifest('retries', busyboxContainer(['exit', '2']), { restartPolicy: 'OnFailure' }));
  const pod = await watch.until('restartCount 1 or more', (p) => restartCount(p) >= 1, 20_000);
  const terminal = watch.versions.find((p) => p.status?.phase === 'Failed' || p.status?.phase === 'Succeeded');
  if (terminal) t.fail('the pod never Failed while its container is restarted', describePod(terminal), [{ label: 'Pod status', value: terminal.status }]);
  const last = containerStatusOf(pod)?.lastState?.terminated;
  if (last?.exitCode !== 2) {
    t.fail('lastState.terminated.exitCode 2 after the restart', describePod(pod), [{ label: 'Pod status', value: pod.status }],
      'lastState keeps how the previous run of the container ended');
  }
});

check({
  id: 'pods.restarts.crash-loop',
  title: 'restartPolicy Always: a crashing container is restarted again and again, waits in CrashLoopBackOff, and lastState has its exit code',
  lab: 'pods', points: 3, cites: CITES_BACKOFF, concurrent: true, timeoutMs: 60_000,
}, async (t) => {
  await readyNodes(t);
  const namespace = await podNamespace(t);
  const base = profileSeconds(t, 'crashLoopBackOffBaseSeconds', 10);
  const watch = new PodWatch(t, namespace, 'crasher');
  await createPod(t, namespace, podManifest('crasher', webContainer({ CRASH_AFTER_SECONDS: '0.5', CRASH_EXIT_CODE: '3' })));
  // The first restart comes at once, the second after the base back-off: in between the container waits in CrashLoopBackOff.
  const limit = (3 * base + 15) * 1000;
  const backingOff = await watch.until('container waiting with reason CrashLoopBackOff', (p) => waitingReason(p) === 'CrashLoopBackOff', limit);
  const pod = await watch.until('restartCount 2 or more', (p) => restartCount(p) >= 2, limit);
  for (const [label, p] of [['while backing off', backingOff], ['after two restarts', pod]] as const) {
    const last = containerStatusOf(p)?.lastState?.terminated;
    if (last?.exitCode !== 3 || last?.reason !== 'Error') {
      t.fail(`${label}: lastState.terminated with exitCode 3 (CRASH_EXIT_CODE) and reason Error`, describePod(p), [{ label: 'Pod status', value: p.status }]);
    }
  }
  const terminal = watch.versions.find((p) => p.status?.phase === 'Failed' || p.status?.phase === 'Succeeded');
  if (terminal) {
    t.fail('the pod never Failed or Succeeded: with restartPolicy Always its container always runs again', describePod(terminal), [{ label: 'Pod status', value: terminal.status }]);
  }
});

check({
  id: 'pods.restarts.backoff-grows',
  title: 'The wait before each restart of a crashing container grows (exponential back-off)',
  lab: 'pods', points: 2, cites: CITES_BACKOFF, concurrent: true, timeoutMs: 150_000,
}, async (t) => {
  await readyNodes(t);
  const namespace = await podNamespace(t);
  const base = profileSeconds(t, 'crashLoopBackOffBaseSeconds', 10);
  const cap = profileSeconds(t, 'crashLoopBackOffMaxSeconds', 300);
  if (4 * base > cap) t.skip(`the back-off cap (${cap} s) is too close to its base (${base} s) to see it grow`);
  const watch = new PodWatch(t, namespace, 'crasher');
  await createPod(t, namespace, podManifest('crasher', webContainer({ CRASH_AFTER_SECONDS: '0.3' })));
  // Restart n starts after run n ended and the back-off passed: 0, base, 2 × base, … The times at
  // which restartCount goes up are seen here, so each gap is one run (about the same each time)
  // plus that restart's back-off.
  const seenAt: number[] = [];
  for (let n = 1; n <= 4; n++) {
    await watch.until(`restartCount ${n}`, (p) => restartCount(p) >= n, (2 ** (n - 1) * base + 10) * 1000);
    seenAt.push(Date.now());
  }
  const gaps = seenAt.slice(1).map((at, i) => (at - seenAt[i]) / 1000);
  // Expected about run + base, run + 2 × base, run + 4 × base: the last gap is 3 × base longer than the first.
  if (!(gaps[2] >= gaps[0] + 1.5 * base && gaps[1] >= gaps[0] + 0.4 * base)) {
    t.fail(`growing gaps between restarts 1→2, 2→3, 3→4 (about run + ${base} s, run + ${2 * base} s, run + ${4 * base} s)`,
      `gaps of ${gaps.map((g) => g.toFixed(1)).join(' s, ')} s`, [{ label: 'Pod status', value: watch.latest?.status }],
      'after each crash the back-off doubles (base, 2 × base, 4 × base, …) up to the cap');
  }
});
