// The Endpoints and EndpointSlice controllers: the pure computations (which
// pods, which ports, how subsets and slices are packed) and both controllers
// against an in-process API server, with pod status written by the test in
// place of a node agent.

import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { KubeObject } from '../../reference/src/api/types.ts';
import { ApiStatusError } from '../../reference/src/client/api-client.ts';
import { ENDPOINTS, ENDPOINT_SLICES, PODS, SERVICES, resourcePath, withQuery } from '../../reference/src/client/paths.ts';
import { EndpointsController } from '../../reference/src/controllers/endpoints/endpoints-controller.ts';
import { endpointSubsets } from '../../reference/src/controllers/endpoints/subsets.ts';
import { EndpointSliceController } from '../../reference/src/controllers/endpointslice/endpointslice-controller.ts';
import { MAX_ENDPOINTS_PER_SLICE, endpointGroups, planSlices } from '../../reference/src/controllers/endpointslice/slices.ts';
import { findPort } from '../../reference/src/controllers/service-pods.ts';
import { StaleCache } from '../../reference/src/controllers/stale-cache.ts';
import { startTestApiServer } from '../support/apiserver.ts';
import { runControllers, until } from '../support/controllers.ts';

interface PodOptions {
  ip?: string;
  ready?: boolean;
  phase?: string;
  deleting?: boolean;
  node?: string;
  labels?: Record<string, string>;
  ports?: { name?: string; containerPort: number; protocol?: string }[];
}

function pod(name: string, o: PodOptions = {}): KubeObject {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: {
      name, namespace: 'default', uid: `uid-${name}`, labels: o.labels ?? { app: 'web' },
      ...(o.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}),
    },
    spec: { nodeName: o.node ?? 'node-1', containers: [{ name: 'web', image: 'kubelab/web:1', ports: o.ports ?? [{ name: 'http', containerPort: 8080 }] }] },
    status: {
      phase: o.phase ?? 'Running',
      ...(o.ip === '' ? {} : { podIP: o.ip ?? `127.200.0.${name.length}` }),
      conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }],
    },
  };
}

function service(ports: any[], extra: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'v1', kind: 'Service',
    metadata: { name: 'web', namespace: 'default', uid: 'svc-uid', labels: { tier: 'front' } },
    spec: { selector: { app: 'web' }, clusterIP: '127.90.0.10', ports, ...extra },
  };
}

const HTTP = { name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' };

describe('findPort', () => {
  it('uses a numeric targetPort as it is and looks a named one up in the pod, by protocol', () => {
    const p = pod('a', { ports: [{ name: 'http', containerPort: 9090 }, { name: 'dns', containerPort: 53, protocol: 'UDP' }] });
    expect(findPort(p, { port: 80, targetPort: 8080 })).toBe(8080);
    expect(findPort(p, { port: 80 })).toBe(80);
    expect(findPort(p, { port: 80, targetPort: 'http' })).toBe(9090);
    expect(findPort(p, { port: 53, targetPort: 'dns', protocol: 'TCP' })).toBeUndefined();
    expect(findPort(p, { port: 53, targetPort: 'dns', protocol: 'UDP' })).toBe(53);
  });
});

describe('StaleCache', () => {
  it('says the cache is stale while it shows the version our last write replaced (or nothing, after a create)', () => {
    const stale = new StaleCache();
    const v = (resourceVersion: string): KubeObject => ({ apiVersion: 'v1', kind: 'Endpoints', metadata: { resourceVersion } });
    expect(stale.isStale('ns/a', v('1'))).toBe(false);
    stale.wrote('ns/a', v('1'));
    expect(stale.isStale('ns/a', v('1'))).toBe(true);
    expect(stale.isStale('ns/a', v('2'))).toBe(false);
    expect(stale.isStale('ns/a', v('1'))).toBe(false); // caught up once: forgotten
    stale.wrote('ns/b', undefined);
    expect(stale.isStale('ns/b', undefined)).toBe(true);
    expect(stale.isStale('ns/b', v('3'))).toBe(false);
  });
});

describe('endpointSubsets', () => {
  it('lists ready pods in addresses and unready ones in notReadyAddresses, with the targetPort resolved', () => {
    const subsets = endpointSubsets(service([HTTP]), [
      pod('bb', { ip: '127.200.0.2' }),
      pod('a', { ip: '127.200.0.1' }),
      pod('ccc', { ip: '127.200.0.3', ready: false }),
    ]);
    expect(subsets).toEqual([{
      addresses: [
        { ip: '127.200.0.1', nodeName: 'node-1', targetRef: { kind: 'Pod', namespace: 'default', name: 'a', uid: 'uid-a' } },
        { ip: '127.200.0.2', nodeName: 'node-1', targetRef: { kind: 'Pod', namespace: 'default', name: 'bb', uid: 'uid-bb' } },
      ],
      notReadyAddresses: [
        { ip: '127.200.0.3', nodeName: 'node-1', targetRef: { kind: 'Pod', namespace: 'default', name: 'ccc', uid: 'uid-ccc' } },
      ],
      ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
    }]);
  });

  it('leaves out pods without an IP, finished pods and pods being deleted', () => {
    const subsets = endpointSubsets(service([HTTP]), [
      pod('noip', { ip: '' }), pod('done', { phase: 'Succeeded' }), pod('failed', { phase: 'Failed' }), pod('bye', { deleting: true }),
    ]);
    expect(subsets).toEqual([]);
  });

  it('keeps a terminating pod when the Service publishes not-ready addresses', () => {
    const subsets = endpointSubsets(service([HTTP], { publishNotReadyAddresses: true }), [pod('bye', { deleting: true, ready: false })]);
    expect(subsets[0].addresses?.map((a) => a.targetRef.name)).toEqual(['bye']);
  });

  it('puts every pod in addresses when the Service publishes not-ready addresses', () => {
    const subsets = endpointSubsets(service([HTTP], { publishNotReadyAddresses: true }), [pod('a', { ready: false })]);
    expect(subsets[0].addresses?.map((a) => a.targetRef.name)).toEqual(['a']);
    expect(subsets[0].notReadyAddresses).toBeUndefined();
  });

  it('groups pods by the ports they offer: a pod without the named port is left out of it', () => {
    const metrics = { name: 'metrics', port: 9100, targetPort: 'metrics', protocol: 'TCP' };
    const full = [{ name: 'http', containerPort: 8080 }, { name: 'metrics', containerPort: 9100 }];
    const subsets = endpointSubsets(service([HTTP, metrics]), [
      pod('a', { ip: '127.200.0.1', ports: full }),
      pod('b', { ip: '127.200.0.2', ports: full }),
      pod('c', { ip: '127.200.0.3', ports: [{ name: 'http', containerPort: 8080 }] }),
      pod('d', { ip: '127.200.0.4', ports: [{ name: 'http', containerPort: 8081 }] }),
    ]);
    expect(subsets.map((s) => ({ ips: s.addresses!.map((a) => a.ip), ports: s.ports }))).toEqual([
      { ips: ['127.200.0.1', '127.200.0.2', '127.200.0.3'], ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] },
      { ips: ['127.200.0.4'], ports: [{ name: 'http', port: 8081, protocol: 'TCP' }] },
      { ips: ['127.200.0.1', '127.200.0.2'], ports: [{ name: 'metrics', port: 9100, protocol: 'TCP' }] },
    ]);
  });

  it('gives the same subsets whatever the order of the pods (no spurious writes)', () => {
    const pods = [pod('a', { ip: '127.200.0.9' }), pod('b', { ip: '127.200.0.1', ready: false }), pod('c', { ip: '127.200.0.5' })];
    const svc = service([HTTP, { name: 'raw', port: 81, targetPort: 7000, protocol: 'TCP' }]);
    expect(JSON.stringify(endpointSubsets(svc, [...pods].reverse()))).toBe(JSON.stringify(endpointSubsets(svc, pods)));
  });

  it('gives a headless Service without ports one subset of addresses', () => {
    const subsets = endpointSubsets(service([], { clusterIP: 'None' }), [pod('a', { ip: '127.200.0.1' })]);
    expect(subsets).toEqual([{ addresses: [expect.objectContaining({ ip: '127.200.0.1' })] }]);
  });
});

describe('EndpointSlices: planSlices', () => {
  const svc = service([HTTP]);

  it('keeps terminating pods, not ready, and reports serving and terminating', () => {
    const [group] = endpointGroups(svc, [pod('a', { ip: '127.200.0.1' }), pod('b', { ip: '127.200.0.2', deleting: true })]);
    expect(group.ports).toEqual([{ name: 'http', port: 8080, protocol: 'TCP' }]);
    expect(group.endpoints.map((e) => [e.targetRef.name, e.conditions])).toEqual([
      ['a', { ready: true, serving: true, terminating: false }],
      ['b', { ready: false, serving: true, terminating: true }],
    ]);
  });

  it('creates one slice with labels and an owner, and a placeholder when nothing matches', () => {
    const plan = planSlices(svc, [pod('a')], []);
    expect(plan.update).toEqual([]);
    expect(plan.delete).toEqual([]);
    expect(plan.create).toHaveLength(1);
    expect(plan.create[0]).toMatchObject({
      apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', addressType: 'IPv4',
      metadata: {
        generateName: 'web-',
        labels: { tier: 'front', 'kubernetes.io/service-name': 'web', 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' },
        ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name: 'web', uid: 'svc-uid', controller: true }],
      },
    });
    const empty = planSlices(svc, [], []);
    expect(empty.create.map((s) => [s.endpoints, s.ports])).toEqual([[[], []]]);
  });

  it('reuses existing slices, splits beyond 100 endpoints and deletes what is left over', () => {
    const pods = Array.from({ length: MAX_ENDPOINTS_PER_SLICE + 5 }, (_, i) => pod(`p${i}`, { ip: `127.201.${Math.floor(i / 200)}.${i % 200 + 1}` }));
    const first = planSlices(svc, pods, []);
    expect(first.create.map((s) => s.endpoints.length)).toEqual([MAX_ENDPOINTS_PER_SLICE, 5]);
    const existing = first.create.map((s, i) => ({ ...s, metadata: { ...s.metadata, name: `web-${i}`, uid: `slice-${i}` } }));
    // Nothing changed: no writes.
    expect(planSlices(svc, pods, existing)).toEqual({ create: [], update: [], delete: [] });
    // Down to three pods: the first slice is updated, the second deleted.
    const fewer = planSlices(svc, pods.slice(0, 3), existing);
    expect(fewer.create).toEqual([]);
    expect(fewer.update.map((s) => [s.metadata.name, s.endpoints.length])).toEqual([['web-0', 3]]);
    expect(fewer.delete.map((s) => s.metadata.name)).toEqual(['web-1']);
  });
});

describe('EndpointsController and EndpointSliceController', () => {
  let api: Awaited<ReturnType<typeof startTestApiServer>>;
  let manager: Awaited<ReturnType<typeof runControllers>>;
  beforeAll(async () => {
    api = await startTestApiServer();
    manager = await runControllers(api.endpoint, [(ctx) => new EndpointsController(ctx), (ctx) => new EndpointSliceController(ctx)]);
  });
  afterAll(async () => {
    manager.stop();
    await api.stop();
  });

  const get = (path: string) => manager.client.get<KubeObject>(path).catch(() => undefined);
  const slicesOf = async (name: string) =>
    (await manager.client.get<{ items: KubeObject[] }>(withQuery(resourcePath(ENDPOINT_SLICES, 'default'), { labelSelector: `kubernetes.io/service-name=${name}` }))).items;
  const createPod = async (name: string, labels: Record<string, string>, ip: string, ready: boolean) => {
    await manager.client.create(resourcePath(PODS, 'default'), {
      apiVersion: 'v1', kind: 'Pod', metadata: { name, labels },
      spec: { nodeName: 'node-1', containers: [{ name: 'web', image: 'kubelab/web:1', ports: [{ name: 'http', containerPort: 8080 }] }] },
    });
    await setReady(name, ip, ready);
  };
  const setReady = (name: string, ip: string, ready: boolean) => manager.client.patch(resourcePath(PODS, 'default', name, 'status'), {
    status: { phase: 'Running', podIP: ip, podIPs: [{ ip }], conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
  });
  const ips = (ep: KubeObject | undefined, field: 'addresses' | 'notReadyAddresses') =>
    (ep?.subsets ?? []).flatMap((s: any) => (s[field] ?? []).map((a: any) => a.ip)).sort().join(',');

  it('writes Endpoints and a slice for a Service with a selector, follows readiness, and removes the Endpoints with the Service', async () => {
    await createPod('one', { app: 'shop' }, '127.202.0.1', true);
    await createPod('two', { app: 'shop' }, '127.202.0.2', false);
    await createPod('other', { app: 'else' }, '127.202.0.3', true);
    await manager.client.create(resourcePath(SERVICES, 'default'), {
      apiVersion: 'v1', kind: 'Service', metadata: { name: 'shop' },
      spec: { selector: { app: 'shop' }, ports: [{ name: 'web', port: 80, targetPort: 'http' }] },
    });
    const ep = await until('Endpoints shop', async () => {
      const e = await get(resourcePath(ENDPOINTS, 'default', 'shop'));
      return ips(e, 'addresses') === '127.202.0.1' && ips(e, 'notReadyAddresses') === '127.202.0.2' ? e : undefined;
    });
    expect(ep.subsets[0].ports).toEqual([{ name: 'web', port: 8080, protocol: 'TCP' }]);
    expect(ep.metadata.ownerReferences).toBeUndefined();

    const slices = await until('one slice', async () => {
      const list = await slicesOf('shop');
      return list.length === 1 && list[0].endpoints.length === 2 ? list : undefined;
    });
    expect(slices[0].metadata.ownerReferences?.[0]).toMatchObject({ kind: 'Service', name: 'shop', controller: true });

    // Pod two turns ready, pod one unready: both lists follow.
    await setReady('two', '127.202.0.2', true);
    await setReady('one', '127.202.0.1', false);
    await until('the readiness change', async () => {
      const e = await get(resourcePath(ENDPOINTS, 'default', 'shop'));
      return ips(e, 'addresses') === '127.202.0.2' && ips(e, 'notReadyAddresses') === '127.202.0.1' ? e : undefined;
    });

    // A write nobody needed would show as a new resourceVersion: there must be none.
    const before = (await get(resourcePath(ENDPOINTS, 'default', 'shop')))!.metadata.resourceVersion;
    await manager.client.patch(resourcePath(SERVICES, 'default', 'shop'), { metadata: { annotations: { touched: 'yes' } } });
    await new Promise((r) => setTimeout(r, 200));
    expect((await get(resourcePath(ENDPOINTS, 'default', 'shop')))!.metadata.resourceVersion).toBe(before);

    await manager.client.delete(resourcePath(SERVICES, 'default', 'shop'));
    await until('Endpoints shop gone', async () => ((await get(resourcePath(ENDPOINTS, 'default', 'shop'))) ? undefined : true));
  });

  it('forgets its note of a slice it updated once the slice is deleted', async () => {
    const forget = vi.spyOn(StaleCache.prototype, 'forget');
    try {
      await createPod('cart-1', { app: 'cart' }, '127.202.1.1', true);
      await manager.client.create(resourcePath(SERVICES, 'default'), {
        apiVersion: 'v1', kind: 'Service', metadata: { name: 'cart' },
        spec: { selector: { app: 'cart' }, ports: [{ name: 'web', port: 80, targetPort: 'http' }] },
      });
      await until('a slice for cart', async () => ((await slicesOf('cart')).length === 1 ? true : undefined));
      await setReady('cart-1', '127.202.1.1', false); // an update of the slice: noted in the stale cache
      const [slice] = await until('the slice updated', async () => {
        const list = await slicesOf('cart');
        return list[0]?.endpoints?.[0]?.conditions?.ready === false ? list : undefined;
      });
      await manager.client.delete(resourcePath(ENDPOINT_SLICES, 'default', slice.metadata.name));
      await until('the note forgotten', () => (forget.mock.calls.some(([key]) => key === `default/${slice.metadata.name}`) ? true : undefined));
    } finally {
      forget.mockRestore();
    }
  });

  it('retries a create refused with 403 for another reason; drops one refused because the namespace is terminating', async () => {
    const client = manager.client;
    const create = client.create.bind(client);
    const attempts = new Map<string, number>();
    const serviceOf = (body: any) => body?.metadata?.labels?.['kubernetes.io/service-name'] ?? body?.metadata?.name;
    const spy = vi.spyOn(client, 'create').mockImplementation(async (path: string, body: any) => {
      if (body?.kind !== 'Endpoints' && body?.kind !== 'EndpointSlice') return create(path, body);
      const what = `${body?.kind} ${serviceOf(body)}`;
      const n = (attempts.get(what) ?? 0) + 1;
      attempts.set(what, n);
      if (serviceOf(body) === 'denied' && n <= 2) throw new ApiStatusError(403, { reason: 'Forbidden', message: 'refused by policy' });
      if (serviceOf(body) === 'closing') {
        throw new ApiStatusError(403, { reason: 'Forbidden', message: 'being terminated', details: { causes: [{ reason: 'NamespaceTerminating' }] } });
      }
      return create(path, body);
    });
    try {
      await createPod('denied-1', { app: 'denied' }, '127.202.2.1', true);
      for (const name of ['denied', 'closing']) {
        await client.create(resourcePath(SERVICES, 'default'), {
          apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { selector: { app: 'denied' }, ports: [{ port: 80, targetPort: 8080 }] },
        });
      }
      await until('Endpoints denied written on a retry', () => get(resourcePath(ENDPOINTS, 'default', 'denied')));
      await until('a slice for denied written on a retry', async () => ((await slicesOf('denied')).length === 1 ? true : undefined));
      await new Promise((r) => setTimeout(r, 200));
      expect(attempts.get('Endpoints closing')).toBe(1);
      expect(attempts.get('EndpointSlice closing')).toBe(1);
    } finally {
      spy.mockRestore();
    }
  });

  it('leaves the Endpoints of a Service without a selector alone', async () => {
    await manager.client.create(resourcePath(SERVICES, 'default'), {
      apiVersion: 'v1', kind: 'Service', metadata: { name: 'external' }, spec: { ports: [{ port: 80 }] },
    });
    const manual = { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'external' }, subsets: [{ addresses: [{ ip: '127.203.0.1' }], ports: [{ port: 80 }] }] };
    await manager.client.create(resourcePath(ENDPOINTS, 'default'), manual);
    await new Promise((r) => setTimeout(r, 300));
    const ep = await get(resourcePath(ENDPOINTS, 'default', 'external'));
    expect(ep?.subsets).toEqual(manual.subsets);
    expect(await slicesOf('external')).toEqual([]);
  });
});
