// The Unschedulable message, in the form kube-scheduler writes it
// (pkg/scheduler/framework/types.go FitError.Error, DefaultPreemption's PostFilter).

import { describe, expect, it } from 'vitest';
import { fitErrorMessage, nodesAvailableMessage } from '../../reference/src/scheduler/fit-error.ts';
import { unresolvable, unschedulable } from '../../reference/src/scheduler/framework.ts';
import { makePod } from './fixtures.ts';

describe('FitError message', () => {
  it('counts the reasons, sorts them, and adds what preemption would say', () => {
    const statuses = [unresolvable('node(s) were unschedulable'), unschedulable('Insufficient cpu'), unschedulable('Insufficient cpu')];
    expect(fitErrorMessage(makePod('p'), 3, statuses)).toBe(
      '0/3 nodes are available: 1 node(s) were unschedulable, 2 Insufficient cpu. ' +
      'preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.',
    );
  });

  it('says preemption is not helpful when every node was turned down for an unresolvable reason', () => {
    const statuses = [unresolvable("node(s) didn't match Pod's node affinity/selector"), unresolvable('node(s) had untolerated taint {gpu: true}')];
    expect(fitErrorMessage(makePod('p'), 2, statuses)).toBe(
      "0/2 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 1 node(s) had untolerated taint {gpu: true}. " +
      'preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.',
    );
  });

  it('counts every reason of a node that has several', () => {
    expect(nodesAvailableMessage(2, [unschedulable('Insufficient cpu', 'Insufficient memory'), unschedulable('Insufficient memory')]))
      .toBe('0/2 nodes are available: 1 Insufficient cpu, 2 Insufficient memory.');
  });

  it('sorts as strings, as Go does: 10 before 2', () => {
    const statuses = [...Array(10).fill(unschedulable('Too many pods')), unresolvable('node(s) were unschedulable'), unresolvable('node(s) were unschedulable')];
    expect(nodesAvailableMessage(12, statuses)).toBe('0/12 nodes are available: 10 Too many pods, 2 node(s) were unschedulable.');
  });

  it('names a pod that may not preempt', () => {
    const pod = makePod('p');
    pod.spec.preemptionPolicy = 'Never';
    expect(fitErrorMessage(pod, 1, [unschedulable('Insufficient cpu')])).toBe(
      '0/1 nodes are available: 1 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never.',
    );
  });
});
