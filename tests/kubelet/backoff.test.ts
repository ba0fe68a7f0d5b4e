// Restart back-off (flowcontrol.Backoff as the kubelet uses it) and the
// restart decision for a container that ended.

import { describe, expect, it } from 'vitest';
import { Backoff, formatDuration } from '../../reference/src/kubelet/pods/backoff.ts';
import { nextStep, restartWanted } from '../../reference/src/kubelet/pods/containers.ts';
import { newContainerRecord, type ContainerRecord } from '../../reference/src/kubelet/pods/pod-state.ts';

function clock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('Backoff', () => {
  it('starts at the base, doubles, and stops at the cap', () => {
    const c = clock();
    const b = new Backoff(10_000, 40_000, c.now);
    const seen: number[] = [];
    for (let i = 0; i < 5; i++) {
      b.next('k', c.now());
      seen.push(b.get('k'));
      c.advance(1000);
    }
    expect(seen).toEqual([10_000, 20_000, 40_000, 40_000, 40_000]);
  });

  it('is in back-off for a failure until its window is over', () => {
    const c = clock();
    const b = new Backoff(10_000, 300_000, c.now);
    expect(b.isInBackOffSince('k', c.now())).toBe(false); // no entry: the first failure restarts at once
    b.next('k', c.now());
    const failure = c.now() + 5_000;
    c.advance(5_000);
    expect(b.isInBackOffSince('k', failure)).toBe(true);
    expect(b.remaining('k', failure)).toBe(10_000);
    c.advance(9_999);
    expect(b.isInBackOffSince('k', failure)).toBe(true);
    c.advance(1);
    expect(b.isInBackOffSince('k', failure)).toBe(false);
  });

  it('starts over after 2 × the cap without a failure (a container that ran well)', () => {
    const c = clock();
    const b = new Backoff(1_000, 8_000, c.now);
    b.next('k', c.now());
    b.next('k', c.now());
    b.next('k', c.now());
    expect(b.get('k')).toBe(4_000);
    c.advance(16_001);
    expect(b.isInBackOffSince('k', c.now())).toBe(false);
    b.next('k', c.now());
    expect(b.get('k')).toBe(1_000);
  });

  it('forgets a pod, and prints durations as Go does', () => {
    const b = new Backoff(1000, 8000);
    b.next('uid-1/web/img', Date.now());
    b.forget('uid-1/');
    expect(b.get('uid-1/web/img')).toBe(0);
    expect([formatDuration(10_000), formatDuration(80_000), formatDuration(300_000)]).toEqual(['10s', '1m20s', '5m0s']);
  });
});

describe('restartWanted', () => {
  it('follows restartPolicy', () => {
    expect(restartWanted('Always', 0, false)).toBe(true);
    expect(restartWanted('OnFailure', 0, false)).toBe(false);
    expect(restartWanted('OnFailure', 1, false)).toBe(true);
    expect(restartWanted('Never', 1, false)).toBe(false);
  });

  it('never restarts an init container that succeeded; retries a failed one unless Never', () => {
    expect(restartWanted('Always', 0, true)).toBe(false);
    expect(restartWanted('Always', 1, true)).toBe(true);
    expect(restartWanted('Never', 1, true)).toBe(false);
  });
});

describe('nextStep', () => {
  const ended = (exitCode: number, finishedAt: number): ContainerRecord => {
    const c = newContainerRecord('web', 'kubelab/web:1', false);
    const at = new Date(finishedAt).toISOString();
    c.instance = { id: 'u/web/0', startedAt: at, terminated: { exitCode, reason: 'Error', startedAt: at, finishedAt: at, containerID: 'kubelab://u/web/0' } };
    return c;
  };
  const spec = { name: 'web', image: 'kubelab/web:1' };

  it('starts a new container, keeps a running one, kills one whose image changed', () => {
    const b = new Backoff(1000, 8000);
    expect(nextStep(newContainerRecord('web', 'kubelab/web:1', false), spec, 'Always', b, 'k')).toEqual({ kind: 'start' });
    const runningOne = newContainerRecord('web', 'kubelab/web:1', false);
    runningOne.instance = { id: 'u/web/0', startedAt: 'T' };
    expect(nextStep(runningOne, spec, 'Always', b, 'k')).toEqual({ kind: 'keep' });
    expect(nextStep(runningOne, { ...spec, image: 'kubelab/web:2' }, 'Always', b, 'k').kind).toBe('kill');
  });

  it('restarts at once after the first failure, then waits out the back-off (CrashLoopBackOff)', () => {
    const c = clock();
    const b = new Backoff(1000, 8000, c.now);
    expect(nextStep(ended(1, c.now()), spec, 'Always', b, 'k')).toEqual({ kind: 'start' });
    c.advance(500);
    const second = ended(1, c.now());
    expect(nextStep(second, spec, 'Always', b, 'k')).toEqual({ kind: 'wait', ms: 1000 });
    c.advance(1000);
    expect(nextStep(second, spec, 'Always', b, 'k')).toEqual({ kind: 'start' });
    expect(b.get('k')).toBe(2000);
  });

  it('leaves a container that ended alone when the policy says so', () => {
    const b = new Backoff(1000, 8000);
    expect(nextStep(ended(0, Date.now()), spec, 'OnFailure', b, 'k')).toEqual({ kind: 'keep' });
    expect(nextStep(ended(3, Date.now()), spec, 'Never', b, 'k')).toEqual({ kind: 'keep' });
  });
});
