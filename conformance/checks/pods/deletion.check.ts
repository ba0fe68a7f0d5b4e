// Graceful deletion: DELETE marks a running pod (deletionTimestamp) and the node
// agent stops its containers, SIGTERM first and SIGKILL when the grace period
// is over, then removes the pod. A container that stops on SIGTERM lets its pod
// go at once; one that ignores SIGTERM holds it for the whole grace period.

import { check } from '../../lib/check.ts';
import type { CheckContext } from '../../lib/context.ts';
import { describePod, podHttp, podManifest, podNamespace, readyNodes, runPod, webContainer } from './support.ts';

const CITES = 'https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/#pod-termination';

/** Whether the pod's process still answers as that pod (another pod may have its IP by now). */
async function answersAs(t: CheckContext, pod: any): Promise<boolean> {
  try {
    const res = await podHttp(t, pod, '/', { timeoutMs: 1000 });
    return res.status === 200 && JSON.parse(res.text).pod === pod.metadata.name;
  } catch {
    return false;
  }
}

check({
  id: 'pods.deletion.grace-period',
  title: 'A deleted pod whose container ignores SIGTERM stays Terminating (deletionTimestamp set, still serving) for its grace period of 3 s, then is killed and gone',
  lab: 'pods', points: 3, cites: CITES, concurrent: true,
}, async (t) => {
  await readyNodes(t);
  const namespace = await podNamespace(t);
  const body = podManifest('stubborn', webContainer({ IGNORE_SIGTERM: '1' }), { terminationGracePeriodSeconds: 3 });
  const { pod, watch } = await runPod(t, namespace, body);
  watch.mark();
  t.step('DELETE Pod stubborn (no grace period given: the pod\'s 3 s)');
  const deletedAt = Date.now();
  await t.core.deleteNamespacedPod({ name: 'stubborn', namespace });
  const terminating = await watch.until('the pod still there with metadata.deletionTimestamp set', (p) => !!p.metadata?.deletionTimestamp, 5000);
  if (terminating.metadata.deletionGracePeriodSeconds !== 3) {
    t.fail('metadata.deletionGracePeriodSeconds 3 (the pod\'s terminationGracePeriodSeconds)', `${terminating.metadata.deletionGracePeriodSeconds}`,
      [{ label: 'Pod metadata', value: terminating.metadata }]);
  }
  t.step('GET / while Terminating: the container ignored SIGTERM and still serves');
  if (!(await answersAs(t, pod))) {
    const seconds = ((Date.now() - deletedAt) / 1000).toFixed(1);
    t.fail(`the container still answering ${seconds} s after the DELETE (it ignores SIGTERM; SIGKILL comes after 3 s)`, 'no answer',
      [{ label: 'Pod', value: watch.latest }], 'stop a container with SIGTERM, and SIGKILL only when the grace period is over');
  }
  await watch.gone('the pod gone from the API within its grace period + 10 s', 13_000);
  const seconds = (Date.now() - deletedAt) / 1000;
  if (seconds < 2) {
    t.fail('the pod to stay until about its grace period (3 s) has passed', `gone after ${seconds.toFixed(1)} s`, [],
      'the node agent waits for the container to stop (SIGKILL after the grace period) before it deletes the pod');
  }
  const still = await t.eventually('the container to stop answering on its pod IP', async () => ((await answersAs(t, pod)) ? undefined : true), { timeoutMs: 5000 })
    .catch(() => false);
  if (!still) t.fail(`nothing answering as pod stubborn on ${pod.status.podIP}:8080 once the pod is gone`, 'it still answers', [],
    'a container that ignores SIGTERM is SIGKILLed when the grace period is over');
});

check({
  id: 'pods.deletion.prompt',
  title: 'A deleted pod whose container stops on SIGTERM is gone within a few seconds, long before its 30 s grace period',
  lab: 'pods', points: 2, cites: CITES, concurrent: true,
}, async (t) => {
  await readyNodes(t);
  const namespace = await podNamespace(t);
  const { pod, watch } = await runPod(t, namespace, podManifest('polite', webContainer()));
  watch.mark();
  t.step('DELETE Pod polite');
  await t.core.deleteNamespacedPod({ name: 'polite', namespace });
  await watch.untilEvent('the pod gone from the API (its container exits on SIGTERM)', (e) => e.type === 'DELETED', 10_000);
  const versions = watch.versions;
  const marked = versions.find((p) => p.metadata?.deletionTimestamp);
  if (!marked) t.fail('a version of the pod with deletionTimestamp before it was removed', describePod(watch.versions.at(-1)), [],
    'a DELETE of a pod on a node only marks it; the node agent removes it after its containers stopped');
  if (await answersAs(t, pod)) t.fail('the container stopped once the pod is gone', 'it still answers as pod polite');
});
