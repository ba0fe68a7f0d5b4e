// Optimistic concurrency under contention: 20 clients each add 1 to a counter in one
// ConfigMap 20 times, by read-modify-write with the resourceVersion they read, retrying
// on 409 Conflict. Every answer is 200 or a 409 Conflict Status, and no increment is
// lost: the counter ends at the number of successful writes, 400.
//
// Kubernetes: "If the resourceVersion in the body does not match the stored one, the
// update fails with 409 Conflict" (https://kubernetes.io/docs/reference/using-api/api-concepts/#resource-versions
// and the optimistic concurrency section of the API conventions,
// https://github.com/kubernetes/community/blob/master/contributors/devel/sig-architecture/api-conventions.md#concurrency-control-and-consistency).
// The same holds for a PATCH that names a resourceVersion (a precondition).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiServerProcess, type ApiServerProcess } from '../support/apiserver-process.ts';
import type { RawResponse } from '../../conformance/harness/raw-client.ts';

const CLIENTS = 20;
const INCREMENTS = 20;
const NS = 'default';

let api: ApiServerProcess;
beforeAll(async () => { api = await startApiServerProcess('sqlite'); });
afterAll(async () => api?.stop());

interface Tally {
  ok: number;
  conflicts: number;
  /** Answers that are neither 200 nor a 409 Conflict Status. */
  wrong: string[];
  /** The counter value each successful write stored: all must differ. */
  written: number[];
}

function isConflictStatus(res: RawResponse): boolean {
  const s = res.json;
  return res.status === 409 && s?.kind === 'Status' && s.status === 'Failure' && s.reason === 'Conflict' && s.code === 409;
}

async function createCounter(name: string): Promise<void> {
  const res = await api.request({ method: 'POST', path: `/api/v1/namespaces/${NS}/configmaps`, body: { metadata: { name }, data: { counter: '0' } } });
  expect(res.status).toBe(201);
}

/** One client's increments: read, write back counter + 1 with the version read, retry on 409. */
async function client(name: string, write: (current: any, next: number) => Promise<RawResponse>, tally: Tally): Promise<void> {
  for (let done = 0; done < INCREMENTS;) {
    const got = await api.request({ path: `/api/v1/namespaces/${NS}/configmaps/${name}` });
    if (got.status !== 200) { tally.wrong.push(`GET ${got.status} ${got.text}`); return; }
    const next = Number(got.json.data.counter) + 1;
    const res = await write(got.json, next);
    if (res.status === 200) {
      tally.ok++;
      tally.written.push(Number(res.json.data.counter));
      done++;
    } else if (isConflictStatus(res)) {
      tally.conflicts++;
    } else {
      tally.wrong.push(`${res.status} ${res.text.slice(0, 300)}`);
      return;
    }
  }
}

async function contend(name: string, write: (current: any, next: number) => Promise<RawResponse>): Promise<Tally> {
  await createCounter(name);
  const tally: Tally = { ok: 0, conflicts: 0, wrong: [], written: [] };
  const started = Date.now();
  await Promise.all(Array.from({ length: CLIENTS }, () => client(name, write, tally)));
  console.log(`${name}: ${tally.ok} writes, ${tally.conflicts} conflicts, ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return tally;
}

async function expectNoLostUpdate(name: string, tally: Tally): Promise<void> {
  expect(tally.wrong, 'answers other than 200 or a 409 Conflict Status').toEqual([]);
  expect(tally.ok).toBe(CLIENTS * INCREMENTS);
  expect(tally.conflicts, 'with 20 clients on one object, some writes must have lost the race').toBeGreaterThan(0);
  // Each successful write stored a different value: no two clients both "won" with the same read.
  expect(new Set(tally.written).size).toBe(tally.ok);
  const final = await api.request({ path: `/api/v1/namespaces/${NS}/configmaps/${name}` });
  expect(Number(final.json.data.counter)).toBe(tally.ok);
}

describe('concurrent updates of one object', () => {
  it('PUT with the resourceVersion read: each write succeeds or is a 409 Conflict, and none is lost', async () => {
    const name = 'counter-put';
    const tally = await contend(name, (current, next) => api.request({
      method: 'PUT', path: `/api/v1/namespaces/${NS}/configmaps/${name}`,
      body: { ...current, data: { ...current.data, counter: String(next) } },
    }));
    await expectNoLostUpdate(name, tally);
  }, 240_000);

  it('PATCH with a resourceVersion precondition: the same, through a merge patch', async () => {
    const name = 'counter-patch';
    const tally = await contend(name, (current, next) => api.request({
      method: 'PATCH', path: `/api/v1/namespaces/${NS}/configmaps/${name}`,
      headers: { 'Content-Type': 'application/merge-patch+json' },
      body: { metadata: { resourceVersion: current.metadata.resourceVersion }, data: { counter: String(next) } },
    }));
    await expectNoLostUpdate(name, tally);
  }, 240_000);
});

// Without a resourceVersion a write is unconditional: another client's write between the
// server's read and its own is the server's to retry, not a 409 for the client
// (GuaranteedUpdate in k8s.io/apiserver/pkg/storage/etcd3/store.go, and its conditional delete).
describe('unconditional writes beside contending ones', () => {
  it('a PUT without a resourceVersion, and a DELETE without preconditions, never answer 409', async () => {
    const name = 'unconditional';
    await createCounter(name);
    const path = `/api/v1/namespaces/${NS}/configmaps/${name}`;
    const patches = (label: string) => Array.from({ length: 10 }, (_, i) => api.request({
      method: 'PATCH', path, headers: { 'Content-Type': 'application/merge-patch+json' }, body: { metadata: { labels: { [label]: String(i) } } },
    }));
    const puts = Array.from({ length: 10 }, (_, i) => api.request({ method: 'PUT', path, body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { put: String(i) } } }));
    const answers = await Promise.all([...patches('a'), ...puts, ...patches('b')]);
    expect(answers.filter((r) => r.status !== 200).map((r) => `${r.status} ${r.text.slice(0, 200)}`)).toEqual([]);
    const deletion = api.request({ method: 'DELETE', path });
    const racing = await Promise.all(patches('c'));
    expect((await deletion).status).toBe(200);
    // The patches that came after the delete find nothing; none is a conflict.
    expect(racing.map((r) => r.status).filter((s) => s !== 200 && s !== 404)).toEqual([]);
  }, 60_000);

  it('a PATCH or PUT of deployments/<name>/scale without a resourceVersion never answers 409 while the status changes', async () => {
    // What a Deployment's controller does all the time: write its status. `kubectl scale`
    // must not lose to it (scaleUpdatedObjectInfo uses the Deployment as it is when written).
    const path = `/apis/apps/v1/namespaces/${NS}/deployments/scaled`;
    const labels = { app: 'scaled' };
    const created = await api.request({
      method: 'POST', path: `/apis/apps/v1/namespaces/${NS}/deployments`,
      body: { metadata: { name: 'scaled' }, spec: { replicas: 1, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'c', image: 'kubelab/web:1' }] } } } },
    });
    expect(created.status).toBe(201);
    const statuses = Array.from({ length: 20 }, (_, i) => api.request({
      method: 'PATCH', path: `${path}/status`, headers: { 'Content-Type': 'application/merge-patch+json' }, body: { status: { observedGeneration: i } },
    }));
    const scales = Array.from({ length: 10 }, (_, i) => i % 2
      ? api.request({ method: 'PATCH', path: `${path}/scale`, headers: { 'Content-Type': 'application/merge-patch+json' }, body: { spec: { replicas: i } } })
      : api.request({ method: 'PUT', path: `${path}/scale`, body: { apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: 'scaled', namespace: NS }, spec: { replicas: i } } }));
    const answers = await Promise.all([...scales, ...statuses]);
    expect(answers.filter((r) => r.status !== 200).map((r) => `${r.status} ${r.text.slice(0, 200)}`)).toEqual([]);
    // A Scale that names an old resourceVersion is still the client's conflict.
    const stale = await api.request({
      method: 'PUT', path: `${path}/scale`, body: { apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: 'scaled', namespace: NS, resourceVersion: created.json.metadata.resourceVersion }, spec: { replicas: 2 } },
    });
    expect(isConflictStatus(stale)).toBe(true);
  }, 60_000);
});
