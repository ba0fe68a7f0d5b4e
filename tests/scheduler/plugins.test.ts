// Each plugin on its own: one reason to say no (or to prefer a node), in
// kube-scheduler's words.

import { describe, expect, it } from 'vitest';
import { SUCCESS } from '../../reference/src/scheduler/framework.ts';
import { nodeUnschedulable } from '../../reference/src/scheduler/plugins/node-unschedulable.ts';
import { nodeReady } from '../../reference/src/scheduler/plugins/node-ready.ts';
import { nodeResourcesFit } from '../../reference/src/scheduler/plugins/node-resources-fit.ts';
import { matchesRequirement, nodeSelector } from '../../reference/src/scheduler/plugins/node-selector.ts';
import { taintToleration, toleratesTaint } from '../../reference/src/scheduler/plugins/taint-toleration.ts';
import { leastAllocated, leastRequestedScore } from '../../reference/src/scheduler/plugins/least-allocated.ts';
import { spread } from '../../reference/src/scheduler/plugins/spread.ts';
import { makeNode, makePod, nodeInfo, podInfo } from './fixtures.ts';

describe('NodeUnschedulable', () => {
  it('turns pods away from a cordoned node', () => {
    expect(nodeUnschedulable.filter(podInfo('p'), nodeInfo(makeNode('n')))).toBe(SUCCESS);
    expect(nodeUnschedulable.filter(podInfo('p'), nodeInfo(makeNode('n', { unschedulable: true })))).toEqual({
      code: 'UnschedulableAndUnresolvable', reasons: ['node(s) were unschedulable'],
    });
  });

  it('lets in a pod that tolerates node.kubernetes.io/unschedulable:NoSchedule', () => {
    const pod = podInfo('p', { tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }] });
    expect(nodeUnschedulable.filter(pod, nodeInfo(makeNode('n', { unschedulable: true })))).toBe(SUCCESS);
  });
});

describe('NodeReady', () => {
  it('turns pods away from a node that is not Ready, naming the taint Kubernetes would have put there', () => {
    expect(nodeReady.filter(podInfo('p'), nodeInfo(makeNode('n')))).toBe(SUCCESS);
    expect(nodeReady.filter(podInfo('p'), nodeInfo(makeNode('n', { ready: 'False' }))).reasons).toEqual(['node(s) had untolerated taint {node.kubernetes.io/not-ready: }']);
    expect(nodeReady.filter(podInfo('p'), nodeInfo(makeNode('n', { ready: 'missing' }))).reasons).toEqual(['node(s) had untolerated taint {node.kubernetes.io/not-ready: }']);
    expect(nodeReady.filter(podInfo('p'), nodeInfo(makeNode('n', { ready: 'Unknown' }))).reasons).toEqual(['node(s) had untolerated taint {node.kubernetes.io/unreachable: }']);
  });

  it('does not stop a pod that tolerates the taint; the default NoExecute tolerations are not enough', () => {
    const tolerant = podInfo('p', { tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists' }] });
    expect(nodeReady.filter(tolerant, nodeInfo(makeNode('n', { ready: 'False' })))).toBe(SUCCESS);
    const defaults = podInfo('p', { tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }] });
    expect(nodeReady.filter(defaults, nodeInfo(makeNode('n', { ready: 'False' }))).code).toBe('UnschedulableAndUnresolvable');
  });

  it('leaves a node that already carries the taint to TaintToleration', () => {
    const node = makeNode('n', { ready: 'False', taints: [{ key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' }] });
    expect(nodeReady.filter(podInfo('p'), nodeInfo(node))).toBe(SUCCESS);
    expect(taintToleration.filter(podInfo('p'), nodeInfo(node)).reasons).toEqual(['node(s) had untolerated taint {node.kubernetes.io/not-ready: }']);
  });
});

describe('NodeResourcesFit', () => {
  const node = makeNode('n', { cpu: '1', memory: '1Gi', pods: '3' });

  it('fits a pod whose requests are free on the node', () => {
    expect(nodeResourcesFit.filter(podInfo('p', { cpu: '1', memory: '1Gi' }), nodeInfo(node))).toBe(SUCCESS);
  });

  it('counts the requests of the pods already on the node', () => {
    const info = nodeInfo(node, [makePod('a', { cpu: '600m', memory: '512Mi', nodeName: 'n' })]);
    expect(nodeResourcesFit.filter(podInfo('p', { cpu: '400m' }), info)).toBe(SUCCESS);
    expect(nodeResourcesFit.filter(podInfo('p', { cpu: '500m' }), info)).toEqual({ code: 'Unschedulable', reasons: ['Insufficient cpu'] });
    expect(nodeResourcesFit.filter(podInfo('p', { memory: '513Mi' }), info).reasons).toEqual(['Insufficient memory']);
    expect(nodeResourcesFit.filter(podInfo('p', { cpu: '2', memory: '2Gi' }), info).reasons).toEqual(['Insufficient cpu', 'Insufficient memory']);
  });

  it('lets pods without requests in until the pod count is reached', () => {
    const full = nodeInfo(node, ['a', 'b', 'c'].map((n) => makePod(n, { nodeName: 'n' })));
    expect(nodeResourcesFit.filter(podInfo('p'), nodeInfo(node, [makePod('a', { cpu: '1', memory: '1Gi' })]))).toBe(SUCCESS);
    expect(nodeResourcesFit.filter(podInfo('p'), full).reasons).toEqual(['Too many pods']);
  });
});

describe('NodeAffinity (nodeSelector and required node affinity)', () => {
  const ssd = nodeInfo(makeNode('ssd', { labels: { disktype: 'ssd', zone: 'a', cores: '16' } }));
  const hdd = nodeInfo(makeNode('hdd', { labels: { disktype: 'hdd', zone: 'b', cores: '4' } }));
  const affinity = (...nodeSelectorTerms: unknown[]) => ({ nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms } } });
  const fits = (pod: ReturnType<typeof podInfo>) => [ssd, hdd].filter((n) => nodeSelector.filter(pod, n).code === 'Success').map((n) => n.name);

  it('wants every nodeSelector label', () => {
    expect(fits(podInfo('p', { nodeSelector: { disktype: 'ssd' } }))).toEqual(['ssd']);
    expect(fits(podInfo('p', { nodeSelector: { disktype: 'ssd', zone: 'b' } }))).toEqual([]);
    expect(nodeSelector.filter(podInfo('p', { nodeSelector: { gpu: 'yes' } }), ssd)).toEqual({
      code: 'UnschedulableAndUnresolvable', reasons: ["node(s) didn't match Pod's node affinity/selector"],
    });
  });

  it('ORs the terms and ANDs the expressions in a term', () => {
    const either = affinity(
      { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }, { key: 'disktype', operator: 'In', values: ['hdd'] }] },
      { matchExpressions: [{ key: 'zone', operator: 'In', values: ['b'] }] },
    );
    expect(fits(podInfo('p', { affinity: either }))).toEqual(['hdd']);
    expect(fits(podInfo('p', { affinity: affinity({ matchExpressions: [] }) }))).toEqual([]);
    expect(fits(podInfo('p', { affinity: affinity({ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['ssd'] }] }) }))).toEqual(['ssd']);
  });

  it('needs both the nodeSelector and the affinity', () => {
    const pod = podInfo('p', { nodeSelector: { zone: 'a' }, affinity: affinity({ matchExpressions: [{ key: 'disktype', operator: 'NotIn', values: ['ssd'] }] }) });
    expect(fits(pod)).toEqual([]);
  });

  it('knows the six operators', () => {
    const labels = { zone: 'a', cores: '16' };
    expect(matchesRequirement(labels, { key: 'zone', operator: 'In', values: ['a', 'b'] })).toBe(true);
    expect(matchesRequirement(labels, { key: 'zone', operator: 'NotIn', values: ['a'] })).toBe(false);
    expect(matchesRequirement(labels, { key: 'gpu', operator: 'NotIn', values: ['yes'] })).toBe(true);
    expect(matchesRequirement(labels, { key: 'zone', operator: 'Exists' })).toBe(true);
    expect(matchesRequirement(labels, { key: 'gpu', operator: 'DoesNotExist' })).toBe(true);
    expect(matchesRequirement(labels, { key: 'cores', operator: 'Gt', values: ['8'] })).toBe(true);
    expect(matchesRequirement(labels, { key: 'cores', operator: 'Lt', values: ['8'] })).toBe(false);
    expect(matchesRequirement(labels, { key: 'zone', operator: 'Gt', values: ['1'] })).toBe(false); // not an integer
    expect(matchesRequirement(labels, { key: 'gpu', operator: 'Lt', values: ['1'] })).toBe(false);
  });
});

describe('TaintToleration', () => {
  const gpu = { key: 'gpu', value: 'true', effect: 'NoSchedule' as const };

  it('matches tolerations to taints as Kubernetes does', () => {
    expect(toleratesTaint({ key: 'gpu', operator: 'Equal', value: 'true', effect: 'NoSchedule' }, gpu)).toBe(true);
    expect(toleratesTaint({ key: 'gpu', value: 'true' }, gpu)).toBe(true); // Equal is the default; no effect = every effect
    expect(toleratesTaint({ key: 'gpu', value: 'false' }, gpu)).toBe(false);
    expect(toleratesTaint({ key: 'gpu', operator: 'Exists' }, gpu)).toBe(true);
    expect(toleratesTaint({ operator: 'Exists' }, gpu)).toBe(true); // empty key + Exists = everything
    expect(toleratesTaint({ operator: 'Exists', effect: 'NoExecute' }, gpu)).toBe(false);
    expect(toleratesTaint({ key: 'other', operator: 'Exists' }, gpu)).toBe(false);
  });

  it('keeps untolerating pods off NoSchedule and NoExecute taints, not PreferNoSchedule ones', () => {
    const tainted = (effect: string) => nodeInfo(makeNode('n', { taints: [{ key: 'dedicated', value: 'db', effect }] }));
    expect(taintToleration.filter(podInfo('p'), tainted('NoSchedule'))).toEqual({
      code: 'UnschedulableAndUnresolvable', reasons: ['node(s) had untolerated taint {dedicated: db}'],
    });
    expect(taintToleration.filter(podInfo('p'), tainted('NoExecute')).code).toBe('UnschedulableAndUnresolvable');
    expect(taintToleration.filter(podInfo('p'), tainted('PreferNoSchedule'))).toBe(SUCCESS);
    const tolerant = podInfo('p', { tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'db', effect: 'NoSchedule' }] });
    expect(taintToleration.filter(tolerant, tainted('NoSchedule'))).toBe(SUCCESS);
    expect(taintToleration.filter(tolerant, tainted('NoExecute')).code).toBe('UnschedulableAndUnresolvable');
  });

  it('names the first untolerated taint, with an empty value shown empty', () => {
    const node = nodeInfo(makeNode('n', { taints: [{ key: 'a', value: '1', effect: 'NoSchedule' }, { key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }] }));
    const pod = podInfo('p', { tolerations: [{ key: 'a', operator: 'Exists' }] });
    expect(taintToleration.filter(pod, node).reasons).toEqual(['node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }']);
  });
});

describe('LeastAllocated score', () => {
  it('is the share of capacity left, per resource', () => {
    expect(leastRequestedScore(0, 1000)).toBe(100);
    expect(leastRequestedScore(250, 1000)).toBe(75);
    expect(leastRequestedScore(1000, 1000)).toBe(0);
    expect(leastRequestedScore(2000, 1000)).toBe(0);
    expect(leastRequestedScore(1, 0)).toBe(0);
  });

  it('averages cpu and memory, counting the incoming pod', () => {
    const node = makeNode('n', { cpu: '4', memory: '4Gi' });
    // With pod a there: cpu (4000 − 1000 − 1000) / 4000 = 50, memory (4Gi − 1Gi − 1Gi) / 4Gi = 50 → 50.
    // On the empty node: 75 and 75 → 75.
    const busy = nodeInfo(node, [makePod('a', { cpu: '1', memory: '1Gi', nodeName: 'n' })]);
    expect(leastAllocated.score(podInfo('p', { cpu: '1', memory: '1Gi' }), busy)).toBe(50);
    expect(leastAllocated.score(podInfo('p', { cpu: '1', memory: '1Gi' }), nodeInfo(node))).toBe(75);
  });

  it('prefers the emptier node', () => {
    const empty = nodeInfo(makeNode('a'));
    const busy = nodeInfo(makeNode('b'), [makePod('x', { cpu: '2', memory: '4Gi', nodeName: 'b' })]);
    const pod = podInfo('p', { cpu: '100m', memory: '100Mi' });
    expect(leastAllocated.score(pod, empty)).toBeGreaterThan(leastAllocated.score(pod, busy));
  });
});

describe('Spread score', () => {
  const nodes = (...counts: number[]) => counts.map((count, i) =>
    nodeInfo(makeNode(`n${i}`), Array.from({ length: count }, (_, j) => makePod(`web-${i}-${j}`, { owner: 'web', nodeName: `n${i}` }))));

  it('gives the node with the fewest replicas of the same controller the highest score', () => {
    const pod = podInfo('web-new', { owner: 'web' });
    const infos = nodes(2, 0, 1);
    const scores = infos.map((n) => spread.score(pod, n));
    expect(scores).toEqual([2, 0, 1]);
    spread.normalizeScores!(pod, scores);
    expect(scores).toEqual([0, 100, 50]);
  });

  it('ignores pods of another controller, and groups owner-less pods by their labels', () => {
    const infos = nodes(3, 0);
    expect(spread.score(podInfo('other', { owner: 'api' }), infos[0])).toBe(0);
    const labelled = nodeInfo(makeNode('n'), [makePod('a', { labels: { app: 'db' }, nodeName: 'n' }), makePod('b', { labels: { app: 'db', tier: 'x' }, nodeName: 'n' })]);
    expect(spread.score(podInfo('c', { labels: { app: 'db' } }), labelled)).toBe(1);
    expect(spread.score(podInfo('c', { labels: { app: 'db' }, namespace: 'other' }), labelled)).toBe(0);
  });

  it('scores every node 100 when no replica is anywhere', () => {
    const scores = [0, 0, 0];
    spread.normalizeScores!(podInfo('p'), scores);
    expect(scores).toEqual([100, 100, 100]);
  });
});
