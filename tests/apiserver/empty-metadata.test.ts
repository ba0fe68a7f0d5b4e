// ObjectMeta's maps and lists are `omitempty` in Kubernetes' Go types: an empty
// labels, annotations, ownerReferences or finalizers is neither stored nor shown,
// whether the client sent it empty or a patch emptied it.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApiServer } from '../support/apiserver.ts';

let api: Awaited<ReturnType<typeof startTestApiServer>>;
beforeAll(async () => {
  api = await startTestApiServer();
});
afterAll(() => api.stop());

const CONFIGMAPS = '/api/v1/namespaces/default/configmaps';
const MERGE = { 'Content-Type': 'application/merge-patch+json' };
const owner = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: '6c0f2f0e-0000-4000-8000-000000000001', controller: true };

describe('empty metadata maps and lists', () => {
  it('are dropped on create', async () => {
    const res = await api.request({
      method: 'POST', path: CONFIGMAPS,
      body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'bare', labels: {}, annotations: {}, ownerReferences: [], finalizers: [] } },
    });
    expect(res.status).toBe(201);
    const stored = (await api.request({ path: `${CONFIGMAPS}/bare` })).json;
    for (const field of ['labels', 'annotations', 'ownerReferences', 'finalizers']) expect(stored.metadata, field).not.toHaveProperty(field);
  });

  it('are dropped when a patch empties them, and kept while they hold something', async () => {
    const created = await api.request({
      method: 'POST', path: CONFIGMAPS,
      body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'owned', labels: { app: 'web' }, ownerReferences: [owner] } },
    });
    expect(created.json.metadata.ownerReferences).toHaveLength(1);
    const released = await api.request({ method: 'PATCH', path: `${CONFIGMAPS}/owned`, body: { metadata: { ownerReferences: [] } }, headers: MERGE });
    expect(released.status).toBe(200);
    expect(released.json.metadata).not.toHaveProperty('ownerReferences');
    expect(released.json.metadata.labels).toEqual({ app: 'web' });
  });
});
