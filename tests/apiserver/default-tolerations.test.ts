// DefaultTolerationSeconds: new pods tolerate a not-ready or unreachable node
// for a while, unless they already say how they tolerate it.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDefaultTolerations } from '../../reference/src/apiserver/registry/default-tolerations.ts';
import { startTestApiServer } from '../support/apiserver.ts';

const pod = (tolerations?: unknown[]) => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' },
  spec: { containers: [{ name: 'c', image: 'kubelab/web:1' }], ...(tolerations ? { tolerations } : {}) },
});

describe('default tolerations', () => {
  it('adds both tolerations, NoExecute, for the given seconds', () => {
    const p = pod();
    addDefaultTolerations(p, 5);
    expect(p.spec.tolerations).toEqual([
      { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 5 },
      { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 5 },
    ]);
  });

  it('keeps the pod\'s own tolerations and adds only what they do not cover', () => {
    const own = { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 6000 };
    const p = pod([{ key: 'gpu', operator: 'Exists', effect: 'NoSchedule' }, own]);
    addDefaultTolerations(p, 300);
    expect(p.spec.tolerations).toEqual([
      { key: 'gpu', operator: 'Exists', effect: 'NoSchedule' }, own,
      { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
    ]);
  });

  it('a toleration of every taint (empty key, empty effect) covers both', () => {
    const p = pod([{ operator: 'Exists' }]);
    addDefaultTolerations(p, 300);
    expect(p.spec.tolerations).toEqual([{ operator: 'Exists' }]);
  });

  it('a NoSchedule toleration of the same key does not cover the NoExecute taint', () => {
    const p = pod([{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoSchedule' }]);
    addDefaultTolerations(p, 300);
    expect(p.spec.tolerations).toHaveLength(3);
  });
});

describe('the API server', () => {
  let api: Awaited<ReturnType<typeof startTestApiServer>>;
  beforeAll(async () => {
    api = await startTestApiServer();
  });
  afterAll(async () => {
    await api.stop();
  });

  it('adds the tolerations on create, with Kubernetes\' 300 s by default, and not again on update', async () => {
    const created = await api.request({ method: 'POST', path: '/api/v1/namespaces/default/pods', body: pod() });
    expect(created.status).toBe(201);
    expect(created.json.spec.tolerations.map((t: any) => `${t.key}:${t.tolerationSeconds}`))
      .toEqual(['node.kubernetes.io/not-ready:300', 'node.kubernetes.io/unreachable:300']);
    const updated = await api.request({ method: 'PUT', path: '/api/v1/namespaces/default/pods/p', body: { ...created.json, metadata: { ...created.json.metadata, labels: { a: 'b' } } } });
    expect(updated.status).toBe(200);
    expect(updated.json.spec.tolerations).toHaveLength(2);
  });
});
