// The watch recorder behind failure timelines: one line per event with the
// object's state, the Nodes watched once, a broken watch opened again from the
// last resourceVersion, a resource the server does not serve noted once, and
// at most MAX_EVENTS kept.

import { afterEach, describe, expect, it } from 'vitest';
import http from 'node:http';
import { WatchRecorder, MAX_EVENTS } from '../../conformance/timeline/watch-recorder.ts';
import { summarizeObject } from '../../conformance/timeline/summaries.ts';

const pod = (name: string, rv: string, phase: string, nodeName?: string) => ({
  kind: 'Pod', metadata: { name, namespace: 'ns', resourceVersion: rv }, spec: { nodeName, containers: [{ name: 'c' }] }, status: { phase },
});

let server: http.Server | undefined;
let recorder: WatchRecorder | undefined;
afterEach(async () => {
  recorder?.close();
  await new Promise((r) => (server ? server.close(r) : r(undefined)));
  server = undefined;
});

/** A fake API server: `serve` answers each watch request (path with query) by writing to the response. */
async function fakeApi(serve: (url: string, res: http.ServerResponse) => void): Promise<{ apiUrl: string; requests: string[] }> {
  const requests: string[] = [];
  server = http.createServer((req, res) => {
    requests.push(req.url!);
    serve(req.url!, res);
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return { apiUrl: `http://127.0.0.1:${(server.address() as { port: number }).port}`, requests };
}

const until = async (probe: () => boolean, ms = 5000) => {
  const end = Date.now() + ms;
  while (!probe() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
  expect(probe()).toBe(true);
};

describe('the watch recorder', () => {
  it('watches each common resource of the namespace and the Nodes once, and records each event in a line', async () => {
    let podStream: http.ServerResponse | undefined;
    const api = await fakeApi((url, res) => {
      if (url.startsWith('/api/v1/namespaces/ns/pods?watch=1')) {
        podStream = res;
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.write(`${JSON.stringify({ type: 'ADDED', object: pod('web', '5', 'Pending') })}\n`);
      } else {
        res.writeHead(200).write('');
      }
    });
    recorder = new WatchRecorder({ apiUrl: api.apiUrl }, true);
    await recorder.watchNamespace('ns');
    await recorder.watchNamespace('ns'); // a namespace and the Nodes are watched once
    expect(api.requests.filter((u) => u.startsWith('/api/v1/nodes?watch=1'))).toHaveLength(1);
    expect(api.requests.filter((u) => u.includes('/namespaces/ns/')).map((u) => u.split('?')[0]).sort()).toEqual([
      '/api/v1/namespaces/ns/endpoints', '/api/v1/namespaces/ns/events', '/api/v1/namespaces/ns/pods', '/api/v1/namespaces/ns/services',
      '/apis/apps/v1/namespaces/ns/deployments', '/apis/apps/v1/namespaces/ns/replicasets',
    ]);
    podStream!.write(`${JSON.stringify({ type: 'MODIFIED', object: pod('web', '6', 'Pending', 'node-1') })}\n`);
    await until(() => recorder!.events.length === 2);
    expect(recorder.events.map(({ type, kind, name, namespace, summary }) => ({ type, kind, name, namespace, summary }))).toEqual([
      { type: 'ADDED', kind: 'Pod', name: 'web', namespace: 'ns', summary: 'Pending node=- ready 0/1' },
      { type: 'MODIFIED', kind: 'Pod', name: 'web', namespace: 'ns', summary: 'Pending node=node-1 ready 0/1' },
    ]);
  });

  it('opens a watch that ended again from the last resourceVersion, and notes a resource the server does not serve once', async () => {
    const api = await fakeApi((url, res) => {
      if (url.startsWith('/api/v1/nodes')) {
        res.writeHead(200);
        const rv = url.includes('resourceVersion=7') ? '8' : '7';
        res.end(`${JSON.stringify({ type: 'MODIFIED', object: { kind: 'Node', metadata: { name: 'n1', resourceVersion: rv }, status: { conditions: [{ type: 'Ready', status: 'True' }] } } })}\n`);
      } else {
        res.writeHead(404).end('{"kind":"Status","code":404}');
      }
    });
    recorder = new WatchRecorder({ apiUrl: api.apiUrl }, true);
    await recorder.watchNamespace('ns');
    await until(() => api.requests.some((u) => u === '/api/v1/nodes?watch=1&resourceVersion=8'));
    expect(api.requests.filter((u) => u.startsWith('/api/v1/nodes')).slice(0, 3)).toEqual([
      '/api/v1/nodes?watch=1', '/api/v1/nodes?watch=1&resourceVersion=7', '/api/v1/nodes?watch=1&resourceVersion=8',
    ]);
    const events = recorder.events;
    expect(events.filter((e) => e.type === 'UNAVAILABLE').map((e) => e.kind).sort()).toEqual(['Deployment', 'Endpoints', 'Event', 'Pod', 'ReplicaSet', 'Service']);
    expect(api.requests.filter((u) => u.includes('/pods'))).toHaveLength(1);
    expect(events.find((e) => e.kind === 'Node' && e.type === 'MODIFIED')?.summary).toBe('Ready=True');
    expect(events.some((e) => e.type === 'RECONNECT' && e.summary.includes('from resourceVersion 7'))).toBe(true);
  });

  it('keeps only the latest MAX_EVENTS events and counts those it dropped', async () => {
    const api = await fakeApi((url, res) => {
      res.writeHead(200);
      if (url.startsWith('/api/v1/namespaces/ns/pods')) {
        res.write(Array.from({ length: MAX_EVENTS + 300 }, (_, i) => `${JSON.stringify({ type: 'MODIFIED', object: pod(`p${i}`, String(i + 1), 'Running') })}\n`).join(''));
      }
    });
    recorder = new WatchRecorder({ apiUrl: api.apiUrl }, true);
    await recorder.watchNamespace('ns');
    await until(() => recorder!.events.at(-1)?.name === `p${MAX_EVENTS + 299}`);
    expect(recorder.events).toHaveLength(MAX_EVENTS);
    expect(recorder.events[0].name).toBe('p300');
    expect(recorder.dropped).toBe(300);
  });

  it('records nothing when turned off (KUBELAB_TIMELINE=off)', async () => {
    const api = await fakeApi((_url, res) => res.writeHead(200).end());
    recorder = new WatchRecorder({ apiUrl: api.apiUrl }, false);
    await recorder.watchNamespace('ns');
    expect(api.requests).toEqual([]);
  });
});

describe('object summaries', () => {
  it('say what a student looks for in each kind', () => {
    expect(summarizeObject('Deployment', {
      metadata: { generation: 2 }, spec: { replicas: 3 },
      status: { replicas: 3, readyReplicas: 2, availableReplicas: 2, updatedReplicas: 1, observedGeneration: 2, conditions: [{ type: 'Progressing', status: 'True' }, { type: 'Available', status: 'False', reason: 'MinimumReplicasUnavailable' }] },
    })).toBe('replicas 3: current 3, ready 2, available 2, updated 1 gen 2/2 Progressing=True Available=False(MinimumReplicasUnavailable)');
    expect(summarizeObject('Endpoints', { subsets: [{ addresses: [{ ip: '10.0.0.1' }], notReadyAddresses: [{ ip: '10.0.0.2' }] }] }))
      .toBe('ready [10.0.0.1] notReady [10.0.0.2]');
    expect(summarizeObject('Event', { type: 'Warning', reason: 'BackOff', message: 'Back-off restarting', involvedObject: { kind: 'Pod', name: 'web' }, count: 3 }))
      .toBe('Warning BackOff: Back-off restarting (Pod/web) ×3');
    expect(summarizeObject('Node', { spec: { unschedulable: true, taints: [{ key: 'k', effect: 'NoSchedule' }] }, status: { conditions: [{ type: 'MemoryPressure', status: 'False' }, { type: 'Ready', status: 'Unknown', reason: 'NodeStatusUnknown' }] } }))
      .toBe('Ready=Unknown(NodeStatusUnknown) unschedulable taints k:NoSchedule');
    expect(summarizeObject('Pod', { kind: 'Status', code: 410, reason: 'Expired', message: 'too old' })).toBe('410 Expired: too old');
  });
});
