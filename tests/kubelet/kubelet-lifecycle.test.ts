// The node agent in a real one-node cluster: crash loops, images that cannot
// be pulled, restart policies, graceful deletion, and what happens to the
// containers when the agent itself is killed or stopped.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { containerPids, createPod, getPod, podManifest, processAlive, sleep, startCluster, waitFor, type TestCluster } from './cluster-support.ts';

let tc: TestCluster;
beforeAll(async () => {
  tc = await startCluster();
}, 60_000);
afterAll(async () => {
  await tc?.stop();
}, 60_000);

const firstStatus = async (name: string) => (await getPod(tc, name))?.status?.containerStatuses?.[0];

describe('restarts', () => {
  it('restarts a crashing container with back-off: restartCount goes up, CrashLoopBackOff in between', async () => {
    const pod = await createPod(tc, podManifest('crasher', { env: [{ name: 'CRASH_AFTER_SECONDS', value: '0.5' }] }));
    const backoff = await waitFor('CrashLoopBackOff', async () => {
      const s = await firstStatus('crasher');
      return s?.state?.waiting?.reason === 'CrashLoopBackOff' ? s : undefined;
    });
    expect(backoff.state.waiting.message).toMatch(new RegExp(`^back-off \\d+s restarting failed container=web pod=crasher_default\\(${pod.metadata.uid}\\)$`));
    expect(backoff.lastState.terminated).toMatchObject({ exitCode: 1, reason: 'Error' });
    expect(backoff.ready).toBe(false);
    const later = await waitFor('restartCount 3', async () => {
      const s = await firstStatus('crasher');
      return s?.restartCount >= 3 ? s : undefined;
    });
    expect(later.restartCount).toBeGreaterThanOrEqual(3);
    expect((await getPod(tc, 'crasher')).status.phase).toBe('Running');
    const previous = await tc.api({ path: '/api/v1/namespaces/default/pods/crasher/log?previous=true' });
    expect(previous.status).toBe(200);
    expect(previous.text).toContain('crashing: CRASH_AFTER_SECONDS=0.5 reached, exiting with code 1');
    const events = (await tc.api({ path: '/api/v1/namespaces/default/events?fieldSelector=involvedObject.name=crasher,reason=BackOff' })).json.items;
    expect(events[0]).toMatchObject({ type: 'Warning', message: `Back-off restarting failed container web in pod crasher_default(${pod.metadata.uid})` });
  });

  it('ends Succeeded with OnFailure when the container exits 0, Failed with Never when it exits non-zero', async () => {
    await createPod(tc, podManifest('job-ok', { image: 'kubelab/busybox:1', args: ['echo', 'done'] }, { restartPolicy: 'OnFailure' }));
    await createPod(tc, podManifest('job-bad', { image: 'kubelab/busybox:1', args: ['exit', '3'] }, { restartPolicy: 'Never' }));
    const ok = await waitFor('job-ok Succeeded', async () => {
      const p = await getPod(tc, 'job-ok');
      return p?.status?.phase === 'Succeeded' ? p : undefined;
    });
    expect(ok.status.containerStatuses[0]).toMatchObject({ restartCount: 0, ready: false, state: { terminated: { exitCode: 0, reason: 'Completed' } } });
    expect(ok.status.conditions.find((c: any) => c.type === 'Ready')).toMatchObject({ status: 'False', reason: 'PodCompleted' });
    const bad = await waitFor('job-bad Failed', async () => {
      const p = await getPod(tc, 'job-bad');
      return p?.status?.phase === 'Failed' ? p : undefined;
    });
    expect(bad.status.containerStatuses[0]).toMatchObject({ restartCount: 0, state: { terminated: { exitCode: 3, reason: 'Error' } } });
    await sleep(1500); // nothing restarts it
    expect((await firstStatus('job-bad')).restartCount).toBe(0);
  });

  it('shows an image the catalogue lacks as ErrImagePull, then ImagePullBackOff', async () => {
    await createPod(tc, podManifest('no-image', { image: 'kubelab/web:404' }));
    const seen = new Set<string>();
    await waitFor('both reasons', async () => {
      const reason = (await firstStatus('no-image'))?.state?.waiting?.reason;
      if (reason) seen.add(reason);
      return seen.has('ErrImagePull') && seen.has('ImagePullBackOff');
    });
    const status = await firstStatus('no-image');
    expect(status.state.waiting.message).toMatch(/kubelab\/web:404|Back-off pulling image "kubelab\/web:404"/);
    expect((await getPod(tc, 'no-image')).status.phase).toBe('Pending');
    const logs = await tc.api({ path: '/api/v1/namespaces/default/pods/no-image/log' });
    expect(logs.status).toBe(400);
    expect(logs.json.message).toMatch(/^container "web" in pod "no-image" is waiting to start: /);
  });
});

describe('deletion', () => {
  it('stops the containers of a deleted pod, then removes it (the final delete)', async () => {
    const pod = await createPod(tc, podManifest('doomed', {}));
    await waitFor('doomed Running', async () => (await getPod(tc, 'doomed'))?.status?.phase === 'Running');
    const [pid] = containerPids(tc, pod.metadata.uid);
    expect(processAlive(pid)).toBe(true);
    const deleted = await tc.api({ method: 'DELETE', path: '/api/v1/namespaces/default/pods/doomed' });
    expect(deleted.json.metadata.deletionTimestamp).toBeDefined();
    await waitFor('doomed gone', async () => (await tc.api({ path: '/api/v1/namespaces/default/pods/doomed' })).status === 404, 10_000);
    expect(processAlive(pid)).toBe(false);
    const events = (await tc.api({ path: '/api/v1/namespaces/default/events?fieldSelector=involvedObject.name=doomed,reason=Killing' })).json.items;
    expect(events[0]?.message).toBe('Stopping container web');
  });

  it('kills a container that ignores SIGTERM when its grace period is over', async () => {
    const pod = await createPod(tc, podManifest('stubborn', { env: [{ name: 'IGNORE_SIGTERM', value: '1' }] }, { terminationGracePeriodSeconds: 3 }));
    // Until it listens, the program may not have installed its SIGTERM handler.
    await waitFor('stubborn listening', async () => (await tc.api({ path: '/api/v1/namespaces/default/pods/stubborn/log' })).text.includes('listening'));
    const [pid] = containerPids(tc, pod.metadata.uid);
    const started = Date.now();
    await tc.api({ method: 'DELETE', path: '/api/v1/namespaces/default/pods/stubborn' });
    await waitFor('stubborn gone', async () => (await tc.api({ path: '/api/v1/namespaces/default/pods/stubborn' })).status === 404, 15_000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(2500);
    expect(processAlive(pid)).toBe(false);
  });

  it('cuts a graceful deletion short when the pod is then force-deleted', async () => {
    const pod = await createPod(tc, podManifest('patient', { env: [{ name: 'IGNORE_SIGTERM', value: '1' }] }, { terminationGracePeriodSeconds: 60 }));
    await waitFor('patient listening', async () => (await tc.api({ path: '/api/v1/namespaces/default/pods/patient/log' })).text.includes('listening'));
    const [pid] = containerPids(tc, pod.metadata.uid);
    await tc.api({ method: 'DELETE', path: '/api/v1/namespaces/default/pods/patient' });
    await sleep(300);
    expect(processAlive(pid)).toBe(true);
    await tc.api({ method: 'DELETE', path: '/api/v1/namespaces/default/pods/patient', body: { gracePeriodSeconds: 0 } });
    await waitFor('the process to end', async () => !processAlive(pid), 6000);
  });

  it('stops the containers of a pod force-deleted from the API', async () => {
    const pod = await createPod(tc, podManifest('forced', {}));
    await waitFor('forced Running', async () => (await getPod(tc, 'forced'))?.status?.phase === 'Running');
    const [pid] = containerPids(tc, pod.metadata.uid);
    await tc.api({ method: 'DELETE', path: '/api/v1/namespaces/default/pods/forced', body: { gracePeriodSeconds: 0 } });
    await waitFor('the process to end', async () => !processAlive(pid), 10_000);
  });
});

describe('the agent itself', () => {
  it('after a SIGKILL, the next agent kills the leftovers and starts the pods again (restartCount + 1)', async () => {
    const pod = await createPod(tc, podManifest('survivor', {}));
    const before = await waitFor('survivor Running', async () => {
      const p = await getPod(tc, 'survivor');
      return p?.status?.phase === 'Running' ? p : undefined;
    });
    const [oldPid] = containerPids(tc, pod.metadata.uid);
    // SIGKILL to the agent alone (the harness's kill-node would take its containers too):
    // its container runs on, a leftover for the next agent of the node.
    process.kill(tc.cluster.pidOf('node-1')!, 'SIGKILL');
    await waitFor('the agent gone', async () => tc.cluster.pidOf('node-1') === undefined);
    await sleep(300);
    expect(processAlive(oldPid)).toBe(true);
    await tc.cluster.startNode('node-1');
    const after = await waitFor('survivor restarted', async () => {
      const s = await firstStatus('survivor');
      return s?.restartCount === 1 && s.state.running ? s : undefined;
    }, 20_000);
    expect(processAlive(oldPid)).toBe(false);
    expect(after.lastState.terminated).toMatchObject({ exitCode: 137, reason: 'ContainerStatusUnknown' });
    expect((await getPod(tc, 'survivor')).status.podIP).toBe(before.status.podIP);
  });

  it('stops every container on SIGTERM: no process is left behind', async () => {
    const pod = await createPod(tc, podManifest('last', { env: [{ name: 'IGNORE_SIGTERM', value: '1' }] }));
    await waitFor('last listening', async () => (await tc.api({ path: '/api/v1/namespaces/default/pods/last/log' })).text.includes('listening'));
    const pods = (await tc.api({ path: '/api/v1/pods' })).json.items;
    const pids = pods.flatMap((p: any) => containerPids(tc, p.metadata.uid));
    expect(pids.length).toBeGreaterThanOrEqual(2);
    expect(containerPids(tc, pod.metadata.uid)).toHaveLength(1);
    await tc.stop(); // SIGTERM to the agent (and the control plane)
    expect(pids.filter(processAlive)).toEqual([]);
  });
});
