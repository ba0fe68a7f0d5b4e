// The algorithm for one pod: filter, score, pick; and the cache's assume / confirm / forget.

import { describe, expect, it } from 'vitest';
import { numFeasibleNodesToFind, schedulePod, selectHost } from '../../reference/src/scheduler/algorithm.ts';
import { SchedulerCache } from '../../reference/src/scheduler/cache.ts';
import { defaultProfile } from '../../reference/src/scheduler/default-plugins.ts';
import { makeNode, makePod, nodeInfo, podInfo } from './fixtures.ts';

describe('selectHost', () => {
  it('picks the highest score', () => {
    expect(selectHost([10, 250, 30])).toBe(1);
  });

  it('breaks ties at random, each tied node as likely as the others', () => {
    const seen = [0, 0, 0, 0];
    for (let i = 0; i < 3000; i++) seen[selectHost([5, 9, 9, 9])]++;
    expect(seen[0]).toBe(0);
    for (const n of seen.slice(1)) expect(n).toBeGreaterThan(800);
  });
});

describe('numFeasibleNodesToFind', () => {
  it('looks at every node of a small cluster and at a shrinking share of a big one', () => {
    expect(numFeasibleNodesToFind(5)).toBe(5);
    expect(numFeasibleNodesToFind(99)).toBe(99);
    expect(numFeasibleNodesToFind(100)).toBe(100);
    expect(numFeasibleNodesToFind(1000)).toBe(420);
    expect(numFeasibleNodesToFind(10_000)).toBe(500);
  });
});

describe('schedulePod', () => {
  const profile = defaultProfile();

  it('chooses among the feasible nodes only', () => {
    const nodes = [nodeInfo(makeNode('small', { cpu: '1' })), nodeInfo(makeNode('big', { cpu: '8' })), nodeInfo(makeNode('cordoned', { cpu: '16', unschedulable: true }))];
    const result = schedulePod(profile, podInfo('p', { cpu: '2' }), nodes, { nextStartNodeIndex: 0 });
    expect(result).toMatchObject({ nodeName: 'big', feasibleNodes: 1 });
  });

  it('reports each turned-down node when none fits', () => {
    const nodes = [nodeInfo(makeNode('a', { cpu: '1' })), nodeInfo(makeNode('b', { unschedulable: true }))];
    const result = schedulePod(profile, podInfo('p', { cpu: '2' }), nodes, { nextStartNodeIndex: 0 });
    expect(result).toEqual({
      fitError: { numAllNodes: 2, statuses: [{ code: 'Unschedulable', reasons: ['Insufficient cpu'] }, { code: 'UnschedulableAndUnresolvable', reasons: ['node(s) were unschedulable'] }] },
    });
  });

  it('prefers the emptier node, and spreads replicas', () => {
    const busy = nodeInfo(makeNode('busy'), [makePod('x', { cpu: '3', memory: '6Gi', nodeName: 'busy' })]);
    const idle = nodeInfo(makeNode('idle'));
    expect(schedulePod(profile, podInfo('p', { cpu: '100m' }), [busy, idle], { nextStartNodeIndex: 0 })).toMatchObject({ nodeName: 'idle' });

    const withReplica = nodeInfo(makeNode('a'), [makePod('web-1', { owner: 'web', nodeName: 'a' })]);
    const without = nodeInfo(makeNode('b'), [makePod('other', { nodeName: 'b' })]);
    for (let i = 0; i < 20; i++) {
      expect(schedulePod(profile, podInfo('web-2', { owner: 'web' }), [withReplica, without], { nextStartNodeIndex: 0 })).toMatchObject({ nodeName: 'b' });
    }
  });

  it('stops filtering once it has enough feasible nodes, and starts the next pod where it stopped', () => {
    const nodes = Array.from({ length: 1000 }, (_, i) => nodeInfo(makeNode(`n${i}`)));
    const state = { nextStartNodeIndex: 0 };
    expect(schedulePod(profile, podInfo('p'), nodes, state)).toMatchObject({ evaluatedNodes: 420, feasibleNodes: 420 });
    expect(state.nextStartNodeIndex).toBe(420);
  });
});

describe('SchedulerCache', () => {
  it('counts an assumed pod at once, keeps it when confirmed, and drops it when forgotten', () => {
    const cache = new SchedulerCache();
    cache.setNode(makeNode('n', { cpu: '1' }));
    const pod = podInfo('p', { cpu: '600m' });
    cache.assumePod(pod, 'n');
    expect(cache.nodeInfo('n')!.requested.milliCpu).toBe(600);
    expect(cache.isAssumed('default/p')).toBe(true);

    // The informer shows the binding: same numbers, no longer assumed; forgetting is then a no-op.
    cache.addOrUpdatePod(makePod('p', { cpu: '600m', nodeName: 'n' }));
    cache.forgetPod('default/p');
    expect(cache.isAssumed('default/p')).toBe(false);
    expect(cache.nodeInfo('n')!.requested.milliCpu).toBe(600);

    const other = podInfo('q', { cpu: '300m' });
    cache.assumePod(other, 'n');
    cache.forgetPod('default/q');
    expect(cache.nodeInfo('n')!.requested.milliCpu).toBe(600);
    cache.removePod('default/p');
    expect(cache.nodeInfo('n')!.requested.milliCpu).toBe(0);
  });

  it('keeps pods bound to a node it does not know yet, and lists only real nodes', () => {
    const cache = new SchedulerCache();
    cache.addOrUpdatePod(makePod('early', { cpu: '1', nodeName: 'late' }));
    expect(cache.nodeList()).toEqual([]);
    cache.setNode(makeNode('late'));
    expect(cache.nodeList().map((n) => [n.name, n.requested.milliCpu])).toEqual([['late', 1000]]);
    cache.removeNode('late');
    expect(cache.nodeList()).toEqual([]);
  });
});
