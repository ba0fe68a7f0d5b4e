// persistentVolumeClaim volumes in the node agent: claim → bound volume → the
// volume's folder on the machine, with the kubelet's messages when it cannot.

import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../reference/src/api/types.ts';
import { ApiStatusError, type ApiClient } from '../../reference/src/client/api-client.ts';
import { setUpClaimVolume } from '../../reference/src/kubelet/pods/claim-volumes.ts';

const root = mkdtempSync(join(tmpdir(), 'kubelab-claim-volumes-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A client that answers GETs from a map of paths, 404 otherwise. */
function fakeClient(objects: Record<string, KubeObject>): { client: ApiClient } {
  const client = {
    async get(path: string) {
      const obj = objects[path];
      if (!obj) throw new ApiStatusError(404, { message: `${path.split('/').at(-2)} "${path.split('/').at(-1)}" not found`, reason: 'NotFound' });
      return obj;
    },
  };
  return { client: client as unknown as ApiClient };
}

const pod: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'app', namespace: 'shop', uid: 'pod-uid' }, spec: {} };
const claimPath = '/api/v1/namespaces/shop/persistentvolumeclaims/data';
const volumePath = '/api/v1/persistentvolumes/pv-1';

function claim(phase = 'Bound', extra: Record<string, unknown> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data', namespace: 'shop', uid: 'claim-uid', ...extra }, spec: { volumeName: 'pv-1' }, status: { phase } };
}

function volume(path: string, claimUid = 'claim-uid', type = ''): KubeObject {
  return { apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'pv-1' }, spec: { hostPath: { path, type }, claimRef: { namespace: 'shop', name: 'data', uid: claimUid } } };
}

describe('setUpClaimVolume', () => {
  it('gives the bound volume\'s hostPath folder, made when missing, and the same folder on every node', async () => {
    const folder = join(root, 'shared', 'data');
    const ctx = fakeClient({ [claimPath]: claim(), [volumePath]: volume(folder) });
    expect(await setUpClaimVolume(pod, { claimName: 'data' }, ctx)).toBe(folder);
    expect(existsSync(folder)).toBe(true);
    writeFileSync(join(folder, 'kept.txt'), 'still here');
    expect(await setUpClaimVolume({ ...pod, metadata: { ...pod.metadata, uid: 'replacement' } }, { claimName: 'data' }, ctx)).toBe(folder);
    expect(existsSync(join(folder, 'kept.txt'))).toBe(true);
  });

  it('says why a claim cannot be used, as the kubelet does', async () => {
    const folder = join(root, 'never');
    const attempt = (objects: Record<string, KubeObject>) => setUpClaimVolume(pod, { claimName: 'data' }, fakeClient(objects));
    await expect(attempt({})).rejects.toThrow('error processing PVC shop/data: failed to fetch PVC from API server: persistentvolumeclaims "data" not found');
    await expect(attempt({ [claimPath]: claim('Pending') })).rejects.toThrow('error processing PVC shop/data: PVC is not bound');
    await expect(attempt({ [claimPath]: claim('Bound', { deletionTimestamp: '2026-01-01T00:00:00Z' }) })).rejects.toThrow('error processing PVC shop/data: PVC is being deleted');
    await expect(attempt({ [claimPath]: claim(), [volumePath]: volume(folder, 'older-claim') })).rejects.toThrow(
      'error processing PVC shop/data: found PV object pv-1 but its pv.Spec.ClaimRef.UID older-claim does not point to claim.UID claim-uid');
    await expect(attempt({ [claimPath]: claim(), [volumePath]: volume(folder, 'claim-uid', 'Directory') })).rejects.toThrow(`hostPath type check failed: ${folder} is not a directory`);
    expect(existsSync(folder)).toBe(false);
  });
});
