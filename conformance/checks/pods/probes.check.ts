// Probes: a failing liveness probe gets the container restarted; a readiness
// probe decides whether the pod is Ready (and so receives traffic) without
// restarting anything.

import { check } from '../../lib/check.ts';
import {
  condition, containerStatusOf, describePod, httpProbe, isPodReady, livenessProbe, podHttp, podManifest, podNamespace, readyNodes, restartCount, runPod,
  sleep, untilPodAnswers, webContainer,
} from './support.ts';

const CITES_PROBES = 'https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/#container-probes';
const CITES_CONFIGURE = 'https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/';

check({
  id: 'pods.probes.liveness-restart',
  title: 'A container whose liveness probe fails is killed and restarted: restartCount goes up and the new run answers again',
  lab: 'pods', points: 3, cites: CITES_CONFIGURE, concurrent: true,
}, async (t) => {
  await readyNodes(t);
  const namespace = await podNamespace(t);
  const container = webContainer({}, { livenessProbe: livenessProbe() });
  const { pod, watch } = await runPod(t, namespace, podManifest('lively', container));
  t.step('wait 2 s: a passing liveness probe restarts nothing');
  await sleep(2000);
  if (restartCount(watch.latest) !== 0) {
    t.fail('restartCount 0 while /healthz answers 200', describePod(watch.latest), [{ label: 'Pod status', value: watch.latest?.status }]);
  }
  t.step('POST /fail/healthz: from now on /healthz answers 503');
  const res = await podHttp(t, pod, '/fail/healthz', { method: 'POST' });
  if (res.status !== 200) t.fail('POST /fail/healthz to answer 200', `HTTP ${res.status}: ${res.text}`);
  const restarted = await watch.until('restartCount 1 after the liveness probe failed', (p) => restartCount(p) >= 1, 15_000);
  if (!containerStatusOf(restarted)?.lastState?.terminated) {
    t.fail('lastState.terminated: how the killed run ended', describePod(restarted), [{ label: 'Pod status', value: restarted.status }]);
  }
  const running = await watch.until('the container running again', (p) => containerStatusOf(p)?.state?.running && restartCount(p) >= 1, 15_000);
  // The new run is a new process: its /healthz answers 200 until told otherwise.
  await untilPodAnswers(t, running, '/healthz', 'the restarted container to answer GET /healthz with 200', (r) => r.status === 200);
});

check({
  id: 'pods.probes.readiness-late',
  title: 'A running container is not Ready until its readiness probe succeeds (READY_AFTER_SECONDS=2), then the pod turns Ready',
  lab: 'pods', points: 2, cites: CITES_PROBES, concurrent: true,
}, async (t) => {
  await readyNodes(t);
  const namespace = await podNamespace(t);
  const container = webContainer({ READY_AFTER_SECONDS: '2' }, { readinessProbe: httpProbe('/ready') });
  const { pod, watch } = await runPod(t, namespace, podManifest('slow', container), 25_000);
  const before = watch.versions.find((p) => containerStatusOf(p)?.state?.running);
  if (!before || isPodReady(before) || condition(before, 'ContainersReady') === 'True' || containerStatusOf(before)?.ready !== false) {
    t.fail('first a version of the pod with its container running but not ready (Ready and ContainersReady False)',
      before ? describePod(before) : 'the container was never seen running before the pod was Ready',
      [{ label: 'first version with a running container', value: before?.status }],
      'a container with a readiness probe is not ready until the probe has succeeded');
  }
  const c = containerStatusOf(pod);
  if (c?.ready !== true || condition(pod, 'ContainersReady') !== 'True') {
    t.fail('then Ready, ContainersReady True and the container ready', describePod(pod), [{ label: 'Pod status', value: pod.status }]);
  }
  const started = Date.parse(c?.state?.running?.startedAt ?? '');
  const readyAt = Date.parse((pod.status?.conditions ?? []).find((x: any) => x.type === 'Ready')?.lastTransitionTime ?? '');
  // Times have a resolution of a second: Ready may be stamped at most one second early.
  if (Number.isFinite(started) && Number.isFinite(readyAt) && readyAt - started < 1000) {
    t.fail('Ready about 2 s after the container started (READY_AFTER_SECONDS=2)',
      `container started ${c.state.running.startedAt}, Ready since ${new Date(readyAt).toISOString()}`, [{ label: 'Pod status', value: pod.status }]);
  }
});

check({
  id: 'pods.probes.readiness-toggle',
  title: 'A failing readiness probe makes the pod not Ready without restarting it, and Ready again once the probe passes',
  lab: 'pods', points: 2, cites: CITES_PROBES, concurrent: true,
}, async (t) => {
  await readyNodes(t);
  const namespace = await podNamespace(t);
  const container = webContainer({}, { readinessProbe: httpProbe('/ready') });
  const { pod, watch } = await runPod(t, namespace, podManifest('flappy', container));
  watch.mark();
  t.step('POST /fail/ready: from now on /ready answers 503');
  await podHttp(t, pod, '/fail/ready', { method: 'POST' });
  const notReady = await watch.until('Ready False after /ready started failing', (p) => condition(p, 'Ready') === 'False', 15_000);
  const c = containerStatusOf(notReady);
  if (c?.ready !== false || !c?.state?.running || c.restartCount !== 0 || notReady.status?.phase !== 'Running') {
    t.fail('phase Running, the container still running (restartCount 0) but not ready', describePod(notReady), [{ label: 'Pod status', value: notReady.status }],
      'a readiness probe never restarts a container; it only takes the pod out of service');
  }
  watch.mark();
  t.step('POST /recover/ready');
  await podHttp(t, pod, '/recover/ready', { method: 'POST' });
  const ready = await watch.until('Ready True again after /ready recovered', (p) => isPodReady(p), 15_000);
  if (restartCount(ready) !== 0) t.fail('restartCount 0', describePod(ready), [{ label: 'Pod status', value: ready.status }]);
});
