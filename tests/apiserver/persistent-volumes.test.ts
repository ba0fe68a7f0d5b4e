// PersistentVolumes and PersistentVolumeClaims in the API server: defaults,
// validation on create and update, the protection finalizers, and the columns
// of `kubectl get pv` / `kubectl get pvc`.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApiServer } from '../support/apiserver.ts';

let api: Awaited<ReturnType<typeof startTestApiServer>>;
beforeAll(async () => {
  api = await startTestApiServer();
});
afterAll(() => api.stop());

const PVS = '/api/v1/persistentvolumes';
const PVCS = '/api/v1/namespaces/default/persistentvolumeclaims';
const TABLE = { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json' };

const pv = (name: string, spec: Record<string, unknown> = {}) => ({
  apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name },
  spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: `/tmp/${name}` }, ...spec },
});
const pvc = (name: string, spec: Record<string, unknown> = {}) => ({
  apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name },
  spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, ...spec },
});
const causes = (res: { json?: any }) => (res.json?.details?.causes ?? []).map((c: any) => `${c.field}: ${c.message}`);

describe('PersistentVolume', () => {
  it('defaults reclaim policy Retain, volumeMode Filesystem, hostPath type "", phase Pending, and the pv-protection finalizer', async () => {
    const res = await api.request({ method: 'POST', path: PVS, body: pv('defaults') });
    expect(res.status).toBe(201);
    expect(res.json.spec).toMatchObject({ persistentVolumeReclaimPolicy: 'Retain', volumeMode: 'Filesystem', hostPath: { type: '' } });
    expect(res.json.status).toEqual({ phase: 'Pending' });
    expect(res.json.metadata.finalizers).toEqual(['kubernetes.io/pv-protection']);
  });

  it('refuses a volume without capacity, access modes or a source, and unknown values', async () => {
    const res = await api.request({
      method: 'POST', path: PVS,
      body: { apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'empty' }, spec: { accessModes: ['ReadWriteSometimes'], persistentVolumeReclaimPolicy: 'Keep' } },
    });
    expect(res.status).toBe(422);
    expect(causes(res)).toEqual(expect.arrayContaining([
      'spec.accessModes: Unsupported value: "ReadWriteSometimes": supported values: "ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"',
      'spec.capacity: Required value',
      'spec.persistentVolumeReclaimPolicy: Unsupported value: "Keep": supported values: "Delete", "Recycle", "Retain"',
      'spec: Required value: must specify a volume type',
    ]));
    const two = await api.request({ method: 'POST', path: PVS, body: pv('two-sources', { nfs: { server: 'x', path: '/' }, accessModes: ['ReadWriteOncePod', 'ReadOnlyMany'] }) });
    expect(causes(two)).toEqual(expect.arrayContaining([
      'spec.nfs: Forbidden: may not specify more than 1 volume type',
      'spec.accessModes: Forbidden: may not use ReadWriteOncePod with other access modes',
    ]));
  });

  it('keeps its source and volumeMode once created; capacity and labels may change', async () => {
    const created = (await api.request({ method: 'POST', path: PVS, body: pv('fixed') })).json;
    const moved = await api.request({ method: 'PUT', path: `${PVS}/fixed`, body: { ...created, spec: { ...created.spec, hostPath: { path: '/tmp/elsewhere', type: '' } } } });
    expect(moved.status).toBe(422);
    expect(causes(moved)).toEqual(['spec.persistentvolumesource: Forbidden: spec.persistentvolumesource is immutable after creation']);
    const grown = await api.request({ method: 'PUT', path: `${PVS}/fixed`, body: { ...created, spec: { ...created.spec, capacity: { storage: '2Gi' } } } });
    expect(grown.status).toBe(200);
  });
});

describe('PersistentVolumeClaim', () => {
  it('defaults volumeMode Filesystem, phase Pending, and the pvc-protection finalizer', async () => {
    const res = await api.request({ method: 'POST', path: PVCS, body: pvc('defaults') });
    expect(res.status).toBe(201);
    expect(res.json.spec.volumeMode).toBe('Filesystem');
    expect(res.json.status).toEqual({ phase: 'Pending' });
    expect(res.json.metadata.finalizers).toEqual(['kubernetes.io/pvc-protection']);
  });

  it('needs access modes and a storage request', async () => {
    const res = await api.request({ method: 'POST', path: PVCS, body: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'bare' }, spec: {} } });
    expect(res.status).toBe(422);
    expect(causes(res)).toEqual(['spec.accessModes: Required value: at least 1 access mode is required', 'spec.resources[storage]: Required value']);
    const badClass = await api.request({ method: 'POST', path: PVCS, body: pvc('bad-class', { storageClassName: 'Fast_Disks' }) });
    expect(causes(badClass)[0]).toMatch(/^spec.storageClassName: Invalid value: "Fast_Disks": a lowercase RFC 1123 subdomain/);
  });

  it('keeps its spec once created, except that volumeName may be set once and a bound claim may grow', async () => {
    const created = (await api.request({ method: 'POST', path: PVCS, body: pvc('fixed') })).json;
    const changed = await api.request({ method: 'PUT', path: `${PVCS}/fixed`, body: { ...created, spec: { ...created.spec, accessModes: ['ReadWriteMany'] } } });
    expect(changed.status).toBe(422);
    expect(causes(changed)).toEqual(['spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims']);
    // Growing is for bound claims only.
    const grownEarly = await api.request({ method: 'PUT', path: `${PVCS}/fixed`, body: { ...created, spec: { ...created.spec, resources: { requests: { storage: '2Gi' } } } } });
    expect(grownEarly.status).toBe(422);

    const named = await api.request({ method: 'PUT', path: `${PVCS}/fixed`, body: { ...created, spec: { ...created.spec, volumeName: 'some-volume' } } });
    expect(named.status).toBe(200);
    const renamed = await api.request({ method: 'PUT', path: `${PVCS}/fixed`, body: { ...named.json, spec: { ...named.json.spec, volumeName: 'another' } } });
    expect(renamed.status).toBe(422);

    const bound = await api.request({ method: 'PUT', path: `${PVCS}/fixed/status`, body: { ...named.json, status: { phase: 'Bound', capacity: { storage: '1Gi' } } } });
    expect(bound.status).toBe(200);
    const grown = await api.request({ method: 'PUT', path: `${PVCS}/fixed`, body: { ...bound.json, spec: { ...bound.json.spec, resources: { requests: { storage: '2Gi' } } } } });
    expect(grown.status).toBe(200);
    const shrunk = await api.request({ method: 'PUT', path: `${PVCS}/fixed`, body: { ...grown.json, spec: { ...grown.json.spec, resources: { requests: { storage: '512Mi' } } } } });
    expect(causes(shrunk)).toEqual(['spec.resources.requests.storage: Forbidden: field can not be less than status.capacity']);
  });
});

describe('kubectl get pv / pvc columns', () => {
  it('prints the volume columns, access modes in Kubernetes order', async () => {
    await api.request({ method: 'POST', path: PVS, body: pv('table-pv', { accessModes: ['ReadWriteMany', 'ReadWriteOnce'], storageClassName: 'fast' }) });
    const res = await api.request({ path: PVS, headers: TABLE });
    expect(res.json.columnDefinitions.filter((c: any) => c.priority === 0).map((c: any) => c.name)).toEqual([
      'Name', 'Capacity', 'Access Modes', 'Reclaim Policy', 'Status', 'Claim', 'StorageClass', 'VolumeAttributesClass', 'Reason', 'Age',
    ]);
    const row = res.json.rows.find((r: any) => r.cells[0] === 'table-pv');
    expect(row.cells.slice(0, 9)).toEqual(['table-pv', '1Gi', 'RWO,RWX', 'Retain', 'Pending', '', 'fast', '<unset>', '']);
  });

  it('prints the claim columns, with no capacity before the claim is bound', async () => {
    await api.request({ method: 'POST', path: PVCS, body: pvc('table-pvc') });
    const res = await api.request({ path: PVCS, headers: TABLE });
    expect(res.json.columnDefinitions.filter((c: any) => c.priority === 0).map((c: any) => c.name)).toEqual([
      'Name', 'Status', 'Volume', 'Capacity', 'Access Modes', 'StorageClass', 'VolumeAttributesClass', 'Age',
    ]);
    const row = res.json.rows.find((r: any) => r.cells[0] === 'table-pvc');
    expect(row.cells.slice(0, 7)).toEqual(['table-pvc', 'Pending', '', '', '', '', '<unset>']);
  });
});
