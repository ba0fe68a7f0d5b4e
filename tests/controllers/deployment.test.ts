// The Deployment controller's pure parts: the fenceposts, the pod-template-hash
// and template equality, revisions and history, one rolling step at a time,
// proportional scaling, status and the Progressing condition.

import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../reference/src/api/types.ts';
import { maxSurge, maxUnavailable, resolveFenceposts, scaledValue } from '../../reference/src/controllers/deployment/fenceposts.ts';
import {
  canonical, computeHash, equalIgnoreHash, findNewReplicaSet, fnv32a, safeEncodeString,
} from '../../reference/src/controllers/deployment/pod-template-hash.ts';
import { deploymentComplete, pausedStatus, progressCheckDelay, rolloutStatus } from '../../reference/src/controllers/deployment/progress.ts';
import { oldPodsRunning } from '../../reference/src/controllers/deployment/recreate.ts';
import { replicaCount, type Scaling } from '../../reference/src/controllers/deployment/replica-sets.ts';
import {
  findOldReplicaSets, maxRevision, replicaSetsToDelete, setNewReplicaSetAnnotations,
} from '../../reference/src/controllers/deployment/revisions.ts';
import { newReplicaSetReplicas, newReplicaSetTarget, oldReplicaSetsScaleDown } from '../../reference/src/controllers/deployment/rolling.ts';
import { isScalingEvent, scaleReplicaSets } from '../../reference/src/controllers/deployment/scaling.ts';
import { calculateStatus, sameStatus } from '../../reference/src/controllers/deployment/status.ts';
import { selectControllers } from '../../reference/src/controller-manager/controllers.ts';
import { ApiStatusError, type ApiClient } from '../../reference/src/client/api-client.ts';
import type { EventRecorder } from '../../reference/src/client/events.ts';
import { Rollout } from '../../reference/src/controllers/deployment/rollout.ts';
import type { DeploymentStatus } from '../../reference/src/controllers/deployment/status.ts';

const template = (image = 'kubelab/web:1', extra: Record<string, unknown> = {}) => ({
  metadata: { labels: { app: 'web' } },
  spec: { containers: [{ name: 'web', image, imagePullPolicy: 'IfNotPresent' }], restartPolicy: 'Always', ...extra },
});

function deployment(spec: Record<string, unknown> = {}, extra: Partial<KubeObject> = {}): KubeObject {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', uid: 'd-uid', generation: 1, annotations: {} },
    spec: {
      replicas: 4, selector: { matchLabels: { app: 'web' } }, template: template(),
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 1 } },
      revisionHistoryLimit: 10, progressDeadlineSeconds: 600, ...spec,
    },
    status: {},
    ...extra,
  };
}

let created = 0;
function rs(name: string, replicas: number, o: { available?: number; actual?: number; revision?: number; image?: string; annotations?: Record<string, string> } = {}): KubeObject {
  const annotations: Record<string, string> = { ...o.annotations };
  if (o.revision) annotations['deployment.kubernetes.io/revision'] = String(o.revision);
  return {
    apiVersion: 'apps/v1', kind: 'ReplicaSet',
    metadata: {
      name, namespace: 'default', uid: `${name}-uid`, generation: 1, annotations,
      creationTimestamp: new Date(Date.UTC(2026, 0, 1, 0, 0, created++)).toISOString().replace(/\.\d+Z$/, 'Z'),
    },
    spec: { replicas, template: template(o.image) },
    status: { replicas: o.actual ?? replicas, readyReplicas: o.available ?? replicas, availableReplicas: o.available ?? replicas, observedGeneration: 1 },
  };
}

describe('fenceposts', () => {
  it('maxSurge rounds up, maxUnavailable rounds down, and both 0 makes unavailable 1', () => {
    expect(resolveFenceposts('25%', '25%', 3)).toEqual({ surge: 1, unavailable: 0 });
    expect(resolveFenceposts('25%', '25%', 4)).toEqual({ surge: 1, unavailable: 1 });
    expect(resolveFenceposts('25%', '25%', 1)).toEqual({ surge: 1, unavailable: 0 });
    expect(resolveFenceposts('25%', '25%', 10)).toEqual({ surge: 3, unavailable: 2 });
    expect(resolveFenceposts(0, '10%', 5)).toEqual({ surge: 0, unavailable: 1 });
    expect(resolveFenceposts(2, 0, 5)).toEqual({ surge: 2, unavailable: 0 });
    expect(scaledValue('33%', 10, true)).toBe(4);
    expect(scaledValue('33%', 10, false)).toBe(3);
  });

  it('Recreate has neither; maxUnavailable never exceeds replicas', () => {
    expect(maxSurge(deployment({ strategy: { type: 'Recreate' } }))).toBe(0);
    expect(maxUnavailable(deployment({ strategy: { type: 'Recreate' } }))).toBe(0);
    expect(maxUnavailable(deployment({ replicas: 2, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 5 } } }))).toBe(2);
  });
});

describe('pod-template-hash', () => {
  it('is FNV-32a, encoded with the safe alphabet', () => {
    const bytes = (s: string) => new TextEncoder().encode(s);
    expect(fnv32a(bytes(''))).toBe(0x811c9dc5);
    expect(fnv32a(bytes('a'))).toBe(0xe40c292c);
    expect(fnv32a(bytes('foobar'))).toBe(0xbf9cf968);
    // The decimal digits '0'…'9' land on "4 5 6 7 8 9 b c d f" of bcdfghjklmnpqrstvwxz2456789.
    expect(safeEncodeString('0123456789')).toBe('456789bcdf');
  });

  it('is stable across spellings of the same template, and changes with the template or the collision count', () => {
    const hash = computeHash(template());
    expect(hash).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]{1,10}$/);
    const respelled = { spec: { restartPolicy: 'Always', containers: [{ imagePullPolicy: 'IfNotPresent', resources: {}, image: 'kubelab/web:1', name: 'web' }] }, metadata: { creationTimestamp: null, labels: { app: 'web' } } };
    expect(computeHash(respelled)).toBe(hash);
    expect(computeHash(template('kubelab/web:2'))).not.toBe(hash);
    expect(computeHash(template(), 1)).not.toBe(hash);
    expect(computeHash(template(), 0)).not.toBe(hash);
  });

  it('compares templates semantically, ignoring the hash label (what rollout undo relies on)', () => {
    const fromReplicaSet = structuredClone(template());
    (fromReplicaSet.metadata.labels as Record<string, string>)['pod-template-hash'] = 'abc';
    expect(equalIgnoreHash(template(), fromReplicaSet)).toBe(true);
    const asKubectlSendsIt = { metadata: { creationTimestamp: null, labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'kubelab/web:1', imagePullPolicy: 'IfNotPresent', resources: {}, env: [] }], restartPolicy: 'Always' } };
    expect(equalIgnoreHash(asKubectlSendsIt, template())).toBe(true);
    expect(equalIgnoreHash(template('kubelab/web:2'), template())).toBe(false);
    expect(equalIgnoreHash(template('kubelab/web:1', { terminationGracePeriodSeconds: 1 }), template())).toBe(false);
    expect(canonical({ a: null, b: {}, c: [], d: { e: undefined } })).toBeUndefined();
  });

  it('the current ReplicaSet is the oldest whose template equals the Deployment\'s', () => {
    const old = rs('web-a', 0, { image: 'kubelab/web:2' });
    const current = rs('web-b', 4);
    const twin = rs('web-c', 0);
    const d = deployment();
    expect(findNewReplicaSet(d, [twin, old, current])?.metadata.name).toBe('web-b');
    expect(findOldReplicaSets(d, [twin, old, current]).map((r) => r.metadata.name)).toEqual(['web-c', 'web-a']);
  });
});

describe('revisions', () => {
  it('a new ReplicaSet gets the next revision, the size annotations and the Deployment\'s annotations but last-applied', () => {
    const d = deployment({}, { metadata: { name: 'web', uid: 'd', annotations: { 'kubernetes.io/change-cause': 'v2', 'kubectl.kubernetes.io/last-applied-configuration': '{}', 'deployment.kubernetes.io/revision': '1' } } });
    const fresh = rs('web-new', 0);
    fresh.metadata.annotations = undefined;
    expect(setNewReplicaSetAnnotations(d, fresh, 2, false)).toBe(true);
    expect(fresh.metadata.annotations).toEqual({
      'kubernetes.io/change-cause': 'v2', 'deployment.kubernetes.io/revision': '2',
      'deployment.kubernetes.io/desired-replicas': '4', 'deployment.kubernetes.io/max-replicas': '5',
    });
    expect(setNewReplicaSetAnnotations(d, fresh, 2, true)).toBe(false); // nothing new
  });

  it('an old ReplicaSet brought back is renumbered max+1 and remembers its former numbers', () => {
    const d = deployment();
    const back = rs('web-a', 0, { revision: 1 });
    expect(setNewReplicaSetAnnotations(d, back, 3, true)).toBe(true);
    expect(back.metadata.annotations!['deployment.kubernetes.io/revision']).toBe('3');
    expect(back.metadata.annotations!['deployment.kubernetes.io/revision-history']).toBe('1');
    setNewReplicaSetAnnotations(d, back, 5, true);
    expect(back.metadata.annotations!['deployment.kubernetes.io/revision-history']).toBe('1,3');
    // A lower number never replaces a higher one.
    expect(setNewReplicaSetAnnotations(d, back, 4, true)).toBe(false);
    expect(maxRevision([rs('x', 0, { revision: 7 }), back, rs('y', 0)])).toBe(7);
  });

  it('keeps revisionHistoryLimit old ReplicaSets, deleting the oldest revisions that run no pods', () => {
    const d = deployment({ revisionHistoryLimit: 1 });
    const r1 = rs('r1', 0, { revision: 1 });
    const r2 = rs('r2', 1, { revision: 2 }); // still has a pod: kept, though old
    const r3 = rs('r3', 0, { revision: 3 });
    const r4 = rs('r4', 0, { revision: 4 });
    expect(replicaSetsToDelete(d, [r4, r3, r2, r1]).map((r) => r.metadata.name)).toEqual(['r1', 'r3']);
    expect(replicaSetsToDelete(deployment({ revisionHistoryLimit: 10 }), [r4, r3, r2, r1])).toEqual([]);
    expect(replicaSetsToDelete(deployment({ revisionHistoryLimit: 0 }), [r1]).map((r) => r.metadata.name)).toEqual(['r1']);
  });
});

describe('rolling update arithmetic', () => {
  it('grows the new ReplicaSet up to replicas + maxSurge pods in all, never past replicas', () => {
    const d = deployment({ replicas: 4 });
    const old = rs('old', 4);
    const fresh = rs('new', 0);
    expect(newReplicaSetReplicas(d, [old, fresh], fresh)).toBe(1);
    const grown = rs('new', 1);
    expect(newReplicaSetTarget(d, [old, grown], grown)).toBeUndefined(); // 5 asked for already
    const later = rs('new', 3);
    expect(newReplicaSetReplicas(d, [rs('old', 1), later], later)).toBe(4);
    // Scaled by hand above spec.replicas: back down.
    const tooBig = rs('new', 7);
    expect(newReplicaSetTarget(d, [tooBig], tooBig)).toBe(4);
    expect(newReplicaSetReplicas(deployment({ strategy: { type: 'Recreate' } }), [old, fresh], fresh)).toBe(4);
  });

  it('scales old ReplicaSets down only as far as availability allows, unavailable new pods counting against it', () => {
    const d = deployment({ replicas: 4 }); // at least 3 available
    // New pod not yet available: 4 old available, 1 new unavailable → budget 5 - 3 - 1 = 1.
    const steps = oldReplicaSetsScaleDown(d, [rs('old', 4), rs('new', 1, { available: 0 })], [rs('old', 4)], rs('new', 1, { available: 0 }));
    expect(steps.map((s) => [s.rs.metadata.name, s.replicas])).toEqual([['old', 3]]);
    // New pod available: 5 available, 2 may go.
    const ready = rs('new', 1);
    expect(oldReplicaSetsScaleDown(d, [rs('old', 4), ready], [rs('old', 4)], ready).map((s) => s.replicas)).toEqual([2]);
    // Two new pods unavailable: nothing may go.
    const pending = rs('new', 2, { available: 0 });
    expect(oldReplicaSetsScaleDown(d, [rs('old', 3), pending], [rs('old', 3)], pending)).toEqual([]);
  });

  it('removes unhealthy old pods first, oldest ReplicaSet first', () => {
    const d = deployment({ replicas: 4, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } } });
    const older = rs('older', 2, { available: 1 }); // one broken pod
    const old = rs('old', 2);
    const fresh = rs('new', 1);
    const steps = oldReplicaSetsScaleDown(d, [older, old, fresh], [older, old], fresh);
    // budget 5 - 4 - 0 = 1: the broken pod of `older` goes; available 4 = min 4, so nothing more.
    expect(steps.map((s) => [s.rs.metadata.name, s.replicas])).toEqual([['older', 1]]);
  });

  it('does not trust a ReplicaSet status that still counts pods being removed', () => {
    const d = deployment({ replicas: 4 }); // at most 5 pods, at least 3 available
    // Old was just scaled 2 → 1; its status still counts both pods.
    const shrinking = rs('old', 1, { actual: 2, available: 2 });
    const grown = rs('new', 3, { available: 2 });
    // 1 + 3 asked for, but 2 + 3 pods still exist: no new pod until the old one is gone.
    expect(newReplicaSetTarget(d, [shrinking, grown], grown)).toBeUndefined();
    expect(newReplicaSetTarget(d, [rs('old', 1), grown], grown)).toBe(4);
    // Old was just scaled 3 → 2 and its status says 3 available: it keeps at most 2, so one more may go, not two.
    const old = rs('old', 2, { actual: 3, available: 3 });
    const fresh = rs('new', 3, { available: 2 });
    expect(oldReplicaSetsScaleDown(d, [old, fresh], [old], fresh).map((s) => s.replicas)).toEqual([1]);
  });

  it('a whole rollout, step by step, stays within the bounds (pods become available at once)', () => {
    for (const [replicas, surge, unavailable] of [[4, 1, 1], [3, '25%', '25%'], [10, 3, 2], [5, 0, 1], [2, 2, 0]] as const) {
      const d = deployment({ replicas, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: surge, maxUnavailable: unavailable } } });
      const sizes = { old: replicas as number, new: 0 };
      const max = replicas + maxSurge(d);
      const minAvailable = replicas - maxUnavailable(d);
      // Each move is taken from the state the previous moves left (a ReplicaSet controller that is instantaneous).
      for (let step = 0; step < 50 && (sizes.old > 0 || sizes.new < replicas); step++) {
        const all = [rs('old', sizes.old), rs('new', sizes.new)];
        const target = newReplicaSetTarget(d, all, all[1]);
        const moves: Scaling[] = target !== undefined ? [{ rs: all[1], replicas: target }] : oldReplicaSetsScaleDown(d, all, [all[0]], all[1]);
        for (const m of moves) sizes[m.rs.metadata.name as 'old' | 'new'] = m.replicas;
        expect(sizes.old + sizes.new, `pods after step ${step} (${replicas}/${surge}/${unavailable})`).toBeLessThanOrEqual(max);
        expect(sizes.old + sizes.new, `available after step ${step}`).toBeGreaterThanOrEqual(minAvailable);
        expect(moves.length, `a move at step ${step}`).toBeGreaterThan(0);
      }
      expect(sizes).toEqual({ old: 0, new: replicas });
    }
  });

  it('Recreate waits for every old pod to be gone, terminating ones included', () => {
    const fresh = rs('new', 0);
    const old = rs('old', 0, { actual: 0 });
    const terminating = { metadata: { name: 'p', deletionTimestamp: 'now' }, status: { phase: 'Running' } } as unknown as KubeObject;
    expect(oldPodsRunning(fresh, [old], new Map([[old.metadata.uid!, [terminating]]]))).toBe(true);
    const done = { metadata: { name: 'q' }, status: { phase: 'Succeeded' } } as unknown as KubeObject;
    expect(oldPodsRunning(fresh, [old], new Map([[old.metadata.uid!, [done]], [fresh.metadata.uid!, [terminating]]]))).toBe(false);
    expect(oldPodsRunning(fresh, [rs('old', 0, { actual: 1 })], new Map())).toBe(true);
  });
});

describe('proportional scaling', () => {
  it('shares a scale-up mid-rollout by size, leftovers to the largest (the documented 10 → 15 example)', () => {
    // maxSurge 3: 13 pods were allowed when the rollout stalled with 8 old and 5 new.
    const d = deployment({ replicas: 15, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 3, maxUnavailable: 2 } } });
    const max = { 'deployment.kubernetes.io/desired-replicas': '10', 'deployment.kubernetes.io/max-replicas': '13' };
    const old = rs('old', 8, { annotations: max });
    const fresh = rs('new', 5, { available: 0, annotations: max });
    expect(isScalingEvent(d, fresh, [old])).toBe(true);
    const plan = scaleReplicaSets(d, fresh, [old]);
    expect(plan.map((s) => [s.rs.metadata.name, s.replicas])).toEqual([['old', 11], ['new', 7]]);
    expect(replicaCount(plan.map((s) => ({ ...s.rs, spec: { replicas: s.replicas } })))).toBe(18);
  });

  it('with one active ReplicaSet, gives it the new size; scaling to 0 empties every one', () => {
    const d = deployment({ replicas: 6 });
    const only = rs('only', 4, { annotations: { 'deployment.kubernetes.io/desired-replicas': '4' } });
    expect(scaleReplicaSets(d, only, [rs('gone', 0)]).map((s) => [s.rs.metadata.name, s.replicas])).toEqual([['only', 6]]);
    const zero = deployment({ replicas: 0 });
    const plan = scaleReplicaSets(zero, rs('new', 2, { available: 0 }), [rs('old', 3)]);
    expect(plan.map((s) => s.replicas)).toEqual([0, 0]);
  });
});

describe('status and progress', () => {
  const now = Date.parse('2026-01-01T00:10:00Z');

  it('sums the ReplicaSets, leaves zeros out, and says whether enough pods are available', () => {
    const d = deployment({ replicas: 4 }, { metadata: { name: 'web', generation: 3 } });
    const status = calculateStatus([rs('old', 2, { available: 2 }), rs('new', 3, { available: 1, actual: 3 })], rs('new', 3, { available: 1, actual: 3 }), d, now);
    expect(status).toMatchObject({ observedGeneration: 3, replicas: 5, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3, unavailableReplicas: 2 });
    expect(status.conditions).toMatchObject([{ type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.' }]);
    const down = calculateStatus([rs('new', 4, { available: 2 })], rs('new', 4, { available: 2 }), d, now);
    expect(down.conditions).toMatchObject([{ type: 'Available', status: 'False', reason: 'MinimumReplicasUnavailable' }]);
    expect(calculateStatus([undefined], undefined, deployment({ replicas: 0 }, { metadata: { name: 'x' } }), now)).not.toHaveProperty('replicas');
    expect(sameStatus({ replicas: 0, conditions: [] }, {})).toBe(true);
  });

  it('Progressing: ReplicaSetUpdated on progress, NewReplicaSetAvailable when complete, ProgressDeadlineExceeded after the deadline', () => {
    const started = { type: 'Progressing', status: 'True', reason: 'NewReplicaSetCreated', message: '', lastUpdateTime: '2026-01-01T00:00:00Z', lastTransitionTime: '2026-01-01T00:00:00Z' };
    const d = deployment({ replicas: 2, progressDeadlineSeconds: 60 }, { status: { conditions: [started] } });
    const fresh = rs('web-abc', 2, { available: 0 });
    const moving = rolloutStatus(d, [fresh], fresh, now);
    const progressing = moving.conditions!.find((c) => c.type === 'Progressing')!;
    expect(progressing).toMatchObject({ status: 'True', reason: 'ReplicaSetUpdated', message: 'ReplicaSet "web-abc" is progressing.', lastTransitionTime: '2026-01-01T00:00:00Z', lastUpdateTime: '2026-01-01T00:10:00Z' });

    const stalled = deployment({ replicas: 2, progressDeadlineSeconds: 60 }, { status: { ...moving } });
    expect(progressCheckDelay(stalled, moving, now)).toBe(61_000);
    const late = rolloutStatus(stalled, [fresh], fresh, now + 61_000);
    expect(late.conditions!.find((c) => c.type === 'Progressing')).toMatchObject({ status: 'False', reason: 'ProgressDeadlineExceeded', message: 'ReplicaSet "web-abc" has timed out progressing.' });

    const done = rs('web-abc', 2);
    const complete = rolloutStatus(stalled, [done], done, now);
    expect(deploymentComplete(stalled, complete)).toBe(true);
    expect(complete.conditions!.find((c) => c.type === 'Progressing')).toMatchObject({ status: 'True', reason: 'NewReplicaSetAvailable', message: 'ReplicaSet "web-abc" has successfully progressed.' });
    // Conditions are appended in the order they change: Available, then Progressing.
    expect(complete.conditions!.map((c) => c.type)).toEqual(['Available', 'Progressing']);
    expect(progressCheckDelay(stalled, complete, now)).toBeUndefined();
  });

  it('a finished rollout whose pods later become unavailable has no deadline to check, however long ago it finished', () => {
    const finished = { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable', message: '', lastUpdateTime: '2026-01-01T00:00:00Z', lastTransitionTime: '2026-01-01T00:00:00Z' };
    const d = deployment({ replicas: 2, progressDeadlineSeconds: 60 }, { status: { conditions: [finished] } });
    const unready = rs('web-abc', 2, { available: 1 });
    const status = rolloutStatus(d, [unready], unready, now); // ten minutes after it finished
    expect(status.conditions!.find((c) => c.type === 'Progressing')).toMatchObject({ reason: 'NewReplicaSetAvailable' });
    expect(progressCheckDelay(d, status, now)).toBeUndefined();
  });

  it('a progress check is never sooner than in a second, even at or past the deadline', () => {
    const moving = (lastUpdateTime: string) => ({ type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated', message: '', lastUpdateTime, lastTransitionTime: lastUpdateTime });
    const fresh = rs('web-abc', 2, { available: 0 });
    const d = deployment({ replicas: 2, progressDeadlineSeconds: 60 }, { status: { conditions: [moving('2026-01-01T00:09:00Z')] } });
    expect(progressCheckDelay(d, rolloutStatus(d, [fresh], fresh, now), now)).toBe(1000); // the deadline is now
    expect(progressCheckDelay(d, {}, now - 500)).toBe(1500); // half a second before it: a second after it
    const longPast = deployment({ replicas: 2, progressDeadlineSeconds: 1 }, { status: { conditions: [moving('2026-01-01T00:00:00Z')] } });
    expect(progressCheckDelay(longPast, {}, now)).toBe(1000);
  });

  it('a pause and a resume show as Progressing Unknown, and not over a timeout', () => {
    const paused = pausedStatus(deployment({ paused: true }), now);
    expect(paused?.conditions).toMatchObject([{ type: 'Progressing', status: 'Unknown', reason: 'DeploymentPaused', message: 'Deployment is paused' }]);
    expect(pausedStatus(deployment({ paused: true }, { status: paused }), now)).toBeUndefined();
    expect(pausedStatus(deployment({ paused: false }, { status: paused }), now)?.conditions).toMatchObject([{ reason: 'DeploymentResumed', message: 'Deployment is resumed' }]);
    const timedOut = { conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' }] };
    expect(pausedStatus(deployment({ paused: true }, { status: timedOut }), now)).toBeUndefined();
  });
});

describe('creating the new ReplicaSet', () => {
  /** A Rollout whose client answers every create with `createError` and records the rest. */
  function rolloutFailingCreate(d: KubeObject, createError: Error, cached?: KubeObject) {
    const seen = { statuses: [] as KubeObject[], warnings: [] as string[] };
    const client = {
      create: async () => { throw createError; },
      update: async (path: string, obj: KubeObject) => {
        if (path.endsWith('/status')) seen.statuses.push(obj);
        return { ...obj, metadata: { ...obj.metadata, resourceVersion: '2' } };
      },
      patch: async (_path: string, patch: any) => ({ ...d, metadata: { ...d.metadata, ...patch.metadata } }),
    } as unknown as ApiClient;
    const events = { normal: () => undefined, warning: (_o: unknown, reason: string, message: string) => seen.warnings.push(`${reason}: ${message}`) } as unknown as EventRecorder;
    const rollout = new Rollout({ client, events, requeueAfter: () => undefined, cachedReplicaSet: () => cached }, d, () => Date.parse('2026-01-01T00:10:00Z'));
    return { rollout, seen };
  }
  const progressingOf = (status: DeploymentStatus | undefined) => status?.conditions?.find((c) => c.type === 'Progressing');

  it('a refused create (say, a quota: 403 Forbidden) is reported as ReplicaSetCreateError', async () => {
    const quota = new ApiStatusError(403, { reason: 'Forbidden', message: 'replicasets "web-abc" is forbidden: exceeded quota: pods' });
    const { rollout, seen } = rolloutFailingCreate(deployment(), quota);
    await expect(rollout.replicaSets([], true)).rejects.toBe(quota);
    expect(seen.warnings).toHaveLength(1);
    expect(seen.warnings[0]).toMatch(/^ReplicaSetCreateError: Failed to create new replica set "web-[a-z0-9]+": .*exceeded quota/);
    expect(progressingOf(seen.statuses[0]?.status)).toMatchObject({ status: 'False', reason: 'ReplicaSetCreateError' });
  });

  it('in a namespace being deleted, a refused create is not reported', async () => {
    const terminating = new ApiStatusError(403, {
      reason: 'Forbidden', message: 'unable to create new content in namespace default because it is being terminated',
      details: { causes: [{ reason: 'NamespaceTerminating', message: 'namespace default is being terminated', field: 'metadata.namespace' }] },
    });
    const { rollout, seen } = rolloutFailingCreate(deployment(), terminating);
    await expect(rollout.replicaSets([], true)).rejects.toBe(terminating);
    expect(seen).toEqual({ statuses: [], warnings: [] });
  });

  it('AlreadyExists: the ReplicaSet is ours only if we control it and it has our template; anything else is a hash collision', async () => {
    const d = deployment();
    const name = `web-${computeHash(d.spec.template)}`;
    const alreadyExists = () => new ApiStatusError(409, { reason: 'AlreadyExists', message: `replicasets.apps "${name}" already exists` });
    const existing = (ownerReferences: KubeObject['metadata']['ownerReferences']) => {
      const found = rs(name, 0);
      found.metadata.ownerReferences = ownerReferences;
      return found;
    };
    const ours = [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: 'd-uid', controller: true }];

    const mine = existing(ours);
    const found = rolloutFailingCreate(d, alreadyExists(), mine);
    expect((await found.rollout.replicaSets([], true)).newRS).toBe(mine);
    expect(found.seen.statuses.map((s) => s.status.collisionCount)).not.toContain(1);

    for (const orphanOrOther of [existing(undefined), existing([{ ...ours[0], uid: 'other-uid' }])]) {
      const collision = rolloutFailingCreate(d, alreadyExists(), orphanOrOther);
      await expect(collision.rollout.replicaSets([], true)).rejects.toThrow(/already exists/);
      expect(collision.seen.statuses.map((s) => s.status.collisionCount)).toEqual([1]);
    }
  });
});

describe('registration', () => {
  it('the controller manager knows it as deployment-controller, or deployment for short', () => {
    expect(selectControllers('deployment')).toEqual(['deployment-controller']);
    expect(selectControllers('*,-deployment')).not.toContain('deployment-controller');
  });
});
