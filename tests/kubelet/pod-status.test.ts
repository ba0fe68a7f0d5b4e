// The pod's status from its containers: the phase as the kubelet computes it
// (getPhase), the conditions (readiness → Ready), and container states.

import { describe, expect, it } from 'vitest';
import { buildPodStatus, computePhase, containerStatus, podConditions, type ContainerStatus } from '../../reference/src/kubelet/pods/pod-status.ts';
import { newContainerRecord, recordFromStatus, type PodRecord } from '../../reference/src/kubelet/pods/pod-state.ts';

const T = '2026-01-01T00:00:00.123Z';
const running = (name: string, ready = true): ContainerStatus => ({
  name, state: { running: { startedAt: T } }, lastState: {}, ready, restartCount: 0, image: 'i', imageID: '', started: true,
});
const terminated = (name: string, exitCode: number): ContainerStatus => ({
  name, state: { terminated: { exitCode } }, lastState: {}, ready: false, restartCount: 0, image: 'i', imageID: '', started: false,
});
const waiting = (name: string, reason = 'ContainerCreating', lastExit?: number): ContainerStatus => ({
  name, state: { waiting: { reason } }, lastState: lastExit === undefined ? {} : { terminated: { exitCode: lastExit } },
  ready: false, restartCount: 0, image: 'i', imageID: '', started: false,
});
const spec = (policy: string, containers: string[], initContainers: string[] = []) => ({
  restartPolicy: policy, containers: containers.map((name) => ({ name })), initContainers: initContainers.map((name) => ({ name })),
});

describe('computePhase', () => {
  it('is Pending while a container has not started, Running once all have', () => {
    expect(computePhase(spec('Always', ['a', 'b']), [], [running('a'), waiting('b')])).toBe('Pending');
    expect(computePhase(spec('Always', ['a', 'b']), [], [running('a'), running('b', false)])).toBe('Running');
    expect(computePhase(spec('Always', ['a']), [], [])).toBe('Pending');
  });

  it('stays Running with restartPolicy Always when containers end (they are restarted)', () => {
    expect(computePhase(spec('Always', ['a']), [], [terminated('a', 0)])).toBe('Running');
    expect(computePhase(spec('Always', ['a']), [], [waiting('a', 'CrashLoopBackOff', 1)])).toBe('Running');
  });

  it('is Succeeded when every container ended with 0 and none restarts', () => {
    expect(computePhase(spec('Never', ['a', 'b']), [], [terminated('a', 0), terminated('b', 0)])).toBe('Succeeded');
    expect(computePhase(spec('OnFailure', ['a']), [], [terminated('a', 0)])).toBe('Succeeded');
  });

  it('is Failed with Never when one ended in failure, Running with OnFailure (it is restarted)', () => {
    expect(computePhase(spec('Never', ['a', 'b']), [], [terminated('a', 0), terminated('b', 2)])).toBe('Failed');
    expect(computePhase(spec('OnFailure', ['a']), [], [terminated('a', 2)])).toBe('Running');
    expect(computePhase(spec('Never', ['a', 'b']), [], [terminated('a', 1), running('b')])).toBe('Running');
  });

  it('is Pending while init containers run, Failed when one fails under Never', () => {
    expect(computePhase(spec('Always', ['a'], ['init']), [running('init')], [waiting('a', 'PodInitializing')])).toBe('Pending');
    expect(computePhase(spec('Never', ['a'], ['init']), [terminated('init', 1)], [waiting('a', 'PodInitializing')])).toBe('Failed');
    expect(computePhase(spec('Always', ['a'], ['init']), [terminated('init', 0)], [running('a')])).toBe('Running');
  });

  it('ends a deleted pod by its exit codes whatever the policy', () => {
    expect(computePhase(spec('Always', ['a']), [], [terminated('a', 0)], true)).toBe('Succeeded');
    expect(computePhase(spec('Always', ['a']), [], [terminated('a', 143)], true)).toBe('Failed');
  });
});

describe('podConditions', () => {
  const pod = (conditions: any[] = [], readinessGates?: any[]) => ({
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' },
    spec: { containers: [{ name: 'a' }, { name: 'b' }], readinessGates }, status: { conditions },
  });

  it('says which containers are not ready, and Ready only when all are', () => {
    const conditions = podConditions(pod(), 'Running', [], [running('a'), running('b', false)], 'T1');
    expect(conditions.map((c) => c.type)).toEqual(['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled']);
    const ready = conditions.find((c) => c.type === 'Ready')!;
    expect(ready).toMatchObject({ status: 'False', reason: 'ContainersNotReady', message: 'containers with unready status: [b]', lastProbeTime: null });
    const all = podConditions(pod(), 'Running', [], [running('a'), running('b')], 'T1');
    expect(all.find((c) => c.type === 'Ready')!.status).toBe('True');
  });

  it('moves lastTransitionTime only when the status changes', () => {
    const first = podConditions(pod(), 'Running', [], [running('a'), running('b')], 'T1');
    const same = podConditions(pod(first), 'Running', [], [running('a'), running('b')], 'T2');
    expect(same.find((c) => c.type === 'Ready')!.lastTransitionTime).toBe('T1');
    const changed = podConditions(pod(same), 'Running', [], [running('a'), running('b', false)], 'T3');
    expect(changed.find((c) => c.type === 'Ready')!.lastTransitionTime).toBe('T3');
    expect(changed.find((c) => c.type === 'Initialized')!.lastTransitionTime).toBe('T1');
  });

  it('keeps the scheduler condition and other owners conditions; readiness gates hold Ready back', () => {
    const scheduled = { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: 'T0' };
    const gate = { type: 'example.com/lb', status: 'False', lastProbeTime: null, lastTransitionTime: 'T0' };
    const conditions = podConditions(pod([scheduled, gate], [{ conditionType: 'example.com/lb' }]), 'Running', [], [running('a'), running('b')], 'T1');
    expect(conditions.find((c) => c.type === 'PodScheduled')).toEqual(scheduled);
    expect(conditions.find((c) => c.type === 'example.com/lb')).toEqual(gate);
    expect(conditions.find((c) => c.type === 'ContainersReady')!.status).toBe('True');
    expect(conditions.find((c) => c.type === 'Ready')).toMatchObject({ status: 'False', reason: 'ReadinessGatesNotReady' });
  });

  it('says PodCompleted for a Succeeded pod', () => {
    const conditions = podConditions(pod(), 'Succeeded', [], [terminated('a', 0), terminated('b', 0)], 'T1');
    expect(conditions.find((c) => c.type === 'Ready')).toMatchObject({ status: 'False', reason: 'PodCompleted' });
  });
});

describe('containerStatus', () => {
  it('shows a new container as ContainerCreating, without a containerID', () => {
    const s = containerStatus(newContainerRecord('web', 'kubelab/web:1', false));
    expect(s).toEqual({ name: 'web', state: { waiting: { reason: 'ContainerCreating' } }, lastState: {}, ready: false, restartCount: 0, image: 'kubelab/web:1', imageID: '', started: false });
  });

  it('shows a crash loop as waiting, with the ended instance as lastState, times to the second', () => {
    const c = newContainerRecord('web', 'kubelab/web:1', false);
    c.restartCount = 2;
    c.instance = { id: 'u/web/2', startedAt: T, terminated: { exitCode: 1, reason: 'Error', startedAt: T, finishedAt: T, containerID: 'kubelab://u/web/2' } };
    c.waiting = { reason: 'CrashLoopBackOff', message: 'back-off 20s' };
    const s = containerStatus(c);
    expect(s.state).toEqual({ waiting: { reason: 'CrashLoopBackOff', message: 'back-off 20s' } });
    expect(s.lastState.terminated).toMatchObject({ exitCode: 1, reason: 'Error', startedAt: '2026-01-01T00:00:00Z' });
    expect(s.containerID).toBe('kubelab://u/web/2');
    expect(s.restartCount).toBe(2);
  });

  it('takes a container that ran under a previous agent as ended (ContainerStatusUnknown)', () => {
    const c = recordFromStatus('web', 'kubelab/web:1', false, {
      name: 'web', restartCount: 3, containerID: 'kubelab://u/web/3', imageID: 'x', state: { running: { startedAt: '2026-01-01T00:00:00Z' } },
    });
    expect(c.restartCount).toBe(3);
    expect(c.instance?.id).toBe('u/web/3');
    expect(c.instance?.terminated).toMatchObject({ exitCode: 137, reason: 'ContainerStatusUnknown' });
  });
});

describe('buildPodStatus', () => {
  it('carries IPs, start time and qosClass, and sorts container statuses by name', () => {
    const record: PodRecord = {
      uid: 'u', key: 'default/p', namespace: 'default', name: 'p', podIP: '127.200.1.2', startTime: '2026-01-01T00:00:00Z',
      containers: new Map([['b', newContainerRecord('b', 'i', false)], ['a', newContainerRecord('a', 'i', false)]]),
    };
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'b' }, { name: 'a' }] }, status: { qosClass: 'BestEffort' } };
    const status = buildPodStatus(pod, record, '127.1.1.1', 'T1');
    expect(status).toMatchObject({
      phase: 'Pending', hostIP: '127.1.1.1', hostIPs: [{ ip: '127.1.1.1' }], podIP: '127.200.1.2', podIPs: [{ ip: '127.200.1.2' }],
      startTime: '2026-01-01T00:00:00Z', qosClass: 'BestEffort',
    });
    expect((status.containerStatuses as any[]).map((s) => s.name)).toEqual(['a', 'b']);
    expect(status.initContainerStatuses).toBeUndefined();
  });
});
