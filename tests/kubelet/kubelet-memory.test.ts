// The node agent and memory limits: a container over resources.limits.memory
// is killed and shows OOMKilled (exit code 137) in its status, then follows
// the pod's restartPolicy like any other failed container.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPod, getPod, podManifest, startCluster, waitFor, type TestCluster } from './cluster-support.ts';

let tc: TestCluster;
beforeAll(async () => {
  tc = await startCluster();
}, 60_000);
afterAll(async () => {
  await tc?.stop();
}, 60_000);

/** kubelab/web limited to 64 MiB that allocates 200 MiB half a second after each start. */
function hog(name: string, restartPolicy: string) {
  return podManifest(name, {
    env: [{ name: 'ALLOCATE_MB', value: '200' }, { name: 'ALLOCATE_AFTER_SECONDS', value: '0.5' }],
    resources: { limits: { memory: '64Mi' } },
  }, { restartPolicy });
}

describe('a container over its memory limit', () => {
  it('with restartPolicy Never: terminated OOMKilled, exit code 137, and the pod Failed', async () => {
    await createPod(tc, hog('hog-never', 'Never'));
    const pod = await waitFor('hog-never Failed', async () => {
      const p = await getPod(tc, 'hog-never');
      return p?.status?.phase === 'Failed' ? p : undefined;
    });
    expect(pod.status.containerStatuses[0].state.terminated).toMatchObject({ reason: 'OOMKilled', exitCode: 137 });
    expect(pod.status.containerStatuses[0].restartCount).toBe(0);
  });

  it('with restartPolicy Always: restarted, lastState shows the OOM kill, then CrashLoopBackOff', async () => {
    await createPod(tc, hog('hog-always', 'Always'));
    const status = await waitFor('hog-always in CrashLoopBackOff after OOM kills', async () => {
      const s = (await getPod(tc, 'hog-always'))?.status?.containerStatuses?.[0];
      return s?.restartCount >= 1 && s?.state?.waiting?.reason === 'CrashLoopBackOff' ? s : undefined;
    }, 30_000);
    expect(status.lastState.terminated).toMatchObject({ reason: 'OOMKilled', exitCode: 137 });
  });
});
