// The PersistentVolume binder and the storage protection controllers against an
// in-process API server: binding, waiting, releasing, reclaiming, finishing a
// bind that stopped halfway, and the protection finalizers.

import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../reference/src/api/types.ts';
import { isNotFound } from '../../reference/src/client/api-client.ts';
import { EVENTS, PERSISTENT_VOLUMES, PERSISTENT_VOLUME_CLAIMS, PODS, resourcePath } from '../../reference/src/client/paths.ts';
import { PersistentVolumeBinderController } from '../../reference/src/controllers/persistentvolume/binder-controller.ts';
import { PvProtectionController } from '../../reference/src/controllers/volumeprotection/pv-protection-controller.ts';
import { PvcProtectionController } from '../../reference/src/controllers/volumeprotection/pvc-protection-controller.ts';
import { startTestApiServer } from '../support/apiserver.ts';
import { runControllers, until } from '../support/controllers.ts';

let api: Awaited<ReturnType<typeof startTestApiServer>>;
let manager: Awaited<ReturnType<typeof runControllers>>;
beforeAll(async () => {
  api = await startTestApiServer();
  manager = await runControllers(api.endpoint, [
    (ctx) => new PersistentVolumeBinderController(ctx), (ctx) => new PvcProtectionController(ctx), (ctx) => new PvProtectionController(ctx),
  ]);
});
afterAll(async () => {
  manager.stop();
  await api.stop();
});

let serial = 0;
const unique = (prefix: string) => `${prefix}-${++serial}-${process.pid}`;
const client = () => manager.client;
const pvPath = (name?: string) => resourcePath(PERSISTENT_VOLUMES, undefined, name);
const pvcPath = (ns: string, name?: string) => resourcePath(PERSISTENT_VOLUME_CLAIMS, ns, name);

function pvManifest(name: string, storage: string, opts: { modes?: string[]; class?: string; policy?: string; path?: string; claimRef?: any } = {}) {
  return {
    apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name },
    spec: {
      capacity: { storage }, accessModes: opts.modes ?? ['ReadWriteOnce'], persistentVolumeReclaimPolicy: opts.policy,
      storageClassName: opts.class, hostPath: { path: opts.path ?? `/tmp/${name}` }, claimRef: opts.claimRef,
    },
  };
}

function pvcManifest(name: string, storage: string, opts: { modes?: string[]; class?: string; volumeName?: string } = {}) {
  return {
    apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name },
    spec: { accessModes: opts.modes ?? ['ReadWriteOnce'], resources: { requests: { storage } }, storageClassName: opts.class, volumeName: opts.volumeName },
  };
}

async function get(path: string): Promise<KubeObject | undefined> {
  try {
    return await client().get(path);
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

async function untilPhase(path: string, phase: string, timeoutMs = 5000): Promise<KubeObject> {
  return until(`${path} ${phase}`, async () => {
    const obj = await get(path);
    return obj?.status?.phase === phase ? obj : undefined;
  }, timeoutMs);
}

/** A namespace of its own, and PVs named after the test, so tests do not pick each other's volumes. */
async function namespace(): Promise<string> {
  const name = unique('pv-test');
  await client().create(resourcePath({ group: '', version: 'v1', plural: 'namespaces' }), { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  return name;
}

describe('PersistentVolume binder', () => {
  it('binds a claim to the smallest volume that fits, both ways, and reports capacity and access modes', async () => {
    const ns = await namespace();
    const cls = unique('smallest');
    const big = unique('big');
    const small = unique('small');
    const wrongMode = unique('rwx');
    await client().create(pvPath(), pvManifest(big, '5Gi', { class: cls }));
    await client().create(pvPath(), pvManifest(small, '2Gi', { class: cls }));
    await client().create(pvPath(), pvManifest(wrongMode, '1Gi', { class: cls, modes: ['ReadWriteMany'] }));
    const claim = await client().create(pvcPath(ns), pvcManifest('data', '1Gi', { class: cls }));

    const bound = await untilPhase(pvcPath(ns, 'data'), 'Bound');
    expect(bound.spec.volumeName).toBe(small);
    expect(bound.status).toMatchObject({ capacity: { storage: '2Gi' }, accessModes: ['ReadWriteOnce'] });
    expect(bound.metadata.annotations).toMatchObject({ 'pv.kubernetes.io/bind-completed': 'yes', 'pv.kubernetes.io/bound-by-controller': 'yes' });
    expect(bound.metadata.finalizers).toEqual(['kubernetes.io/pvc-protection']);

    const volume = await untilPhase(pvPath(small), 'Bound');
    expect(volume.spec.claimRef).toMatchObject({ kind: 'PersistentVolumeClaim', apiVersion: 'v1', namespace: ns, name: 'data', uid: claim.metadata.uid });
    expect(volume.spec.claimRef.resourceVersion).toBeTruthy();
    expect(volume.metadata.annotations).toMatchObject({ 'pv.kubernetes.io/bound-by-controller': 'yes' });
    expect(volume.metadata.finalizers).toEqual(['kubernetes.io/pv-protection']);
    expect((await untilPhase(pvPath(big), 'Available')).spec.claimRef).toBeUndefined();
    expect((await untilPhase(pvPath(wrongMode), 'Available')).spec.claimRef).toBeUndefined();
  });

  it('leaves a claim Pending with a FailedBinding event while nothing fits, and binds it when a volume appears', async () => {
    const ns = await namespace();
    await client().create(pvcPath(ns), pvcManifest('waiting', '3Gi'));
    const event = await until('a FailedBinding event', async () => {
      const list = await client().get<{ items: any[] }>(resourcePath(EVENTS, ns));
      return list.items.find((e) => e.reason === 'FailedBinding' && e.involvedObject.name === 'waiting');
    });
    expect(event).toMatchObject({ type: 'Normal', message: 'no persistent volumes available for this claim and no storage class is set', source: { component: 'persistentvolume-controller' } });
    expect((await get(pvcPath(ns, 'waiting')))?.status?.phase).toBe('Pending');

    const later = unique('later');
    await client().create(pvPath(), pvManifest(later, '3Gi'));
    const bound = await untilPhase(pvcPath(ns, 'waiting'), 'Bound');
    expect(bound.spec.volumeName).toBe(later);
  });

  it('honours a claim that names its volume and a volume reserved for a claim', async () => {
    const ns = await namespace();
    const named = unique('named');
    await client().create(pvPath(), pvManifest(named, '1Gi'));
    await client().create(pvcPath(ns), pvcManifest('by-name', '1Gi', { volumeName: named }));
    expect((await untilPhase(pvcPath(ns, 'by-name'), 'Bound')).spec.volumeName).toBe(named);

    const reserved = unique('reserved');
    await client().create(pvPath(), pvManifest(reserved, '8Gi', { claimRef: { namespace: ns, name: 'by-ref' } }));
    await client().create(pvPath(), pvManifest(unique('closer-fit'), '1Gi'));
    await client().create(pvcPath(ns), pvcManifest('by-ref', '1Gi'));
    const bound = await untilPhase(pvcPath(ns, 'by-ref'), 'Bound');
    expect(bound.spec.volumeName).toBe(reserved);
    // Reserved by its creator, so not bound by the controller.
    const volume = await untilPhase(pvPath(reserved), 'Bound');
    expect(volume.metadata.annotations?.['pv.kubernetes.io/bound-by-controller']).toBeUndefined();
  });

  it('finishes a bind that stopped after the volume was written, even when a smaller volume fits', async () => {
    const ns = await namespace();
    const cls = unique('halfway');
    const claim = await client().create(pvcPath(ns), pvcManifest('halfway', '1Gi', { class: cls }));
    // The controller manager stopped right after write 1: the volume points at the claim, the claim at nothing.
    const half = unique('half');
    const claimRef = { kind: 'PersistentVolumeClaim', apiVersion: 'v1', namespace: ns, name: 'halfway', uid: claim.metadata.uid };
    await client().create(pvPath(), {
      ...pvManifest(half, '4Gi', { class: cls, claimRef }),
      metadata: { name: half, annotations: { 'pv.kubernetes.io/bound-by-controller': 'yes' } },
    });
    await client().create(pvPath(), pvManifest(unique('smaller'), '1Gi', { class: cls }));
    const bound = await untilPhase(pvcPath(ns, 'halfway'), 'Bound');
    expect(bound.spec.volumeName).toBe(half);
    expect((await untilPhase(pvPath(half), 'Bound')).spec.claimRef.uid).toBe(claim.metadata.uid);
  });

  it('releases a Retain volume when its claim goes, keeps its claimRef, and does not give it to a new claim of the same name', async () => {
    const ns = await namespace();
    const kept = unique('kept');
    const cls = unique('retain');
    await client().create(pvPath(), pvManifest(kept, '1Gi', { class: cls }));
    const first = await client().create(pvcPath(ns), pvcManifest('data', '1Gi', { class: cls }));
    await untilPhase(pvcPath(ns, 'data'), 'Bound');
    await client().delete(pvcPath(ns, 'data'));
    const released = await untilPhase(pvPath(kept), 'Released');
    expect(released.spec.claimRef).toMatchObject({ name: 'data', namespace: ns, uid: first.metadata.uid });

    await client().create(pvcPath(ns), pvcManifest('data', '1Gi', { class: cls }));
    await new Promise((r) => setTimeout(r, 300));
    expect((await get(pvcPath(ns, 'data')))?.status?.phase).toBe('Pending');
    expect((await get(pvPath(kept)))?.status?.phase).toBe('Released');
  });

  it('with reclaim policy Delete removes the data under /tmp and the volume; elsewhere the volume is Failed', async () => {
    const ns = await namespace();
    const dir = mkdtempSync('/tmp/kubelab-pv-test-');
    writeFileSync(join(dir, 'data.txt'), 'bye');
    const deleted = unique('deleted');
    await client().create(pvPath(), pvManifest(deleted, '1Gi', { policy: 'Delete', path: dir, class: 'reclaim' }));
    await client().create(pvcPath(ns), pvcManifest('gone', '1Gi', { class: 'reclaim' }));
    await untilPhase(pvcPath(ns, 'gone'), 'Bound');
    await client().delete(pvcPath(ns, 'gone'));
    await until('the volume gone', async () => ((await get(pvPath(deleted))) ? undefined : true));
    expect(existsSync(dir)).toBe(false);

    const outside = unique('outside');
    await client().create(pvPath(), pvManifest(outside, '1Gi', { policy: 'Delete', path: '/var/kubelab-never-made/data', class: 'reclaim' }));
    await client().create(pvcPath(ns), pvcManifest('stays', '1Gi', { class: 'reclaim' }));
    await untilPhase(pvcPath(ns, 'stays'), 'Bound');
    await client().delete(pvcPath(ns, 'stays'));
    const failed = await untilPhase(pvPath(outside), 'Failed');
    expect(failed.status.message).toBe('host_path deleter only supports /tmp/.+ but received provided /var/kubelab-never-made/data');
  });

  it('marks a bound claim Lost when its volume is deleted', async () => {
    const ns = await namespace();
    const lost = unique('lost');
    await client().create(pvPath(), pvManifest(lost, '1Gi', { class: 'lost' }));
    await client().create(pvcPath(ns), pvcManifest('orphan', '1Gi', { class: 'lost' }));
    await untilPhase(pvcPath(ns, 'orphan'), 'Bound');
    // Remove the volume for good: drop its finalizer first, as an administrator forcing it would.
    await client().patch(pvPath(lost), { metadata: { finalizers: null } });
    await client().delete(pvPath(lost));
    await untilPhase(pvcPath(ns, 'orphan'), 'Lost');
  });
});

describe('storage object in use protection', () => {
  it('keeps a claim that a scheduled pod mounts until the pod is gone, and a Bound volume until it is released', async () => {
    const ns = await namespace();
    const used = unique('used');
    await client().create(pvPath(), pvManifest(used, '1Gi', { class: 'protect' }));
    await client().create(pvcPath(ns), pvcManifest('used', '1Gi', { class: 'protect' }));
    await untilPhase(pvcPath(ns, 'used'), 'Bound');
    await client().create(resourcePath(PODS, ns), {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'user' },
      spec: { nodeName: 'node-1', containers: [{ name: 'c', image: 'kubelab/web:1' }], volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'used' } }] },
    });

    await client().delete(pvPath(used));
    await client().delete(pvcPath(ns, 'used'));
    await new Promise((r) => setTimeout(r, 300));
    const claim = await get(pvcPath(ns, 'used'));
    expect(claim?.metadata.deletionTimestamp).toBeTruthy();
    expect(claim?.metadata.finalizers).toEqual(['kubernetes.io/pvc-protection']);
    expect((await get(pvPath(used)))?.metadata.deletionTimestamp).toBeTruthy();

    await client().delete(resourcePath(PODS, ns, 'user'), { gracePeriodSeconds: 0 });
    await until('the claim gone', async () => ((await get(pvcPath(ns, 'used'))) ? undefined : true));
    // Released once its claim went, then no longer protected.
    await until('the volume gone', async () => ((await get(pvPath(used))) ? undefined : true));
  });
});
