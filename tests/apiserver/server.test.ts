// The API server over HTTP: discovery documents, tables, size limits, malformed
// input, and the promise that bad input never changes stored data.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApiServer } from '../support/apiserver.ts';

let api: Awaited<ReturnType<typeof startTestApiServer>>;
beforeAll(async () => {
  api = await startTestApiServer();
});
afterAll(() => api.stop());

const PODS = '/api/v1/namespaces/default/pods';
const pod = (name: string, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'kubelab/web:1' }] }, ...extra,
});

describe('discovery', () => {
  it('serves aggregated discovery when kubectl asks for it', async () => {
    const res = await api.request({ path: '/apis', headers: { Accept: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json' } });
    expect(res.headers['content-type']).toBe('application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList');
    const apps = res.json.items.find((g: any) => g.metadata.name === 'apps');
    const deployments = apps.versions[0].resources.find((r: any) => r.resource === 'deployments');
    expect(deployments.shortNames).toEqual(['deploy']);
    expect(deployments.categories).toEqual(['all']);
    expect(deployments.subresources.map((s: any) => s.subresource).sort()).toEqual(['scale', 'status']);
  });

  it('lists pods/eviction as policy/v1 Eviction in the legacy /api/v1 document (kubectl drain needs it)', async () => {
    const res = await api.request({ path: '/api/v1' });
    const eviction = res.json.resources.find((r: any) => r.name === 'pods/eviction');
    expect(eviction).toMatchObject({ group: 'policy', version: 'v1', kind: 'Eviction' });
    expect(res.json.resources.find((r: any) => r.name === 'pods').shortNames).toEqual(['po']);
  });

  it('answers /version with a v1.32 gitVersion without a token', async () => {
    const res = await api.request({ path: '/version', token: null });
    expect(res.status).toBe(200);
    expect(res.json.gitVersion).toMatch(/^v1\.32\./);
  });
});

describe('tables', () => {
  it('prints pods with the columns kubectl shows, and a PartialObjectMetadata per row', async () => {
    await api.request({ method: 'POST', path: PODS, body: pod('table-pod') });
    const res = await api.request({ path: PODS, headers: { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json' } });
    expect(res.json.kind).toBe('Table');
    expect(res.json.columnDefinitions.filter((c: any) => c.priority === 0).map((c: any) => c.name)).toEqual(['Name', 'Ready', 'Status', 'Restarts', 'Age']);
    const row = res.json.rows.find((r: any) => r.cells[0] === 'table-pod');
    expect(row.cells.slice(1, 4)).toEqual(['0/1', 'Pending', '0']);
    expect(row.object).toMatchObject({ kind: 'PartialObjectMetadata', metadata: { namespace: 'default' } });
  });
});

describe('bad input', () => {
  it('refuses a body over 3 MiB with 413 and keeps serving', async () => {
    const big = pod('big', { metadata: { name: 'big', annotations: { a: 'x'.repeat(3 * 1024 * 1024 + 10) } } });
    const res = await api.request({ method: 'POST', path: PODS, body: big });
    expect(res.status).toBe(413);
    expect(res.json.reason).toBe('RequestEntityTooLarge');
    expect((await api.request({ path: '/api/v1/namespaces/default/pods/big' })).status).toBe(404);
  });

  it('answers malformed JSON, YAML and protobuf with 400 Status objects', async () => {
    for (const [contentType, body] of [
      ['application/json', '{"kind": "Pod", '],
      ['application/yaml', 'kind: [unclosed'],
      ['application/vnd.kubernetes.protobuf', Buffer.from('not protobuf at all')],
      ['application/json', '[1, 2, 3]'],
      ['application/json', 'null'],
    ] as const) {
      const res = await api.request({ method: 'POST', path: PODS, body, headers: { 'Content-Type': contentType } });
      expect(res.status, `${contentType}: ${String(body).slice(0, 20)}`).toBe(400);
      expect(res.json).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'BadRequest' });
    }
  });

  it('answers an unknown content type with 415 and unknown paths with 404', async () => {
    expect((await api.request({ method: 'POST', path: PODS, body: 'x', headers: { 'Content-Type': 'text/plain' } })).status).toBe(415);
    expect((await api.request({ path: '/api/v1/widgets' })).status).toBe(404);
    expect((await api.request({ path: '/apis/nope/v1/things' })).status).toBe(404);
    expect((await api.request({ path: '/api/v1/namespaces/default/pods/x/y/z' })).status).toBe(404);
    expect((await api.request({ method: 'POST', path: '/api/v1/namespaces/default/pods/x' })).status).toBe(405);
  });

  it('never changes a stored object when an update is rejected', async () => {
    const created = (await api.request({ method: 'POST', path: PODS, body: pod('kept') })).json;
    const before = (await api.request({ path: `${PODS}/kept` })).text;
    const attempts = [
      { method: 'PUT', body: { ...created, metadata: { ...created.metadata, name: 'other' } } },
      { method: 'PUT', body: { ...created, metadata: { ...created.metadata, resourceVersion: '1' } } },
      { method: 'PUT', body: { ...created, spec: { containers: [] } } },
      { method: 'PATCH', body: '{"spec": {"containers": [{"name": "web", "image": ""}]}}', headers: { 'Content-Type': 'application/merge-patch+json' } },
      { method: 'PATCH', body: '[{"op": "replace", "path": "/nope/deeper", "value": 1}]', headers: { 'Content-Type': 'application/json-patch+json' } },
      { method: 'PATCH', body: 'not json', headers: { 'Content-Type': 'application/strategic-merge-patch+json' } },
      { method: 'PATCH', body: '{"metadata": {"labels": {"bad key!": "x"}}}', headers: { 'Content-Type': 'application/merge-patch+json' } },
    ];
    for (const a of attempts) {
      const res = await api.request({ method: a.method, path: `${PODS}/kept`, body: a.body as any, headers: a.headers });
      expect(res.status, `${a.method} ${JSON.stringify(a.body).slice(0, 60)}`).toBeGreaterThanOrEqual(400);
      expect(res.json?.kind).toBe('Status');
    }
    expect((await api.request({ path: `${PODS}/kept` })).text).toBe(before);
  });
});

describe('watch', () => {
  it('replays changes made after a list resourceVersion, then follows live ones', async () => {
    const list = await api.request({ path: '/api/v1/namespaces/default/configmaps' });
    const rv = list.json.metadata.resourceVersion;
    const cms = '/api/v1/namespaces/default/configmaps';
    await api.request({ method: 'POST', path: cms, body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' }, data: { x: '1' } } });
    await api.request({ method: 'PATCH', path: `${cms}/a`, body: { data: { x: '2' } }, headers: { 'Content-Type': 'application/merge-patch+json' } });
    const stream = api.watch(`${cms}?watch=1&resourceVersion=${rv}`);
    await stream.waitFor((e) => e.type === 'MODIFIED');
    await api.request({ method: 'DELETE', path: `${cms}/a` });
    await stream.waitFor((e) => e.type === 'DELETED');
    stream.close();
    expect(stream.events.map((e) => e.type)).toEqual(['ADDED', 'MODIFIED', 'DELETED']);
    expect(stream.events[1].object.data).toEqual({ x: '2' });
  });

  it('sends a 410 Expired ERROR event for a resourceVersion older than compaction', async () => {
    const cms = '/api/v1/namespaces/default/configmaps';
    await api.request({ method: 'POST', path: cms, body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'old' } } });
    await api.request({ method: 'POST', path: cms, body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'new' } } });
    await api.store.compact(await api.store.currentRevision());
    const stream = api.watch(`${cms}?watch=1&resourceVersion=1`);
    const event = await stream.waitFor((e) => e.type === 'ERROR');
    expect(event.object).toMatchObject({ kind: 'Status', code: 410, reason: 'Expired' });
    await stream.closed;
  });

  it('rejects a malformed resourceVersion with 400 before streaming', async () => {
    const res = await api.request({ path: `${PODS}?watch=1&resourceVersion=abc` });
    expect(res.status).toBe(400);
  });
});

describe('deletecollection', () => {
  it('deletes the objects the selector matches and leaves the rest', async () => {
    const cms = '/api/v1/namespaces/kube-public/configmaps';
    for (const [name, tier] of [['dc-a', 'x'], ['dc-b', 'x'], ['dc-c', 'y']]) {
      await api.request({ method: 'POST', path: cms, body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels: { tier } } } });
    }
    const res = await api.request({ method: 'DELETE', path: `${cms}?labelSelector=tier%3Dx` });
    expect(res.status).toBe(200);
    expect(res.json.items.map((i: any) => i.metadata.name).sort()).toEqual(['dc-a', 'dc-b']);
    const left = await api.request({ path: cms });
    expect(left.json.items.map((i: any) => i.metadata.name)).toEqual(['dc-c']);
  });

  it('takes its DeleteOptions from the query as a single delete does, and refuses bad ones before deleting anything', async () => {
    const cms = '/api/v1/namespaces/kube-public/configmaps';
    await api.request({ method: 'POST', path: cms, body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'dc-q', labels: { tier: 'q' } } } });
    const bad = await api.request({ method: 'DELETE', path: `${cms}?labelSelector=tier%3Dq&propagationPolicy=Sometimes` });
    expect(bad.status).toBe(400);
    expect(bad.json.message).toContain('propagationPolicy: Unsupported value: "Sometimes"');
    const negative = await api.request({ method: 'DELETE', path: `${cms}?labelSelector=tier%3Dq&gracePeriodSeconds=-1` });
    expect(negative.status).toBe(400);
    expect((await api.request({ path: `${cms}/dc-q` })).status).toBe(200);
    const dryRun = await api.request({ method: 'DELETE', path: `${cms}?labelSelector=tier%3Dq&dryRun=All` });
    expect(dryRun.json.items.map((i: any) => i.metadata.name)).toEqual(['dc-q']);
    expect((await api.request({ path: `${cms}/dc-q` })).status).toBe(200);
    const res = await api.request({ method: 'DELETE', path: `${cms}?labelSelector=tier%3Dq&gracePeriodSeconds=0&propagationPolicy=Background` });
    expect(res.status).toBe(200);
    expect((await api.request({ path: `${cms}/dc-q` })).status).toBe(404);
  });
});
