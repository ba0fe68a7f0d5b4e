// The node agent hung (SIGSTOP) and resumed (SIGCONT) in a real one-node
// cluster. While it hangs its containers run on and nothing restarts them;
// resumed, it catches up with what changed in the API meanwhile: it stops the
// containers of the pods that are no longer its own (deleted, force-deleted,
// replaced by a pod of the same name bound elsewhere), as the kubelet's
// HandlePodCleanups does (pkg/kubelet/kubelet_pods.go), restarts what crashed,
// and renews its Lease.
//
// Each stop is kept short (under the fast profile's 8 s grace period), so the
// node lifecycle controller does not get to taint the node and evict the pods.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { containerPids, createPod, getPod, podManifest, processAlive, sleep, startCluster, waitFor, type TestCluster } from './cluster-support.ts';

let tc: TestCluster;
beforeAll(async () => {
  tc = await startCluster();
}, 60_000);
afterAll(async () => {
  tc?.cluster.resumeNode('node-1');
  await tc?.stop();
}, 60_000);

/** Creates the pod and waits until its container process runs; returns the pod and the process id. */
async function running(manifest: any): Promise<{ pod: any; pid: number }> {
  const pod = await createPod(tc, manifest);
  await waitFor(`${manifest.metadata.name} Running`, async () => (await getPod(tc, manifest.metadata.name))?.status?.phase === 'Running');
  // The status can reach the API a moment before the runtime's record of the process is read back.
  const pid = await waitFor(`${manifest.metadata.name}'s container process`, async () => {
    const [found] = containerPids(tc, pod.metadata.uid);
    return found !== undefined && processAlive(found) ? found : undefined;
  }, 5_000);
  return { pod, pid };
}

/** Runs `whileHung` with the agent stopped, then resumes it. */
async function hung(whileHung: () => Promise<void>): Promise<void> {
  tc.cluster.stopNode('node-1');
  try {
    await whileHung();
  } finally {
    tc.cluster.resumeNode('node-1');
  }
}

describe('a hung agent, resumed', () => {
  it('stops the containers of a pod force-deleted while it hung (an orphaned pod)', async () => {
    const { pid } = await running(podManifest('orphan', {}));
    await hung(async () => {
      const res = await tc.api({ method: 'DELETE', path: '/api/v1/namespaces/default/pods/orphan', body: { gracePeriodSeconds: 0 } });
      expect(res.status).toBe(200);
      expect((await tc.api({ path: '/api/v1/namespaces/default/pods/orphan' })).status).toBe(404);
      await sleep(1000);
      // Nothing stops a container but its agent.
      expect(processAlive(pid)).toBe(true);
    });
    await waitFor('the orphan process to end', async () => !processAlive(pid), 10_000);
  });

  it('finishes the deletion of a pod deleted while it hung: containers stopped, then the final delete', async () => {
    const { pid } = await running(podManifest('evicted', {}, { terminationGracePeriodSeconds: 1 }));
    await hung(async () => {
      await tc.api({ method: 'DELETE', path: '/api/v1/namespaces/default/pods/evicted' });
      await sleep(1500);
      // Nobody sends the final delete: the pod waits, Terminating, and its container runs on.
      expect((await getPod(tc, 'evicted'))?.metadata.deletionTimestamp).toBeDefined();
      expect(processAlive(pid)).toBe(true);
    });
    await waitFor('evicted gone from the API', async () => (await tc.api({ path: '/api/v1/namespaces/default/pods/evicted' })).status === 404, 10_000);
    expect(processAlive(pid)).toBe(false);
  });

  it('stops a pod replaced while it hung by one of the same name bound to another node, and does not run the new one', async () => {
    const { pid } = await running(podManifest('moved', {}));
    let newUid = '';
    await hung(async () => {
      await tc.api({ method: 'DELETE', path: '/api/v1/namespaces/default/pods/moved', body: { gracePeriodSeconds: 0 } });
      const elsewhere = podManifest('moved', {});
      elsewhere.spec.nodeName = 'node-elsewhere';
      newUid = (await createPod(tc, elsewhere)).metadata.uid;
    });
    await waitFor('the old process to end', async () => !processAlive(pid), 10_000);
    await sleep(500);
    expect(containerPids(tc, newUid)).toEqual([]);
    expect((await getPod(tc, 'moved')).spec.nodeName).toBe('node-elsewhere');
  });

  it('restarts a container that crashed while it hung (restartCount + 1), and not before', async () => {
    const { pod, pid } = await running(podManifest('fragile', { env: [{ name: 'CRASH_AFTER_SECONDS', value: '1.5' }] }));
    await hung(async () => {
      await waitFor('the container to crash', async () => !processAlive(pid), 5000);
      await sleep(1500);
      // No agent, no restart.
      expect(containerPids(tc, pod.metadata.uid).filter(processAlive)).toEqual([]);
    });
    const status = await waitFor('fragile restarted', async () => {
      const s = (await getPod(tc, 'fragile'))?.status?.containerStatuses?.[0];
      return s?.restartCount >= 1 ? s : undefined;
    }, 15_000);
    expect(status.lastState.terminated).toMatchObject({ exitCode: 1 });
  });

  it('renews its Lease and its status heartbeat promptly after the resume', async () => {
    const lease = async () => (await tc.api({ path: '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/node-1' })).json;
    let resumed = 0;
    await hung(async () => {
      await sleep(3000);
      resumed = Date.now();
    });
    // The renewal and the status update are both overdue: they run as soon as the agent runs again.
    const renewed = await waitFor('a renewal after the resume', async () => {
      const l = await lease();
      return new Date(l.spec.renewTime).getTime() >= resumed ? l : undefined;
    }, 3000);
    expect(renewed.spec.holderIdentity).toBe('node-1');
    const ready = await waitFor('a heartbeat after the resume', async () => {
      const node = (await tc.api({ path: '/api/v1/nodes/node-1' })).json;
      const c = node.status.conditions.find((x: any) => x.type === 'Ready');
      return new Date(c.lastHeartbeatTime).getTime() >= resumed - 1000 ? c : undefined;
    }, 3000);
    expect(ready.status).toBe('True');
  });
});
