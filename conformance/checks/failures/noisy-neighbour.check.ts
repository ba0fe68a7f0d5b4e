// A noisy neighbour: a container that uses more memory than its limit is
// killed (the kernel's OOM killer, through the container's cgroup) and
// restarted under its pod's restartPolicy; its status shows the kill as
// reason OOMKilled, exit code 137. A pod beside it on the same node goes on
// serving: the limit confines the damage to the container that broke it.

import { check } from '../../lib/check.ts';
import { containerStatusOf, describePod, podHttp, podManifest, podNamespace, readyNodes, runPod, webContainer } from '../pods/support.ts';

const DOC = 'https://kubernetes.io/docs/tasks/configure-pod-container/assign-memory-resource/#exceed-a-containers-memory-limit';

/** The terminated state that shows an OOM kill: the current one, or the last one once restarted. */
function oomKill(pod: any): any {
  const status = containerStatusOf(pod, 'web');
  return [status?.lastState?.terminated, status?.state?.terminated].find((s: any) => s?.reason === 'OOMKilled');
}

check({
  id: 'failures.noisy-neighbour.oom-killed',
  title: 'A container over its memory limit is OOMKilled (exit code 137) and restarted, while a pod beside it keeps serving',
  lab: 'failures', points: 3, cites: DOC, concurrent: true,
}, async (t) => {
  const namespace = await podNamespace(t);
  const [node] = await readyNodes(t);
  const onNode = { nodeSelector: { 'kubernetes.io/hostname': node.metadata!.labels?.['kubernetes.io/hostname'] ?? node.metadata!.name! } };

  const { pod: quiet, watch: quietWatch } = await runPod(t, namespace, podManifest('quiet', webContainer(), onNode));

  // The hog starts, serves for a second, then allocates 200 MiB against a 64 MiB limit, on every start.
  const limits = { resources: { requests: { memory: '64Mi' }, limits: { memory: '64Mi' } } };
  const hog = podManifest('hog', webContainer({ ALLOCATE_MB: '200', ALLOCATE_AFTER_SECONDS: '1' }, limits), onNode);
  const { watch: hogWatch } = await runPod(t, namespace, hog);

  // Meanwhile the neighbour is asked every 200 ms; every answer must be a 200.
  const failures: string[] = [];
  let asked = 0;
  let polling = true;
  const poller = (async () => {
    while (polling) {
      asked++;
      try {
        const res = await podHttp(t, quiet, '/', { timeoutMs: 2000 });
        if (res.status !== 200) failures.push(`HTTP ${res.status}`);
      } catch (err) {
        failures.push((err as Error).message);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  })();

  let killed: any;
  try {
    t.step('wait for hog to be OOMKilled and restarted');
    killed = await hogWatch.until('container web of Pod hog restarted after an OOMKilled termination',
      (p) => (containerStatusOf(p, 'web')?.restartCount ?? 0) >= 1 && containerStatusOf(p, 'web')?.lastState?.terminated?.reason === 'OOMKilled', 20_000);
  } finally {
    polling = false;
    await poller;
  }

  const terminated = oomKill(killed);
  if (terminated?.exitCode !== 137) {
    t.fail('lastState.terminated of hog: reason OOMKilled, exitCode 137', describePod(killed), [{ label: 'Pod hog status', value: killed.status }]);
  }

  t.step(`pod quiet answered ${asked} requests during it`);
  if (failures.length > 0) {
    t.fail('every GET / to pod quiet answered 200 while its neighbour was OOMKilled', `${failures.length} of ${asked} failed: ${failures.slice(0, 3).join('; ')}`);
  }
  const neighbour = quietWatch.latest;
  const restarts = containerStatusOf(neighbour, 'web')?.restartCount ?? 0;
  if (restarts !== 0 || neighbour?.status?.phase !== 'Running') {
    t.fail('pod quiet Running and never restarted', describePod(neighbour), [{ label: 'Pod quiet status', value: neighbour?.status }]);
  }
});
