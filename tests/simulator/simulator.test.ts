// The node simulator (reference/src/simulator/): its pure parts, then a
// cluster of simulated nodes only (`kubelab up --nodes 0 --simulated-nodes 20`),
// with the reference's scheduler and controllers, in the fast profile.
//
// Simulated nodes carry KWOK's label and taint (type=kwok,
// kwok.x-k8s.io/node=fake:NoSchedule; https://kwok.sigs.k8s.io/docs/user/kwok-manage-nodes-and-pods/):
// the scheduler keeps every pod that does not tolerate the taint away from them.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProcessCluster } from '../../conformance/harness/process-driver.ts';
import { rawRequest, type RawRequest } from '../../conformance/harness/raw-client.ts';
import { REAL_PROFILE } from '../../reference/src/config/profile.ts';
import { buildPodStatus } from '../../reference/src/kubelet/pods/pod-status.ts';
import { findUntoleratedTaint } from '../../reference/src/scheduler/plugins/taint-toleration.ts';
import { leaseRenewInterval } from '../../reference/src/simulator/node-simulator.ts';
import { runningRecord } from '../../reference/src/simulator/pod-simulator.ts';
import { SIMULATED_TOLERATION, simulatedNode, simulatedNodeObject } from '../../reference/src/simulator/simulated-node.ts';
import { condition, inCidr, waitFor } from '../kubelet/cluster-support.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SIMULATED = 20;

describe('simulated nodes, their parts', () => {
  it('give each node its own pod range and address, outside the loopback ranges real nodes use', () => {
    expect(simulatedNode('sim-node-', 1)).toEqual({ name: 'sim-node-1', index: 1, address: '10.255.0.1', podCIDR: '10.0.1.0/24' });
    expect(simulatedNode('sim-node-', 2000)).toEqual({ name: 'sim-node-2000', index: 2000, address: '10.255.7.208', podCIDR: '10.7.208.0/24' });
  });

  it("carry KWOK's label and NoSchedule taint, which only the simulated nodes' toleration lets the scheduler past", () => {
    const node = simulatedNodeObject(simulatedNode('sim-node-', 1));
    expect(node.metadata.labels).toMatchObject({ type: 'kwok', 'kubelab.dev/simulated': 'true' });
    expect(node.spec.taints).toEqual([{ key: 'kwok.x-k8s.io/node', value: 'fake', effect: 'NoSchedule' }]);
    // The scheduler's own matching (TaintToleration): refused without the toleration, admitted with it.
    expect(findUntoleratedTaint(node.spec.taints, [], ['NoSchedule', 'NoExecute'])).toEqual(node.spec.taints[0]);
    expect(findUntoleratedTaint(node.spec.taints, [SIMULATED_TOLERATION], ['NoSchedule', 'NoExecute'])).toBeUndefined();
    expect(SIMULATED_TOLERATION).toEqual({ key: 'kwok.x-k8s.io/node', operator: 'Exists', effect: 'NoSchedule' });
  });

  it("renew leases at the kubelet's pace, stretched for many nodes but within half the grace period", () => {
    expect(leaseRenewInterval(3, REAL_PROFILE)).toBe(10); // 40 s / 4, as a kubelet
    expect(leaseRenewInterval(2000, REAL_PROFILE)).toBe(20); // 100 renewals/s at most
    expect(leaseRenewInterval(100_000, REAL_PROFILE)).toBe(20); // never beyond min(40, 50) / 2
  });

  it("report a bound pod Running and Ready through the kubelet's own status code", () => {
    const pod: any = {
      metadata: { name: 'p', namespace: 'default', uid: 'u1' },
      spec: { nodeName: 'sim-node-1', initContainers: [{ name: 'init', image: 'kubelab/web:1' }], containers: [{ name: 'web', image: 'kubelab/web:1' }] },
      status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: '2026-01-01T00:00:00Z' }] },
    };
    const status: any = buildPodStatus(pod, runningRecord(pod, '10.0.1.2', '2026-01-01T00:00:01Z'), '10.255.0.1', '2026-01-01T00:00:02Z');
    expect(status.phase).toBe('Running');
    expect(Object.fromEntries(status.conditions.map((c: any) => [c.type, c.status]))).toEqual({
      PodReadyToStartContainers: 'True', Initialized: 'True', Ready: 'True', ContainersReady: 'True', PodScheduled: 'True',
    });
    expect(status.containerStatuses[0]).toMatchObject({ name: 'web', ready: true, started: true, restartCount: 0, state: { running: { startedAt: '2026-01-01T00:00:01Z' } } });
    expect(status.initContainerStatuses[0].state.terminated).toMatchObject({ exitCode: 0, reason: 'Completed' });
    expect(status).toMatchObject({ podIP: '10.0.1.2', hostIP: '10.255.0.1', startTime: '2026-01-01T00:00:01Z' });
  });
});

describe('a cluster of simulated nodes only', () => {
  let cluster: ProcessCluster;
  let dataDir: string;
  const api = (request: RawRequest) => rawRequest(cluster, request);
  const isReady = (pod: any) => condition(pod, 'Ready') === 'True';

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'kubelab-simulator-'));
    cluster = await ProcessCluster.start({ implDir: ROOT, dataDir, nodes: 0, simulatedNodes: SIMULATED, profile: 'fast', store: 'memory' });
  });

  afterAll(async () => {
    await cluster?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('registers every node Ready, with capacity, a pod CIDR, KWOK\'s label and taint, and a renewed Lease', async () => {
    const nodes = (await api({ path: '/api/v1/nodes?labelSelector=kubelab.dev/simulated%3Dtrue' })).json.items;
    expect(nodes).toHaveLength(SIMULATED);
    // KWOK's label finds the same nodes.
    expect((await api({ path: '/api/v1/nodes?labelSelector=type%3Dkwok' })).json.items).toHaveLength(SIMULATED);
    for (const node of nodes) {
      expect(condition(node, 'Ready')).toBe('True');
      expect(node.spec.taints).toContainEqual({ key: 'kwok.x-k8s.io/node', value: 'fake', effect: 'NoSchedule' });
      expect(node.status.allocatable).toMatchObject({ cpu: '32', memory: '256Gi', pods: '110' });
      expect(node.spec.podCIDR).toMatch(/^10\.\d+\.\d+\.0\/24$/);
      expect(node.status.addresses).toContainEqual({ type: 'InternalIP', address: expect.stringMatching(/^10\.255\./) });
    }
    const leasePath = '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/sim-node-7';
    // Its first renewal comes up to one interval after the node registered (node k of N at k/N of it).
    const first = await waitFor('the Lease of sim-node-7 to exist', async () => {
      const got = await api({ path: leasePath });
      return got.status === 200 && got.json;
    }, 5000);
    expect(first.metadata.ownerReferences[0]).toMatchObject({ kind: 'Node', name: 'sim-node-7' });
    // Fast profile: 4 s leases, renewed every second.
    await waitFor('the Lease of sim-node-7 to be renewed', async () => {
      const lease = (await api({ path: leasePath })).json;
      return Date.parse(lease.spec.renewTime) > Date.parse(first.spec.renewTime) && lease;
    }, 5000);
  });

  it('keeps a pod without the toleration Pending: no node is left for it but tainted ones', async () => {
    const pod = { metadata: { name: 'ordinary' }, spec: { containers: [{ name: 'web', image: 'kubelab/web:1' }] } };
    expect((await api({ method: 'POST', path: '/api/v1/namespaces/default/pods', body: pod })).status).toBe(201);
    // kube-scheduler's words: "0/20 nodes are available: 20 node(s) had untolerated taint {kwok.x-k8s.io/node: fake}."
    const pending = await waitFor('pod ordinary to be found unschedulable', async () => {
      const got = (await api({ path: '/api/v1/namespaces/default/pods/ordinary' })).json;
      return condition(got, 'PodScheduled') === 'False' && got;
    }, 10_000);
    const scheduled = pending.status.conditions.find((c: any) => c.type === 'PodScheduled');
    expect(scheduled.reason).toBe('Unschedulable');
    expect(scheduled.message).toContain(`${SIMULATED} node(s) had untolerated taint {kwok.x-k8s.io/node: fake}`);
    expect(pending.spec.nodeName).toBeUndefined();
    expect(pending.status.phase).toBe('Pending');
    await api({ method: 'DELETE', path: '/api/v1/namespaces/default/pods/ordinary' });
  });

  it('schedules and runs a pod that tolerates the taint on a simulated node', async () => {
    const pod = { metadata: { name: 'tolerant' }, spec: { tolerations: [SIMULATED_TOLERATION], containers: [{ name: 'web', image: 'kubelab/web:1' }] } };
    expect((await api({ method: 'POST', path: '/api/v1/namespaces/default/pods', body: pod })).status).toBe(201);
    const running = await waitFor('pod tolerant to be Ready', async () => {
      const got = (await api({ path: '/api/v1/namespaces/default/pods/tolerant' })).json;
      return isReady(got) && got;
    }, 10_000);
    expect(running.spec.nodeName).toMatch(/^sim-node-\d+$/);
    expect(running.status.phase).toBe('Running');
    await api({ method: 'DELETE', path: '/api/v1/namespaces/default/pods/tolerant' });
  });

  // NoSchedule is the scheduler's: a pod bound by spec.nodeName bypasses it and runs
  // (core/v1 TaintEffectNoSchedule: "allow all pods submitted to Kubelet without going through the scheduler to start").
  it('runs a pod bound to a simulated node: Running, Ready, with an IP of the node', async () => {
    const pod = {
      metadata: { name: 'bound' },
      spec: { nodeName: 'sim-node-3', initContainers: [{ name: 'setup', image: 'kubelab/web:1' }], containers: [{ name: 'web', image: 'kubelab/web:1' }] },
    };
    expect((await api({ method: 'POST', path: '/api/v1/namespaces/default/pods', body: pod })).status).toBe(201);
    const running = await waitFor('pod bound to be Ready', async () => {
      const got = (await api({ path: '/api/v1/namespaces/default/pods/bound' })).json;
      return isReady(got) && got;
    }, 10_000);
    expect(running.status.phase).toBe('Running');
    expect(inCidr(running.status.podIP, '10.0.3.0/24')).toBe(true);
    expect(running.status.hostIP).toBe('10.255.0.3');
    expect(running.status.startTime).toBeTruthy();
    expect(running.status.containerStatuses[0].state.running).toBeTruthy();
    expect(running.status.initContainerStatuses[0].state.terminated.reason).toBe('Completed');
  });

  it('spreads a Deployment of 50 replicas over the nodes and makes it available', async () => {
    const deployment = {
      metadata: { name: 'spread' },
      spec: {
        replicas: 50, selector: { matchLabels: { app: 'spread' } },
        template: {
          metadata: { labels: { app: 'spread' } },
          spec: { tolerations: [SIMULATED_TOLERATION], containers: [{ name: 'web', image: 'kubelab/web:1', resources: { requests: { cpu: '100m' } } }] },
        },
      },
    };
    expect((await api({ method: 'POST', path: '/apis/apps/v1/namespaces/default/deployments', body: deployment })).status).toBe(201);
    await waitFor('the Deployment to be available', async () => {
      const d = (await api({ path: '/apis/apps/v1/namespaces/default/deployments/spread' })).json;
      return d.status?.availableReplicas === 50 && d.status?.updatedReplicas === 50;
    }, 20_000);
    const pods = (await api({ path: '/api/v1/namespaces/default/pods?labelSelector=app%3Dspread' })).json.items;
    const perNode = new Map<string, number>();
    for (const pod of pods) perNode.set(pod.spec.nodeName, (perNode.get(pod.spec.nodeName) ?? 0) + 1);
    // 50 on 20 equal nodes: spreading gives every node 2 or 3.
    expect(perNode.size).toBe(SIMULATED);
    expect(Math.max(...perNode.values())).toBeLessThanOrEqual(3);
    expect(new Set(pods.map((p: any) => p.status.podIP)).size).toBe(50);
  });

  it('finishes the deletion of a pod: it is gone from the API', async () => {
    const res = await api({ method: 'DELETE', path: '/api/v1/namespaces/default/pods/bound' });
    expect(res.status).toBe(200);
    expect(res.json.metadata.deletionTimestamp).toBeTruthy(); // graceful: the node agent finishes it
    await waitFor('pod bound to be gone', async () => (await api({ path: '/api/v1/namespaces/default/pods/bound' })).status === 404, 10_000);
  });

  it('leaves its nodes to turn NotReady when it stops (their Leases expire)', async () => {
    await cluster.stopSimulator();
    // Fast profile: a node is lost 8 s after its last heartbeat, looked at every second.
    const node = await waitFor('sim-node-1 to be NotReady', async () => {
      const got = (await api({ path: '/api/v1/nodes/sim-node-1' })).json;
      return condition(got, 'Ready') === 'Unknown' && got;
    }, 20_000);
    expect(node.spec.taints?.map((t: any) => t.key)).toContain('node.kubernetes.io/unreachable');
  }, 30_000);
});
