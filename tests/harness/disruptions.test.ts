// The process driver's disruptions, on one reference cluster with one node:
// each does to the processes what its name says (checked in /proc and on the
// pod's IP), and stopping the cluster leaves no process behind, not even the
// containers, which lead process groups of their own.

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { descendants, readStat, stillRunning, type ProcessEntry } from '../../conformance/harness/process-tree.ts';
import { NO_DEBUG_ENDPOINT } from '../../conformance/harness/kill-container.ts';
import { rawRequest } from '../../conformance/harness/raw-client.ts';
import {
  condition, containerPids, createPod, getPod, httpGet, podManifest, processAlive, startCluster, waitFor, type TestCluster,
} from '../kubelet/cluster-support.ts';

const linux = readStat(process.pid) !== undefined;

let tc: TestCluster;
/** What ran under this test process before the cluster started (tooling), so it is not counted as the cluster's. */
let before: Set<number>;
/** Every process of the cluster seen during the tests: none may outlive stop(). */
const seen = new Map<number, ProcessEntry>();

function recordClusterProcesses(): void {
  for (const entry of descendants(process.pid)) if (!before.has(entry.pid)) seen.set(entry.pid, entry);
}

async function runningPod(name: string, restarts = 0): Promise<any> {
  return waitFor(`${name} Running and Ready with restartCount ${restarts}`, async () => {
    const pod = await getPod(tc, name);
    const status = pod?.status?.containerStatuses?.[0];
    return pod?.status?.phase === 'Running' && condition(pod, 'Ready') === 'True' && status?.state?.running && status.restartCount >= restarts ? pod : undefined;
  }, 30_000);
}

async function answers(pod: any): Promise<boolean> {
  return httpGet(`http://${pod.status.podIP}:8080/`).then((r) => r.status === 200, () => false);
}

beforeAll(async () => {
  before = new Set(descendants(process.pid).map((e) => e.pid));
  tc = await startCluster();
}, 60_000);

afterAll(async () => {
  await tc?.stop();
});

describe.skipIf(!linux)('process driver disruptions', () => {
  it('provides every node disruption and kill-container', () => {
    expect(tc.cluster.provides).toEqual(expect.arrayContaining(['kill-node', 'stop-node', 'restart-node', 'kill-container']));
  });

  it('kill-container: SIGKILL to the container; the agent restarts it in place (exit 137, Error)', async () => {
    const pod = await createPod(tc, podManifest('web', {}));
    await runningPod('web');
    const [pid] = containerPids(tc, pod.metadata.uid);
    expect(pid).toBeGreaterThan(1);
    recordClusterProcesses();
    await tc.cluster.killContainer({ namespace: 'default', pod: 'web', container: 'web' });
    const after = await runningPod('web', 1);
    const status = after.status.containerStatuses[0];
    expect(processAlive(pid)).toBe(false);
    expect(status.restartCount).toBe(1);
    expect(status.lastState.terminated).toMatchObject({ exitCode: 137, reason: 'Error' });
    expect(after.metadata.uid).toBe(pod.metadata.uid);
  });

  it('kill-container: a container that does not run is named in the error', async () => {
    await expect(tc.cluster.killContainer({ namespace: 'default', pod: 'web', container: 'nope' }))
      .rejects.toThrow(/lists no running container nope of pod default\/web/);
  });

  it('kill-container: an agent without GET /debug/containers is reported as such, naming the endpoint', async () => {
    // A Node whose advertised endpoint answers 404 to everything, and a pod bound to it.
    const server = http.createServer((_req, res) => res.writeHead(404).end());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as AddressInfo).port;
    try {
      const node = await tc.api({ method: 'POST', path: '/api/v1/nodes', body: { metadata: { name: 'no-debug' } } });
      expect(node.status).toBe(201);
      const status = { ...node.json.status, addresses: [{ type: 'InternalIP', address: '127.0.0.1' }], daemonEndpoints: { kubeletEndpoint: { Port: port } } };
      const put = await tc.api({ method: 'PUT', path: '/api/v1/nodes/no-debug/status', body: { ...node.json, status } });
      expect(put.status).toBe(200);
      await createPod(tc, { ...podManifest('elsewhere', {}), spec: { nodeName: 'no-debug', containers: [{ name: 'web', image: 'kubelab/web:1' }] } });
      const error = await tc.cluster.killContainer({ namespace: 'default', pod: 'elsewhere', container: 'web' }).catch((err: Error) => err);
      expect((error as Error).message).toContain(NO_DEBUG_ENDPOINT);
      expect((error as Error).message).toContain(`GET http://127.0.0.1:${port}/debug/containers`);
      expect((error as Error).message).toContain('404');
    } finally {
      server.close();
      await tc.api({ method: 'DELETE', path: '/api/v1/namespaces/default/pods/elsewhere', body: { gracePeriodSeconds: 0 } });
      await tc.api({ method: 'DELETE', path: '/api/v1/nodes/no-debug' });
    }
  });

  it('GET /debug/containers wants the bearer token', async () => {
    const node = (await tc.api({ path: '/api/v1/nodes/node-1' })).json;
    const address = node.status.addresses.find((a: any) => a.type === 'InternalIP').address;
    const url = `http://${address}:${node.status.daemonEndpoints.kubeletEndpoint.Port}`;
    expect((await rawRequest({ apiUrl: url }, { path: '/debug/containers', token: null })).status).toBe(401);
    const listed = await rawRequest({ apiUrl: url, token: tc.cluster.token }, { path: '/debug/containers' });
    expect(listed.json.items).toEqual(expect.arrayContaining([
      expect.objectContaining({ namespace: 'default', pod: 'web', container: 'web', containerID: expect.stringMatching(/^kubelab:\/\//), pid: expect.any(Number) }),
    ]));
  });

  it('stop-node: the agent is stopped (state T) and its container still answers; resume-node lets it run on', async () => {
    const pod = await runningPod('web', 1);
    await waitFor('web answering on its pod IP', () => answers(pod), 10_000);
    const agent = tc.cluster.pidOf('node-1')!;
    tc.cluster.stopNode('node-1');
    try {
      await waitFor('the agent stopped (T)', async () => readStat(agent)?.state === 'T', 3000);
      expect(await answers(pod)).toBe(true);
    } finally {
      tc.cluster.resumeNode('node-1');
    }
    await waitFor('the agent running again', async () => readStat(agent)?.state !== 'T', 3000);
    expect(tc.cluster.pidOf('node-1')).toBe(agent);
  });

  it('restart-node: a new agent process, back with a renewed Lease and Ready', async () => {
    const old = tc.cluster.pidOf('node-1')!;
    recordClusterProcesses();
    const since = Date.now();
    await tc.cluster.restartNode('node-1');
    expect(tc.cluster.pidOf('node-1')).not.toBe(old);
    expect(processAlive(old)).toBe(false);
    const lease = await tc.api({ path: '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/node-1' });
    expect(Date.parse(lease.json.spec.renewTime)).toBeGreaterThanOrEqual(since);
    expect(condition(await tc.api({ path: '/api/v1/nodes/node-1' }).then((r) => r.json), 'Ready')).toBe('True');
  });

  it('kill-node: the agent and its containers die at once, as in a power cut', async () => {
    const pod = await waitFor('web answering after the restart', async () => {
      const p = await runningPod('web', 1);
      return (await answers(p)) ? p : undefined;
    }, 30_000);
    const agent = tc.cluster.pidOf('node-1')!;
    const containers = containerPids(tc, pod.metadata.uid);
    expect(containers.length).toBe(1);
    recordClusterProcesses();
    await tc.cluster.killNode('node-1');
    await waitFor('the agent and the container gone', async () => !processAlive(agent) && !containers.some(processAlive), 3000);
    expect(await answers(pod)).toBe(false);
    // Back for the last test: its stop() must find this node's processes too.
    await tc.cluster.startNode('node-1');
    await runningPod('web', 2);
  });

  it('stop() leaves no process the cluster started, containers included', async () => {
    recordClusterProcesses();
    const cluster = [...seen.values()].filter(stillRunning);
    // The control plane, its components, the agent, and the container at least.
    expect(cluster.length).toBeGreaterThanOrEqual(4);
    await tc.stop();
    expect(cluster.filter(stillRunning).map((e) => e.pid)).toEqual([]);
  });
});
