// What the volumes checks share: PersistentVolumes with names and a storage
// class of the check's own, claims, waiting for a phase, and a folder for a
// hostPath volume.
//
// PersistentVolumes belong to no namespace, so checks running at the same
// time would take each other's volumes: every check puts its volumes and its
// claims in a storage class of its own (a class name needs no StorageClass
// object to bind volumes that were made by hand), and deletes its volumes when
// it ends.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { plain, statusOf, type CheckContext } from '../../lib/context.ts';
import { unique } from '../api/support.ts';

export { unique };

export const CITES_PV = 'https://kubernetes.io/docs/concepts/storage/persistent-volumes/';
export const CITES_BINDER = 'https://github.com/kubernetes/kubernetes/blob/master/pkg/controller/volume/persistentvolume/pv_controller.go';

/** A storage class name for this check alone. */
export function storageClass(): string {
  return unique('kubelab-class');
}

export interface VolumeOptions {
  storage: string;
  storageClassName: string;
  accessModes?: string[];
  /** A folder on the nodes; a path nothing uses by default, since binding never touches it. */
  path?: string;
  reclaimPolicy?: 'Retain' | 'Delete';
}

/** Creates a hostPath PersistentVolume with a unique name, deleted when the check ends; returns its name. */
export async function createVolume(t: CheckContext, prefix: string, o: VolumeOptions): Promise<string> {
  const name = unique(`kubelab-${prefix}`);
  const path = o.path ?? `/tmp/${name}`;
  t.step(`create PersistentVolume ${name} (${o.storage}, ${(o.accessModes ?? ['ReadWriteOnce']).join(',')}, class ${o.storageClassName}, hostPath ${path})`);
  await t.core.createPersistentVolume({
    body: {
      metadata: { name },
      spec: {
        capacity: { storage: o.storage }, accessModes: o.accessModes ?? ['ReadWriteOnce'], storageClassName: o.storageClassName,
        persistentVolumeReclaimPolicy: o.reclaimPolicy ?? 'Retain', hostPath: { path, type: 'DirectoryOrCreate' },
      },
    },
  });
  t.onCleanup(() => t.core.deletePersistentVolume({ name }));
  return name;
}

export async function createClaim(t: CheckContext, namespace: string, name: string, storage: string, storageClassName: string, accessModes = ['ReadWriteOnce']): Promise<any> {
  t.step(`create PersistentVolumeClaim ${name} (${storage}, ${accessModes.join(',')}, class ${storageClassName})`);
  return plain(await t.core.createNamespacedPersistentVolumeClaim({
    namespace, body: { metadata: { name }, spec: { accessModes, storageClassName, resources: { requests: { storage } } } },
  }));
}

export async function readClaim(t: CheckContext, namespace: string, name: string): Promise<any> {
  return plain(await t.core.readNamespacedPersistentVolumeClaim({ name, namespace }));
}

export async function readVolume(t: CheckContext, name: string): Promise<any> {
  return plain(await t.core.readPersistentVolume({ name }));
}

/** Waits until the claim has the phase; fails showing the claim as last seen. */
export async function untilClaimPhase(t: CheckContext, namespace: string, name: string, phase: string, timeoutMs = 20_000): Promise<any> {
  let last: any;
  return t.eventually(`PersistentVolumeClaim ${name} ${phase}`, async () => {
    last = await readClaim(t, namespace, name);
    return last?.status?.phase === phase ? last : undefined;
  }, { timeoutMs, seen: () => `phase ${last?.status?.phase ?? '(none)'}, volumeName ${JSON.stringify(last?.spec?.volumeName)}; claim: ${JSON.stringify(last)}` });
}

/** Waits until the volume has the phase; fails showing the volume as last seen. */
export async function untilVolumePhase(t: CheckContext, name: string, phase: string, timeoutMs = 20_000): Promise<any> {
  let last: any;
  return t.eventually(`PersistentVolume ${name} ${phase}`, async () => {
    last = await readVolume(t, name);
    return last?.status?.phase === phase ? last : undefined;
  }, { timeoutMs, seen: () => `phase ${last?.status?.phase ?? '(none)'}, claimRef ${JSON.stringify(last?.spec?.claimRef)}; volume: ${JSON.stringify(last)}` });
}

/** Waits until the claim is gone (its protection finalizer removed once no pod uses it). */
export async function untilClaimGone(t: CheckContext, namespace: string, name: string, timeoutMs = 20_000): Promise<void> {
  await t.eventually(`PersistentVolumeClaim ${name} gone after DELETE`, async () => {
    try {
      await t.core.readNamespacedPersistentVolumeClaim({ name, namespace });
      return undefined;
    } catch (err) {
      return statusOf(err).code === 404 ? true : undefined;
    }
  }, { timeoutMs, seen: async () => JSON.stringify(await readClaim(t, namespace, name).catch((e) => statusOf(e))) });
}

/**
 * A folder for a hostPath volume that the cluster's nodes share with this
 * process: a cluster the harness started runs its nodes on this machine. A
 * cluster reached through a kubeconfig may not, so the check is skipped there.
 * The folder is removed when the check ends.
 */
export function sharedFolder(t: CheckContext): string {
  if (t.cluster.driver === 'kubeconfig') {
    t.skip('needs a hostPath folder that every node and this process share: a cluster reached through a kubeconfig may run its nodes elsewhere');
  }
  if (t.cluster.driver !== 'process') {
    t.skip(`needs a hostPath folder that every node and this process share: the ${t.cluster.driver} driver's nodes have file systems of their own`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'kubelab-volumes-'));
  t.onCleanup(async () => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 'data');
}
