// Watch consistency under load: 8 writers create, update and delete ConfigMaps and
// pods in two namespaces for ~10 s while 20 watchers (namespaced and all-namespaces,
// some from the start, some from a resourceVersion taken mid-stream) follow along.
// Each watcher must see every acknowledged write in its scope exactly once, in
// strictly increasing resourceVersion order, and the state it rebuilds from its list
// and its events must equal a fresh list at the end.
//
// Kubernetes' guarantee: a watch from resourceVersion N delivers every change after N,
// in order, with no gap (https://kubernetes.io/docs/reference/using-api/api-concepts/#efficient-detection-of-changes
// and #semantics-for-watch); informers rely on it to keep caches equal to the store.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiServerProcess, type ApiServerProcess } from '../support/apiserver-process.ts';
import type { WatchStream } from '../../conformance/harness/raw-client.ts';

const NAMESPACES = ['watch-a', 'watch-b'];
const KINDS = ['configmaps', 'pods'] as const;
type Kind = typeof KINDS[number];
const WRITERS = 8;
const WATCHERS = 20;
const WRITE_SECONDS = Number(process.env.WATCH_WRITE_SECONDS ?? 10);

let api: ApiServerProcess;
beforeAll(async () => {
  api = await startApiServerProcess('sqlite');
  for (const name of NAMESPACES) {
    const res = await api.request({ method: 'POST', path: '/api/v1/namespaces', body: { metadata: { name } } });
    if (res.status !== 201) throw new Error(`namespace ${name}: ${res.status} ${res.text}`);
  }
});
afterAll(async () => api?.stop());

/** One write the server acknowledged: the object's key and, for creates and updates, the stored resourceVersion. */
interface Ack {
  kind: Kind;
  key: string; // namespace/name
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  rv?: number;
}

function collection(kind: Kind, namespace?: string): string {
  return namespace ? `/api/v1/namespaces/${namespace}/${kind}` : `/api/v1/${kind}`;
}

function manifest(kind: Kind, name: string, generation: number) {
  const metadata = { name, labels: { generation: String(generation) } };
  return kind === 'configmaps'
    ? { apiVersion: 'v1', kind: 'ConfigMap', metadata, data: { generation: String(generation) } }
    : { apiVersion: 'v1', kind: 'Pod', metadata, spec: { containers: [{ name: 'web', image: 'kubelab/web:1' }] } };
}

/** A writer: creates, updates (its own objects, with their resourceVersion) and deletes until the deadline. */
async function writer(id: number, until: number, acks: Ack[], errors: string[]): Promise<void> {
  const owned: { kind: Kind; namespace: string; name: string; object: any; generation: number }[] = [];
  let made = 0;
  let seed = id * 7919;
  const random = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; };
  while (Date.now() < until) {
    const roll = random();
    if (owned.length < 3 || roll < 0.4) {
      const kind = KINDS[Math.floor(random() * 2)];
      const namespace = NAMESPACES[Math.floor(random() * 2)];
      const name = `w${id}-${made++}`;
      const res = await api.request({ method: 'POST', path: collection(kind, namespace), body: manifest(kind, name, 0) });
      if (res.status !== 201) { errors.push(`create ${namespace}/${name}: ${res.status} ${res.text.slice(0, 200)}`); continue; }
      owned.push({ kind, namespace, name, object: res.json, generation: 0 });
      acks.push({ kind, key: `${namespace}/${name}`, type: 'ADDED', rv: Number(res.json.metadata.resourceVersion) });
    } else if (roll < 0.8) {
      const target = owned[Math.floor(random() * owned.length)];
      target.generation++;
      const body = { ...target.object, metadata: { ...target.object.metadata, labels: { generation: String(target.generation) } } };
      if (target.kind === 'configmaps') body.data = { generation: String(target.generation) };
      const res = await api.request({ method: 'PUT', path: `${collection(target.kind, target.namespace)}/${target.name}`, body });
      if (res.status !== 200) { errors.push(`update ${target.namespace}/${target.name}: ${res.status} ${res.text.slice(0, 200)}`); continue; }
      target.object = res.json;
      acks.push({ kind: target.kind, key: `${target.namespace}/${target.name}`, type: 'MODIFIED', rv: Number(res.json.metadata.resourceVersion) });
    } else {
      const [target] = owned.splice(Math.floor(random() * owned.length), 1);
      const res = await api.request({ method: 'DELETE', path: `${collection(target.kind, target.namespace)}/${target.name}?gracePeriodSeconds=0` });
      if (res.status !== 200) { errors.push(`delete ${target.namespace}/${target.name}: ${res.status} ${res.text.slice(0, 200)}`); continue; }
      acks.push({ kind: target.kind, key: `${target.namespace}/${target.name}`, type: 'DELETED' });
    }
  }
}

/** A watcher: the list it started from, and the watch from that list's resourceVersion. */
interface Watcher {
  label: string;
  kind: Kind;
  namespace?: string;
  startRv: number;
  /** key → resourceVersion at startRv. */
  initial: Map<string, number>;
  stream: WatchStream;
}

async function listState(kind: Kind, namespace?: string): Promise<{ rv: number; state: Map<string, number> }> {
  const res = await api.request({ path: collection(kind, namespace) });
  if (res.status !== 200) throw new Error(`list ${kind}: ${res.status} ${res.text}`);
  const state = new Map<string, number>(res.json.items.map((o: any) => [`${o.metadata.namespace}/${o.metadata.name}`, Number(o.metadata.resourceVersion)]));
  return { rv: Number(res.json.metadata.resourceVersion), state };
}

async function startWatcher(i: number, when: string): Promise<Watcher> {
  const kind = KINDS[i % 2];
  const namespace = i % 3 === 0 ? undefined : NAMESPACES[Math.floor(i / 3) % 2];
  const { rv, state } = await listState(kind, namespace);
  const stream = api.watch(`${collection(kind, namespace)}?watch=true&resourceVersion=${rv}&timeoutSeconds=300`);
  expect(await stream.status).toBe(200);
  return { label: `watcher ${i} (${kind} in ${namespace ?? 'all namespaces'}, from ${when} rv ${rv})`, kind, namespace, startRv: rv, initial: state, stream };
}

/** Everything wrong with what one watcher saw, given every acknowledged write. */
function problems(w: Watcher, acks: Ack[], finalState: Map<string, number>): string[] {
  const found: string[] = [];
  const inScope = (key: string) => !w.namespace || key.startsWith(`${w.namespace}/`);
  const events = w.stream.events.filter((e) => e.type !== 'BOOKMARK');
  const bad = events.filter((e) => !['ADDED', 'MODIFIED', 'DELETED'].includes(e.type));
  if (bad.length) found.push(`unexpected events: ${JSON.stringify(bad.slice(0, 3))}`);

  // Strictly increasing resourceVersions (which also rules out duplicates).
  let last = w.startRv;
  for (const e of events) {
    const rv = Number(e.object?.metadata?.resourceVersion);
    if (!(rv > last)) found.push(`${e.type} ${e.object?.metadata?.name} at rv ${rv} after rv ${last}`);
    last = Math.max(last, rv);
  }

  // Every acknowledged create and update after the start, exactly once; nothing else.
  const seen = new Map<string, number>();
  for (const e of events) {
    const key = `${e.object.metadata.namespace}/${e.object.metadata.name}`;
    const id = e.type === 'DELETED' ? `DELETED ${key}` : `${key}@${e.object.metadata.resourceVersion}`;
    seen.set(id, (seen.get(id) ?? 0) + 1);
    if (!inScope(key)) found.push(`an event for ${key}, outside the watch's namespace`);
  }
  const mine = acks.filter((a) => a.kind === w.kind && inScope(a.key));
  const existed = new Set([...w.initial.keys(), ...mine.filter((a) => a.type === 'ADDED' && a.rv! > w.startRv).map((a) => a.key)]);
  const expected = new Set<string>();
  for (const a of mine) {
    if (a.type === 'DELETED') { if (existed.has(a.key)) expected.add(`DELETED ${a.key}`); }
    else if (a.rv! > w.startRv) expected.add(`${a.key}@${a.rv}`);
  }
  const missing = [...expected].filter((id) => !seen.has(id));
  const twice = [...seen].filter(([, n]) => n > 1).map(([id]) => id);
  const unknown = [...seen.keys()].filter((id) => !expected.has(id));
  if (missing.length) found.push(`${missing.length} acknowledged writes never seen, e.g. ${missing.slice(0, 3).join(', ')}`);
  if (twice.length) found.push(`seen more than once: ${twice.slice(0, 3).join(', ')}`);
  if (unknown.length) found.push(`events for writes nobody acknowledged: ${unknown.slice(0, 3).join(', ')}`);

  // The state rebuilt from the start list and the events equals a fresh list.
  const state = new Map(w.initial);
  for (const e of events) {
    const key = `${e.object.metadata.namespace}/${e.object.metadata.name}`;
    if (e.type === 'DELETED') state.delete(key);
    else state.set(key, Number(e.object.metadata.resourceVersion));
  }
  const want = new Map([...finalState].filter(([key]) => inScope(key)));
  const diff = [...new Set([...state.keys(), ...want.keys()])].filter((k) => state.get(k) !== want.get(k));
  if (diff.length) found.push(`rebuilt state differs from a fresh list at ${diff.length} objects, e.g. ${diff.slice(0, 3).map((k) => `${k}: ${state.get(k)} vs ${want.get(k)}`).join(', ')}`);
  return found;
}

describe('watch consistency under concurrent writes', () => {
  it(`${WATCHERS} watchers see every write of ${WRITERS} writers exactly once, in order, and end equal to a list`, async () => {
    const watchers: Watcher[] = [];
    for (let i = 0; i < WATCHERS / 2; i++) watchers.push(await startWatcher(i, 'the start'));

    const acks: Ack[] = [];
    const errors: string[] = [];
    const until = Date.now() + WRITE_SECONDS * 1000;
    const writing = Promise.all(Array.from({ length: WRITERS }, (_, id) => writer(id, until, acks, errors)));
    // The other half starts mid-stream, from the resourceVersion of a list taken while writes go on.
    await new Promise((r) => setTimeout(r, (WRITE_SECONDS * 1000) / 3));
    const late = Array.from({ length: WATCHERS / 2 }, (_, k) => startWatcher(WATCHERS / 2 + k, 'mid-stream'));
    watchers.push(...await Promise.all(late));
    const midStarted = Date.now();
    await writing;
    // The mid-stream watchers must have overlapped the writes for the test to mean anything.
    expect(until - midStarted, 'the mid-stream watchers started before the writes ended').toBeGreaterThan(1000);
    expect(errors, 'every write was acknowledged').toEqual([]);

    // A fence: one more object of each kind in each namespace, written after every other write.
    // A watcher that has seen the fences of its scope has been sent everything before them.
    for (const kind of KINDS) {
      for (const namespace of NAMESPACES) {
        const res = await api.request({ method: 'POST', path: collection(kind, namespace), body: manifest(kind, 'fence', 0) });
        expect(res.status).toBe(201);
        acks.push({ kind, key: `${namespace}/fence`, type: 'ADDED', rv: Number(res.json.metadata.resourceVersion) });
      }
    }
    const lastRv = Math.max(...acks.filter((a) => a.rv).map((a) => a.rv!));
    for (const w of watchers) {
      for (const namespace of w.namespace ? [w.namespace] : NAMESPACES) {
        await w.stream.waitFor((e) => e.object?.metadata?.name === 'fence' && e.object.metadata.namespace === namespace, 30_000)
          .catch(() => { throw new Error(`${w.label}: no fence event from ${namespace} within 30 s (saw ${w.stream.events.length} events)`); });
      }
    }
    await new Promise((r) => setTimeout(r, 500)); // room for a late duplicate to show up

    const finals: Record<Kind, Map<string, number>> = { configmaps: (await listState('configmaps')).state, pods: (await listState('pods')).state };
    const counts = KINDS.map((k) => `${k}: ${acks.filter((a) => a.kind === k).length}`).join(', ');
    console.log(`watch consistency: ${acks.length} acknowledged writes (${counts}) up to rv ${lastRv}; events per watcher ${watchers.map((w) => w.stream.events.length).join(' ')}`);
    const report = watchers.flatMap((w) => problems(w, acks, finals[w.kind]).map((p) => `${w.label}: ${p}`));
    for (const w of watchers) w.stream.close();
    expect(report).toEqual([]);
    expect(acks.filter((a) => a.type === 'DELETED').length, 'the writers deleted too').toBeGreaterThan(0);
    expect(acks.filter((a) => a.type === 'MODIFIED').length, 'the writers updated too').toBeGreaterThan(0);
  }, 180_000);
});
