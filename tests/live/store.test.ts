// The live view's state (site/live/app): the store applies watch events as an
// informer's cache does, a relist replaces what was known (after 410 Gone,
// deleted objects disappear), pods are grouped by their owner chain, and the
// watch client resumes from its resourceVersion and lists again on 410.

import { describe, expect, it } from 'vitest';
import { ClusterStore } from '../../site/live/app/store.ts';
import { groupByOwner, hueOf, ownerGroup, shortName } from '../../site/live/app/owners.ts';
import { rolloutProgress } from '../../site/live/app/rollout.ts';
import { watchCollection, type SocketLike, type WatchEnvironment } from '../../site/live/app/watch.ts';
import { toYaml } from '../../site/live/app/yaml.ts';
import { parse } from 'yaml';
import type { KubeObject } from '../../site/live/app/types.ts';

const pod = (name: string, rv: string, extra: Partial<KubeObject['metadata']> = {}): KubeObject =>
  ({ metadata: { name, namespace: 'lab', uid: `uid-${name}`, resourceVersion: rv, ...extra } });
const owned = (kind: string, name: string) => ({ ownerReferences: [{ apiVersion: 'apps/v1', kind, name, uid: `uid-${name}`, controller: true }] });

describe('the live view store', () => {
  it('applies ADDED, MODIFIED and DELETED, and counts changes per kind', () => {
    const store = new ClusterStore();
    const heard: string[] = [];
    store.subscribe((kind) => heard.push(kind));
    store.apply('Pod', 'ADDED', pod('a', '1'));
    store.apply('Pod', 'ADDED', pod('b', '2'));
    store.apply('Pod', 'MODIFIED', { ...pod('a', '3'), status: { phase: 'Running' } });
    expect(store.list('Pod').map((p) => p.metadata.name).sort()).toEqual(['a', 'b']);
    expect(store.get('Pod', 'lab/a')?.status?.phase).toBe('Running');
    expect(store.get('Pod', 'lab/a')?.kind).toBe('Pod'); // watch events of list items carry no kind: the store adds it
    store.apply('Pod', 'DELETED', pod('b', '4'));
    expect(store.list('Pod').map((p) => p.metadata.name)).toEqual(['a']);
    expect(store.revision('Pod')).toBe(4);
    expect(store.revision('Node')).toBe(0);
    expect(heard).toEqual(['Pod', 'Pod', 'Pod', 'Pod']);
  });

  it('ignores a repeat of the copy it has, and the deletion of an object it never had', () => {
    const store = new ClusterStore();
    store.apply('Pod', 'ADDED', pod('a', '1'));
    store.apply('Pod', 'MODIFIED', pod('a', '1'));
    store.apply('Pod', 'DELETED', pod('ghost', '2'));
    expect(store.revision('Pod')).toBe(1);
  });

  it('replaces everything on a relist: objects deleted while the watch was gone (410) disappear', () => {
    const store = new ClusterStore();
    store.replace('Pod', [pod('a', '1'), pod('b', '2')]);
    store.apply('Pod', 'ADDED', pod('c', '3'));
    // The watch failed with 410 Gone; meanwhile b and c were deleted and d created.
    store.replace('Pod', [pod('a', '1'), pod('d', '9')]);
    expect(store.list('Pod').map((p) => p.metadata.name).sort()).toEqual(['a', 'd']);
  });

  it('filters by namespace and lists the namespaces in use', () => {
    const store = new ClusterStore();
    store.replace('Pod', [pod('a', '1'), { metadata: { name: 'x', namespace: 'other', uid: 'x' } }]);
    store.replace('Node', [{ metadata: { name: 'node-1' } }]);
    expect(store.list('Pod', 'other').map((p) => p.metadata.name)).toEqual(['x']);
    expect(store.namespaces()).toEqual(['lab', 'other']);
    expect(store.get('Node', 'node-1')).toBeDefined();
  });
});

describe('owner grouping', () => {
  it("groups a Deployment's pods together across its ReplicaSets, and keeps other owners apart", () => {
    const store = new ClusterStore();
    store.replace('ReplicaSet', [
      { metadata: { name: 'web-111', namespace: 'lab', uid: 'uid-web-111', ...owned('Deployment', 'web') } },
      { metadata: { name: 'web-222', namespace: 'lab', uid: 'uid-web-222', ...owned('Deployment', 'web') } },
      { metadata: { name: 'solo', namespace: 'lab', uid: 'uid-solo' } },
    ]);
    const pods = [
      pod('web-111-aaaaa', '1', owned('ReplicaSet', 'web-111')),
      pod('web-222-bbbbb', '2', owned('ReplicaSet', 'web-222')),
      pod('solo-ccccc', '3', owned('ReplicaSet', 'solo')),
      pod('bare', '4'),
    ];
    const groups = groupByOwner(pods, store);
    expect([...groups.values()].map(({ group, pods: p }) => [group.label, p.map((x) => x.metadata.name)])).toEqual([
      ['deploy/web', ['web-111-aaaaa', 'web-222-bbbbb']],
      ['no owner', ['bare']],
      ['rs/solo', ['solo-ccccc']],
    ]);
    const web = ownerGroup(pods[0], store);
    expect(web.controller?.name).toBe('web-111');
    expect(web.hue).toBe(ownerGroup(pods[1], store).hue);
    expect(web.hue).toBe(hueOf('Deployment/lab/web'));
    expect(web.hue).toBeGreaterThanOrEqual(0);
    expect(web.hue).toBeLessThan(360);
  });

  it('falls back to the ReplicaSet while its Deployment owner is unknown to the view', () => {
    const store = new ClusterStore();
    expect(ownerGroup(pod('web-111-aaaaa', '1', owned('ReplicaSet', 'web-111')), store).label).toBe('rs/web-111');
  });

  it("labels a tile with the last part of the pod's name", () => {
    expect(shortName('web-7d4f9c-x2kqp')).toBe('x2kqp');
    expect(shortName('standalone')).toBe('standalone');
  });
});

describe('rollout progress', () => {
  it('says what kubectl rollout status says', () => {
    const deployment = (spec: object, status: object, generation = 2): KubeObject => ({ metadata: { name: 'web', generation }, spec, status });
    expect(rolloutProgress(deployment({ replicas: 3 }, { observedGeneration: 1 })).message).toMatch(/waiting for the controller/);
    expect(rolloutProgress(deployment({ replicas: 3 }, { observedGeneration: 2, replicas: 4, updatedReplicas: 1 })).message).toBe('rolling out: 1 of 3 updated');
    expect(rolloutProgress(deployment({ replicas: 3 }, { observedGeneration: 2, replicas: 4, updatedReplicas: 3 })).message).toBe('rolling out: 1 old pod to go');
    const done = rolloutProgress(deployment({ replicas: 3 }, { observedGeneration: 2, replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3 }));
    expect(done).toMatchObject({ done: true, desired: 3, ready: 3, updated: 3 });
  });
});

describe('the YAML of the details panel', () => {
  it('reads back as the same object', () => {
    const obj = {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', labels: { app: 'web', 'tier': 'true' }, annotations: { note: 'a: b', multi: 'line 1\nline 2' } },
      spec: { containers: [{ name: 'web', image: 'kubelab/web:1', args: ['--port', '8080', ''], ports: [{ containerPort: 8080 }] }], tolerations: [], nodeSelector: {} },
      status: { phase: 'Running', ready: true, podIP: '127.200.1.5', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2024-01-01T00:00:00Z' }], count: null },
    };
    expect(parse(toYaml(obj))).toEqual(obj);
  });
});

describe('the watch client', () => {
  /** A fake API through the proxy: lists answer from `lists`, watches are sockets the test drives. */
  function fakeEnvironment(lists: any[]) {
    const requests: string[] = [];
    const sockets: (SocketLike & { url: string; closed: boolean })[] = [];
    const env: WatchEnvironment = {
      fetch: async (url) => {
        requests.push(`LIST ${url}`);
        const body = lists.shift();
        return { ok: true, status: 200, json: async () => body };
      },
      openSocket: (url) => {
        requests.push(`WATCH ${url}`);
        const socket = { url, closed: false, onmessage: null, onclose: null, close() { this.closed = true; this.onclose?.({ code: 1000 }); } } as SocketLike & { url: string; closed: boolean };
        sockets.push(socket);
        return socket;
      },
      setTimeout: (fn) => { queueMicrotask(fn); return 0; },
    };
    return { env, requests, sockets };
  }
  const send = (socket: SocketLike, event: object) => socket.onmessage!({ data: JSON.stringify(event) });

  it('lists, watches from the list, resumes from the last resourceVersion, and lists again on 410 Gone', async () => {
    const { env, requests, sockets } = fakeEnvironment([
      { metadata: { resourceVersion: '10' }, items: [pod('a', '9')] },
      { metadata: { resourceVersion: '50' }, items: [pod('d', '49')] },
    ]);
    const store = new ClusterStore();
    watchCollection('/api/v1/pods', { onList: (items) => store.replace('Pod', items), onEvent: (type, obj) => store.apply('Pod', type, obj) }, env);
    await expect.poll(() => sockets.length).toBe(1);
    expect(sockets[0].url).toBe('/api/v1/pods?watch=1&resourceVersion=10&allowWatchBookmarks=true');

    send(sockets[0], { type: 'ADDED', object: pod('b', '11') });
    send(sockets[0], { type: 'BOOKMARK', object: { metadata: { resourceVersion: '15' } } });
    expect(store.list('Pod').map((p) => p.metadata.name).sort()).toEqual(['a', 'b']);
    // The API server ends the watch (its timeout): watch again from the bookmark's resourceVersion.
    sockets[0].onclose!({ code: 1000 });
    expect(sockets[1].url).toBe('/api/v1/pods?watch=1&resourceVersion=15&allowWatchBookmarks=true');

    // Too old: 410 Gone as an ERROR event. The client lists again, and the list replaces the cache.
    send(sockets[1], { type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired' } });
    await expect.poll(() => sockets.length).toBe(3);
    expect(requests.filter((r) => r.startsWith('LIST'))).toEqual(['LIST /api/v1/pods', 'LIST /api/v1/pods']);
    expect(store.list('Pod').map((p) => p.metadata.name)).toEqual(['d']);
    expect(sockets[2].url).toBe('/api/v1/pods?watch=1&resourceVersion=50&allowWatchBookmarks=true');
  });

  it('lists again after a broken connection', async () => {
    const { env, requests, sockets } = fakeEnvironment([
      { metadata: { resourceVersion: '10' }, items: [] },
      { metadata: { resourceVersion: '20' }, items: [pod('z', '19')] },
    ]);
    const items: string[][] = [];
    const states: string[] = [];
    watchCollection('/api/v1/nodes', { onList: (list) => items.push(list.map((o) => o.metadata.name)), onEvent: () => undefined, onState: (s) => states.push(s) }, env);
    await expect.poll(() => sockets.length).toBe(1);
    sockets[0].onclose!({ code: 1006 }); // the proxy went away
    await expect.poll(() => sockets.length).toBe(2);
    expect(requests.filter((r) => r.startsWith('LIST')).length).toBe(2);
    expect(items).toEqual([[], ['z']]);
    expect(states).toContain('retrying');
  });
});
