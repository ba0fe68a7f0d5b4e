// Which volume a claim gets (the binder's matching rules, without any API).

import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../reference/src/api/types.ts';
import { findMatchingVolume, volumeMismatch } from '../../reference/src/controllers/persistentvolume/matching.ts';

function pv(name: string, storage: string, opts: { modes?: string[]; class?: string; labels?: Record<string, string>; phase?: string; claimRef?: any; volumeMode?: string; deleting?: boolean } = {}): KubeObject {
  return {
    apiVersion: 'v1', kind: 'PersistentVolume',
    metadata: { name, labels: opts.labels, ...(opts.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
    spec: {
      capacity: { storage }, accessModes: opts.modes ?? ['ReadWriteOnce'], storageClassName: opts.class,
      claimRef: opts.claimRef, volumeMode: opts.volumeMode ?? 'Filesystem', hostPath: { path: `/tmp/${name}` },
    },
    status: { phase: opts.phase ?? 'Available' },
  };
}

function pvc(storage: string, opts: { modes?: string[]; class?: string; selector?: any; volumeMode?: string } = {}): KubeObject {
  return {
    apiVersion: 'v1', kind: 'PersistentVolumeClaim',
    metadata: { name: 'data', namespace: 'shop', uid: 'claim-uid' },
    spec: {
      accessModes: opts.modes ?? ['ReadWriteOnce'], resources: { requests: { storage } },
      storageClassName: opts.class, selector: opts.selector, volumeMode: opts.volumeMode ?? 'Filesystem',
    },
  };
}

const name = (v: KubeObject | undefined) => v?.metadata.name;

describe('findMatchingVolume', () => {
  it('takes the smallest volume that is big enough, comparing quantities rather than strings', () => {
    const volumes = [pv('ten-gi', '10Gi'), pv('two-gi', '2Gi'), pv('too-small', '1000Mi'), pv('bytes', '1100000000')];
    expect(name(findMatchingVolume(pvc('1Gi'), volumes))).toBe('bytes'); // 1.1e9 bytes ≥ 1Gi (1073741824)
    expect(name(findMatchingVolume(pvc('1.5Gi'), volumes))).toBe('two-gi');
    expect(findMatchingVolume(pvc('20Gi'), volumes)).toBeUndefined();
  });

  it('needs every requested access mode, and prefers volumes with fewer extra modes', () => {
    const volumes = [pv('rwo', '1Gi', { modes: ['ReadWriteOnce'] }), pv('rwx', '5Gi', { modes: ['ReadWriteMany'] }), pv('both', '1Gi', { modes: ['ReadWriteOnce', 'ReadOnlyMany'] })];
    expect(name(findMatchingVolume(pvc('1Gi', { modes: ['ReadWriteMany'] }), volumes))).toBe('rwx');
    expect(name(findMatchingVolume(pvc('1Gi', { modes: ['ReadWriteOnce', 'ReadOnlyMany'] }), volumes))).toBe('both');
    // Both fit a ReadWriteOnce claim; the one that offers only what was asked for wins (the index searches smaller mode sets first).
    expect(name(findMatchingVolume(pvc('1Gi'), [pv('both', '1Gi', { modes: ['ReadWriteOnce', 'ReadOnlyMany'] }), pv('rwo-big', '9Gi')]))).toBe('rwo-big');
    expect(findMatchingVolume(pvc('1Gi', { modes: ['ReadWriteOncePod'] }), volumes)).toBeUndefined();
  });

  it('matches storage classes exactly: a claim without a class only gets a volume without one', () => {
    const volumes = [pv('fast', '1Gi', { class: 'fast' }), pv('plain', '5Gi')];
    expect(name(findMatchingVolume(pvc('1Gi'), volumes))).toBe('plain');
    expect(name(findMatchingVolume(pvc('1Gi', { class: 'fast' }), volumes))).toBe('fast');
    expect(findMatchingVolume(pvc('1Gi', { class: 'slow' }), volumes)).toBeUndefined();
    expect(findMatchingVolume(pvc('1Gi'), [pv('fast', '1Gi', { class: 'fast' })])).toBeUndefined();
  });

  it('applies the claim selector to the volume labels', () => {
    const volumes = [pv('ssd', '5Gi', { labels: { disk: 'ssd' } }), pv('hdd', '1Gi', { labels: { disk: 'hdd' } })];
    expect(name(findMatchingVolume(pvc('1Gi', { selector: { matchLabels: { disk: 'ssd' } } }), volumes))).toBe('ssd');
    expect(name(findMatchingVolume(pvc('1Gi', { selector: { matchExpressions: [{ key: 'disk', operator: 'In', values: ['hdd'] }] } }), volumes))).toBe('hdd');
    expect(name(findMatchingVolume(pvc('1Gi', { selector: {} }), volumes))).toBe('hdd'); // an empty selector selects every volume
  });

  it('skips volumes that are not Available, are being deleted, belong to another claim or have another volumeMode', () => {
    const taken = { kind: 'PersistentVolumeClaim', namespace: 'shop', name: 'other', uid: 'other-uid' };
    const volumes = [
      pv('pending', '1Gi', { phase: 'Pending' }), pv('released', '1Gi', { phase: 'Released', claimRef: { ...taken, name: 'data', uid: 'old-uid' } }),
      pv('deleting', '1Gi', { deleting: true }), pv('taken', '1Gi', { claimRef: taken, phase: 'Bound' }), pv('block', '1Gi', { volumeMode: 'Block' }),
    ];
    expect(findMatchingVolume(pvc('1Gi'), volumes)).toBeUndefined();
    expect(name(findMatchingVolume(pvc('1Gi', { volumeMode: 'Block' }), volumes))).toBe('block');
  });

  it('prefers a volume pre-bound to the claim, by name or by uid, even when it is bigger or not Available yet', () => {
    const reserved = pv('reserved', '10Gi', { phase: 'Pending', claimRef: { namespace: 'shop', name: 'data' } });
    expect(name(findMatchingVolume(pvc('1Gi'), [pv('small', '1Gi'), reserved]))).toBe('reserved');
    const halfBound = pv('half', '10Gi', { phase: 'Bound', claimRef: { namespace: 'shop', name: 'data', uid: 'claim-uid' } });
    expect(name(findMatchingVolume(pvc('1Gi'), [pv('small', '1Gi'), halfBound]))).toBe('half');
  });
});

describe('volumeMismatch (a claim that names its volume)', () => {
  it('says why the named volume does not do', () => {
    expect(volumeMismatch(pv('v', '1Gi'), pvc('2Gi'))).toBe('requested PV is too small');
    expect(volumeMismatch(pv('v', '1Gi', { class: 'fast' }), pvc('1Gi'))).toBe('storageClassName does not match');
    expect(volumeMismatch(pv('v', '1Gi', { modes: ['ReadOnlyMany'] }), pvc('1Gi'))).toBe('incompatible accessMode');
    expect(volumeMismatch(pv('v', '1Gi', { labels: { a: 'b' } }), pvc('1Gi', { selector: { matchLabels: { a: 'c' } } }))).toBeUndefined();
  });
});
