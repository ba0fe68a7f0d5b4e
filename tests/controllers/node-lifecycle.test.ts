// The node lifecycle controller: the health decision alone, then the whole
// controller against an in-process API server, with the test playing the node
// agent (it writes the Node's status and renews its Lease, or stops doing so).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../reference/src/api/types.ts';
import { LEASES, NODES, PODS, resourcePath } from '../../reference/src/client/paths.ts';
import { isConflict } from '../../reference/src/client/api-client.ts';
import { REAL_PROFILE, type Profile } from '../../reference/src/config/profile.ts';
import { nodeHealth, unknownConditions } from '../../reference/src/controllers/node-lifecycle/health.ts';
import { NodeLifecycleController } from '../../reference/src/controllers/node-lifecycle/node-lifecycle-controller.ts';
import { desiredTaints } from '../../reference/src/controllers/node-lifecycle/taints.ts';
import { startTestApiServer } from '../support/apiserver.ts';
import { runControllers, until } from '../support/controllers.ts';

const PROFILE: Profile = { ...REAL_PROFILE, nodeMonitorPeriodSeconds: 0.2, nodeMonitorGracePeriodSeconds: 1, nodeStartupGracePeriodSeconds: 1 };

function conditions(status: string, heartbeat: string) {
  return ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'].map((type) => ({
    type, status: type === 'Ready' ? status : 'False', lastHeartbeatTime: heartbeat, lastTransitionTime: '2026-01-01T00:00:00Z', reason: 'KubeletReady', message: 'ok',
  }));
}

function node(name: string, opts: { ready?: string; heartbeat?: string; created?: string } = {}): KubeObject {
  return {
    apiVersion: 'v1', kind: 'Node',
    metadata: { name, creationTimestamp: opts.created ?? '2026-01-01T00:00:00Z' },
    spec: {},
    status: { conditions: opts.ready ? conditions(opts.ready, opts.heartbeat ?? '2026-01-01T00:00:00Z') : [] },
  };
}

describe('node health', () => {
  const now = Date.parse('2026-01-01T00:01:00Z');

  it('is alive while either heartbeat is younger than the grace period', () => {
    const stale = node('n', { ready: 'True', heartbeat: '2026-01-01T00:00:00Z' });
    expect(nodeHealth(stale, undefined, REAL_PROFILE, now)).toEqual({ alive: false, neverPosted: false });
    const lease = { metadata: { name: 'n' }, spec: { renewTime: '2026-01-01T00:00:30.000000Z' } } as KubeObject;
    expect(nodeHealth(stale, lease, REAL_PROFILE, now)).toEqual({ alive: true, staleInMs: 20_000 });
  });

  it('gives a node that never posted its startup grace period from its creation', () => {
    const fresh = node('n', { created: '2026-01-01T00:00:10Z' });
    expect(nodeHealth(fresh, undefined, REAL_PROFILE, now).alive).toBe(true);
    expect(nodeHealth(fresh, undefined, REAL_PROFILE, now + 20_000)).toEqual({ alive: false, neverPosted: true });
  });

  it('turns the watched conditions Unknown, keeping the last heartbeat', () => {
    const turned = unknownConditions(node('n', { ready: 'True', heartbeat: '2026-01-01T00:00:00Z' }), false, '2026-01-01T00:01:00Z');
    expect(turned.find((c) => c.type === 'Ready')).toEqual({
      type: 'Ready', status: 'Unknown', lastHeartbeatTime: '2026-01-01T00:00:00Z', lastTransitionTime: '2026-01-01T00:01:00Z',
      reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.',
    });
    expect(turned.map((c) => c.status)).toEqual(['Unknown', 'Unknown', 'Unknown', 'Unknown']);
  });

  it('taints follow Ready, keeping taints others set', () => {
    const other = { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' };
    const unknown = { ...node('n', { ready: 'Unknown' }), spec: { taints: [other] } };
    expect(desiredTaints(unknown, 'T').map((t) => `${t.key}:${t.effect}`)).toEqual([
      'dedicated:NoSchedule', 'node.kubernetes.io/unreachable:NoSchedule', 'node.kubernetes.io/unreachable:NoExecute',
    ]);
    const notReady = { ...node('n', { ready: 'False' }), spec: { taints: desiredTaints(unknown, 'T') } };
    expect(desiredTaints(notReady, 'T').map((t) => `${t.key}:${t.effect}`)).toEqual([
      'dedicated:NoSchedule', 'node.kubernetes.io/not-ready:NoSchedule', 'node.kubernetes.io/not-ready:NoExecute',
    ]);
    const ready = { ...node('n', { ready: 'True' }), spec: { taints: desiredTaints(unknown, 'T') } };
    expect(desiredTaints(ready, 'T')).toEqual([other]);
  });
});

describe('node lifecycle controller', () => {
  let server: Awaited<ReturnType<typeof startTestApiServer>>;
  let controllers: Awaited<ReturnType<typeof runControllers>>;

  beforeAll(async () => {
    server = await startTestApiServer();
    controllers = await runControllers(server.endpoint, [(ctx) => new NodeLifecycleController(ctx)], PROFILE);
  });
  afterAll(async () => {
    controllers?.stop();
    await server?.stop();
  });

  const client = () => controllers.client;
  const nodePath = (name: string) => resourcePath(NODES, undefined, name);
  const getNode = (name: string) => client().get<KubeObject>(nodePath(name));
  const readyOf = (n: KubeObject) => n.status?.conditions?.find((c: { type: string }) => c.type === 'Ready');
  const taintsOf = (n: KubeObject) => (n.spec?.taints ?? []).map((t: { key: string; effect: string }) => `${t.key}:${t.effect}`).sort();

  /**
   * What a node agent does every period: post its conditions with a fresh heartbeat,
   * reading the Node again if the controller wrote it in between (the kubelet's
   * updateNodeStatus tries nodeStatusUpdateRetry times).
   */
  async function postStatus(name: string, ready: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const current = await getNode(name);
      try {
        await client().update(`${nodePath(name)}/status`, { ...current, status: { conditions: conditions(ready, new Date().toISOString()) } });
        return;
      } catch (err) {
        if (!isConflict(err) || attempt >= 5) throw err;
      }
    }
  }

  async function renewLease(name: string): Promise<void> {
    const path = resourcePath(LEASES, 'kube-node-lease', name);
    const spec = { holderIdentity: name, leaseDurationSeconds: 1, renewTime: new Date().toISOString().replace('Z', '000Z') };
    try {
      const lease = await client().get<KubeObject>(path);
      await client().update(path, { ...lease, spec });
    } catch {
      await client().create(resourcePath(LEASES, 'kube-node-lease'), { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace: 'kube-node-lease' }, spec });
    }
  }

  async function readyPodOn(name: string, nodeName: string): Promise<void> {
    await client().create(resourcePath(PODS, 'default'), {
      apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' },
      spec: { nodeName, containers: [{ name: 'c', image: 'kubelab/web:1' }] },
    });
    const pod = await client().get<KubeObject>(resourcePath(PODS, 'default', name));
    await client().update(resourcePath(PODS, 'default', name, 'status'), {
      ...pod, status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: new Date().toISOString() }] },
    });
  }

  it('a silent node turns Unknown and unreachable, its pods not ready; a returning one is untainted', async () => {
    await client().create(resourcePath(NODES), node('silent'));
    await postStatus('silent', 'True');
    await renewLease('silent');
    await readyPodOn('on-silent', 'silent');

    // Within the grace period nothing happens, and the Lease alone keeps the node alive.
    for (let i = 0; i < 4; i++) {
      await new Promise((r) => setTimeout(r, 300));
      await renewLease('silent');
    }
    expect(readyOf(await getNode('silent')).status).toBe('True');
    expect(taintsOf(await getNode('silent'))).toEqual([]);

    const lost = await until('the node Unknown and tainted unreachable', async () => {
      const n = await getNode('silent');
      return readyOf(n).status === 'Unknown' && taintsOf(n).length === 2 ? n : undefined;
    }, 5000);
    expect(readyOf(lost)).toMatchObject({ reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.' });
    expect(lost.status.conditions.map((c: { status: string }) => c.status)).toEqual(['Unknown', 'Unknown', 'Unknown', 'Unknown']);
    expect(taintsOf(lost)).toEqual(['node.kubernetes.io/unreachable:NoExecute', 'node.kubernetes.io/unreachable:NoSchedule']);
    expect(lost.spec.taints.find((t: { effect: string }) => t.effect === 'NoExecute').timeAdded).toBeTruthy();

    await until('the pod on it marked not ready', async () => {
      const pod = await client().get<KubeObject>(resourcePath(PODS, 'default', 'on-silent'));
      return pod.status.conditions.find((c: { type: string }) => c.type === 'Ready').status === 'False' ? true : undefined;
    });

    // The agent comes back: Ready, and the taints go.
    await renewLease('silent');
    await postStatus('silent', 'True');
    await until('the unreachable taints removed', async () => (taintsOf(await getNode('silent')).length === 0 ? true : undefined));
    expect(readyOf(await getNode('silent')).status).toBe('True');
  });

  it('a node whose agent says Ready=False is tainted not-ready', async () => {
    await client().create(resourcePath(NODES), node('sick'));
    await postStatus('sick', 'False');
    await renewLease('sick');
    await until('the not-ready taints', async () => {
      const t = taintsOf(await getNode('sick'));
      return t.join() === 'node.kubernetes.io/not-ready:NoExecute,node.kubernetes.io/not-ready:NoSchedule' ? true : undefined;
    });
    await postStatus('sick', 'True');
    await until('the not-ready taints removed', async () => (taintsOf(await getNode('sick')).length === 0 ? true : undefined));
  });
});
