// VolumeBinding: a pod whose PersistentVolumeClaim is missing or unbound waits,
// with kube-scheduler's message, and is scheduled once the claim is bound.

import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../reference/src/api/types.ts';
import { ApiClient } from '../../reference/src/client/api-client.ts';
import { NODES, PERSISTENT_VOLUME_CLAIMS, PODS, resourcePath } from '../../reference/src/client/paths.ts';
import { schedulePod } from '../../reference/src/scheduler/algorithm.ts';
import { defaultProfile } from '../../reference/src/scheduler/default-plugins.ts';
import { fitErrorMessage } from '../../reference/src/scheduler/fit-error.ts';
import { newPodInfo } from '../../reference/src/scheduler/framework.ts';
import { volumeBinding } from '../../reference/src/scheduler/plugins/volume-binding.ts';
import { Scheduler } from '../../reference/src/scheduler/scheduler.ts';
import { startTestApiServer } from '../support/apiserver.ts';
import { makeNode, makePod, nodeInfo } from './fixtures.ts';

function podWithClaims(name: string, ...claims: string[]): KubeObject {
  const pod = makePod(name);
  pod.spec.volumes = claims.map((claimName, i) => ({ name: `v${i}`, persistentVolumeClaim: { claimName } }));
  return pod;
}

function claim(name: string, opts: { volumeName?: string; completed?: boolean; phase?: string; deleting?: boolean } = {}): KubeObject {
  return {
    apiVersion: 'v1', kind: 'PersistentVolumeClaim',
    metadata: {
      name, namespace: 'default',
      ...(opts.completed ? { annotations: { 'pv.kubernetes.io/bind-completed': 'yes' } } : {}),
      ...(opts.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}),
    },
    spec: { volumeName: opts.volumeName },
    status: { phase: opts.phase ?? 'Pending' },
  };
}

describe('VolumeBinding prefilter', () => {
  const lister = (claims: KubeObject[]) => (ns: string, name: string) => claims.find((c) => c.metadata.namespace === ns && c.metadata.name === name);

  it('lets pods without claims, and pods whose claims are all bound, through', () => {
    const plugin = volumeBinding(lister([claim('data', { volumeName: 'pv-1', completed: true, phase: 'Bound' })]));
    expect(plugin.preFilter(newPodInfo(makePod('plain'))).code).toBe('Success');
    expect(plugin.preFilter(newPodInfo(podWithClaims('p', 'data'))).code).toBe('Success');
  });

  it('says which claim is missing, being deleted or lost, before it mentions unbound ones', () => {
    const plugin = volumeBinding(lister([claim('pending'), claim('going', { deleting: true }), claim('lost', { volumeName: 'gone', completed: true, phase: 'Lost' })]));
    expect(plugin.preFilter(newPodInfo(podWithClaims('p', 'pending', 'nope')))).toEqual({ code: 'UnschedulableAndUnresolvable', reasons: ['persistentvolumeclaim "nope" not found'] });
    expect(plugin.preFilter(newPodInfo(podWithClaims('p', 'going'))).reasons).toEqual(['persistentvolumeclaim "going" is being deleted']);
    expect(plugin.preFilter(newPodInfo(podWithClaims('p', 'lost'))).reasons).toEqual(['persistentvolumeclaim "lost" bound to non-existent persistentvolume "gone"']);
    expect(plugin.preFilter(newPodInfo(podWithClaims('p', 'pending'))).reasons).toEqual(['pod has unbound immediate PersistentVolumeClaims']);
    // A volumeName without the binder's bind-completed annotation is not bound yet.
    const halfway = volumeBinding(lister([claim('half', { volumeName: 'pv-1' })]));
    expect(halfway.preFilter(newPodInfo(podWithClaims('p', 'half'))).reasons).toEqual(['pod has unbound immediate PersistentVolumeClaims']);
  });

  it('turns every node down at once, and the message says the reason once', () => {
    const pod = podWithClaims('p', 'pending');
    const result = schedulePod(defaultProfile(lister([claim('pending')])), newPodInfo(pod), [nodeInfo(makeNode('a')), nodeInfo(makeNode('b'))], { nextStartNodeIndex: 0 });
    if (!('fitError' in result)) throw new Error('expected a fit error');
    const { numAllNodes, statuses, preFilterMessage } = result.fitError;
    expect(fitErrorMessage(pod, numAllNodes, statuses, preFilterMessage)).toBe(
      '0/2 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.',
    );
  });
});

describe('Scheduler with claims', () => {
  it('keeps the pod Pending with PodScheduled False until its claim exists and is bound, then schedules it', async () => {
    const api = await startTestApiServer();
    const client = new ApiClient({ ...api.endpoint, userAgent: 'scheduler-test' });
    await client.create(resourcePath(NODES), makeNode('node-1'));
    const scheduler = new Scheduler(client, { flushIntervalMs: 60_000 }); // only claim events may wake the pod
    await scheduler.start();
    const waitFor = async <T>(what: string, probe: () => Promise<T | undefined>) => {
      for (let i = 0; i < 200; i++) {
        const value = await probe();
        if (value !== undefined) return value;
        await new Promise((r) => setTimeout(r, 25));
      }
      throw new Error(`timed out waiting for ${what}`);
    };
    const condition = async (message: string) => waitFor(message, async () => {
      const pod = await client.get<KubeObject>(resourcePath(PODS, 'default', 'app'));
      const c = pod.status?.conditions?.find((x: any) => x.type === 'PodScheduled');
      return c?.message === message ? c : undefined;
    });
    try {
      const pod = podWithClaims('app', 'data');
      delete pod.metadata.uid;
      await client.create(resourcePath(PODS, 'default'), pod);
      const missing = await condition('0/1 nodes are available: persistentvolumeclaim "data" not found. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.');
      expect(missing).toMatchObject({ status: 'False', reason: 'Unschedulable' });

      const created = await client.create<KubeObject>(resourcePath(PERSISTENT_VOLUME_CLAIMS, 'default'), {
        apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data' },
        spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
      });
      await condition('0/1 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.');

      // What the binder writes when it binds the claim.
      await client.update(resourcePath(PERSISTENT_VOLUME_CLAIMS, 'default', 'data'), {
        ...created, metadata: { ...created.metadata, annotations: { 'pv.kubernetes.io/bind-completed': 'yes' } }, spec: { ...created.spec, volumeName: 'pv-1' },
      });
      const node = await waitFor('the pod bound', async () => (await client.get<KubeObject>(resourcePath(PODS, 'default', 'app'))).spec?.nodeName);
      expect(node).toBe('node-1');
    } finally {
      await scheduler.stop();
      client.close();
      await api.stop();
    }
  });
});
