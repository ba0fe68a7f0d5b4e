// The scheduler against a real (in-process) API server: fake Node objects,
// real pods, real bindings. No node agents run, so pods stay Pending after
// they are bound; what is checked is spec.nodeName, conditions and events.

import { afterEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../reference/src/api/types.ts';
import { ApiClient } from '../../reference/src/client/api-client.ts';
import { EVENTS, NODES, PODS, resourcePath } from '../../reference/src/client/paths.ts';
import { Scheduler } from '../../reference/src/scheduler/scheduler.ts';
import { startTestApiServer } from '../support/apiserver.ts';
import { makeNode, makePod, type NodeOptions, type PodOptions } from './fixtures.ts';

interface Cluster {
  client: ApiClient;
  scheduler: Scheduler;
  addNode(name: string, o?: NodeOptions): Promise<void>;
  addPod(name: string, o?: PodOptions): Promise<void>;
  pod(name: string): Promise<KubeObject>;
  waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs?: number): Promise<T>;
  stop(): Promise<void>;
}

let cluster: Cluster | undefined;
afterEach(async () => {
  await cluster?.stop();
  cluster = undefined;
});

async function startCluster(nodes: [string, NodeOptions?][]): Promise<Cluster> {
  const api = await startTestApiServer();
  const client = new ApiClient({ ...api.endpoint, userAgent: 'scheduler-test' });
  const addNode = async (name: string, o: NodeOptions = {}) => {
    await client.create(resourcePath(NODES), makeNode(name, o));
  };
  for (const [name, o] of nodes) await addNode(name, o);
  const scheduler = new Scheduler(client, { flushIntervalMs: 500 });
  await scheduler.start();
  const c: Cluster = {
    client,
    scheduler,
    addNode,
    async addPod(name, o = {}) {
      const pod = makePod(name, o);
      delete pod.metadata.uid; // the API server gives it one
      await client.create(resourcePath(PODS, 'default'), pod);
    },
    pod: (name) => client.get(resourcePath(PODS, 'default', name)),
    async waitFor(what, probe, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const value = await probe();
        if (value !== undefined && value !== false) return value as any;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    async stop() {
      await scheduler.stop();
      client.close();
      await api.stop();
    },
  };
  cluster = c;
  return c;
}

/** The node each named pod is bound to, once all are bound. */
async function boundNodes(c: Cluster, names: string[]): Promise<Record<string, string>> {
  return c.waitFor(`${names.join(', ')} to be bound`, async () => {
    const out: Record<string, string> = {};
    for (const name of names) {
      const node = (await c.pod(name)).spec?.nodeName;
      if (!node) return undefined;
      out[name] = node;
    }
    return out;
  });
}

async function events(c: Cluster, podName: string): Promise<any[]> {
  const list = await c.client.get<{ items: any[] }>(`${resourcePath(EVENTS, 'default')}?fieldSelector=involvedObject.name=${podName}`);
  return list.items.filter((e) => e.involvedObject?.name === podName);
}

const scheduledCondition = (pod: KubeObject) => (pod.status?.conditions ?? []).find((c: any) => c.type === 'PodScheduled');

describe('scheduler', () => {
  it('binds a pod, which then reads PodScheduled=True, and records a Scheduled event', async () => {
    const c = await startCluster([['node-1']]);
    await c.addPod('web');
    expect(await boundNodes(c, ['web'])).toEqual({ web: 'node-1' });
    expect(scheduledCondition(await c.pod('web'))).toMatchObject({ status: 'True' });
    const event = await c.waitFor('the Scheduled event', async () => (await events(c, 'web')).find((e) => e.reason === 'Scheduled'));
    expect(event).toMatchObject({
      type: 'Normal', message: 'Successfully assigned default/web to node-1',
      source: { component: 'default-scheduler' }, involvedObject: { kind: 'Pod', name: 'web', namespace: 'default' },
    });
  });

  it('follows nodeSelector, taints and tolerations, and never uses a cordoned or not-ready node', async () => {
    const c = await startCluster([
      ['plain'],
      ['ssd', { labels: { disktype: 'ssd' } }],
      ['gpu', { labels: { accel: 'gpu' }, taints: [{ key: 'accel', value: 'gpu', effect: 'NoSchedule' }] }],
      ['cordoned', { unschedulable: true }],
      ['sick', { ready: 'False' }],
    ]);
    await c.addPod('wants-ssd', { nodeSelector: { disktype: 'ssd' } });
    await c.addPod('wants-gpu', { nodeSelector: { accel: 'gpu' }, tolerations: [{ key: 'accel', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }] });
    const ordinary = Array.from({ length: 8 }, (_, i) => `ordinary-${i}`);
    for (const name of ordinary) await c.addPod(name);
    const placed = await boundNodes(c, ['wants-ssd', 'wants-gpu', ...ordinary]);
    expect(placed['wants-ssd']).toBe('ssd');
    expect(placed['wants-gpu']).toBe('gpu');
    for (const name of ordinary) expect(['plain', 'ssd']).toContain(placed[name]);
  });

  it('places pods by their requests and spreads replicas of one controller', async () => {
    const c = await startCluster([['a', { cpu: '1' }], ['b', { cpu: '1' }], ['c', { cpu: '1' }]]);
    const replicas = Array.from({ length: 6 }, (_, i) => `web-${i}`);
    // Created back to back: only the scheduler's assumed pods keep them from all choosing the same node.
    await Promise.all(replicas.map((name) => c.addPod(name, { owner: 'web', cpu: '500m' })));
    const placed = await boundNodes(c, replicas);
    const perNode: Record<string, number> = {};
    for (const node of Object.values(placed)) perNode[node] = (perNode[node] ?? 0) + 1;
    expect(perNode).toEqual({ a: 2, b: 2, c: 2 });
  });

  it('marks a pod that fits nowhere Unschedulable with the reasons, then schedules it once a node fits', async () => {
    const c = await startCluster([['full-1', { cpu: '1' }], ['full-2', { cpu: '1' }], ['cordoned', { cpu: '8', unschedulable: true }]]);
    await c.addPod('big', { cpu: '2' });
    const message = '0/3 nodes are available: 1 node(s) were unschedulable, 2 Insufficient cpu. ' +
      'preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.';
    const condition = await c.waitFor('PodScheduled=False', async () => {
      const cond = scheduledCondition(await c.pod('big'));
      return cond?.status === 'False' ? cond : undefined;
    });
    expect(condition).toMatchObject({ status: 'False', reason: 'Unschedulable', message });
    const failed = await c.waitFor('the FailedScheduling event', async () => (await events(c, 'big')).find((e) => e.reason === 'FailedScheduling'));
    expect(failed).toMatchObject({ type: 'Warning', message, source: { component: 'default-scheduler' } });
    // Retries with the same answer count up on the one event ("x2 over 1s" in kubectl describe).
    await c.waitFor('a second attempt', async () => (await events(c, 'big')).find((e) => e.reason === 'FailedScheduling' && e.count >= 2));
    expect((await events(c, 'big')).filter((e) => e.reason === 'FailedScheduling')).toHaveLength(1);

    await c.addNode('roomy', { cpu: '4' });
    expect(await boundNodes(c, ['big'])).toEqual({ big: 'roomy' });
    expect(scheduledCondition(await c.pod('big'))).toMatchObject({ status: 'True' });
  });

  it('schedules a waiting pod when a pod leaves or a node is uncordoned', async () => {
    const c = await startCluster([['only', { cpu: '1' }]]);
    await c.addPod('first', { cpu: '800m' });
    await boundNodes(c, ['first']);
    await c.addPod('second', { cpu: '800m' });
    await c.waitFor('second to be Unschedulable', async () => scheduledCondition(await c.pod('second'))?.reason === 'Unschedulable');
    await c.client.delete(resourcePath(PODS, 'default', 'first'), { gracePeriodSeconds: 0 });
    expect(await boundNodes(c, ['second'])).toEqual({ second: 'only' });

    await c.client.patch(resourcePath(NODES, undefined, 'only'), { spec: { unschedulable: true } });
    await c.addPod('third');
    await c.waitFor('third to be Unschedulable', async () => scheduledCondition(await c.pod('third'))?.message?.includes('node(s) were unschedulable'));
    await c.client.patch(resourcePath(NODES, undefined, 'only'), { spec: { unschedulable: false } });
    expect(await boundNodes(c, ['third'])).toEqual({ third: 'only' });
  });

  it('says so when there are no nodes, and leaves pods of other schedulers alone', async () => {
    const c = await startCluster([]);
    await c.addPod('lonely');
    await c.addPod('not-mine', { schedulerName: 'my-scheduler' });
    const cond = await c.waitFor('PodScheduled=False', async () => scheduledCondition(await c.pod('lonely')));
    expect(cond).toMatchObject({ status: 'False', reason: 'Unschedulable', message: 'no nodes available to schedule pods' });
    await c.addNode('late');
    expect(await boundNodes(c, ['lonely'])).toEqual({ lonely: 'late' });
    const notMine = await c.pod('not-mine');
    expect(notMine.spec.nodeName).toBeUndefined();
    expect(scheduledCondition(notMine)).toBeUndefined();
  });
});
