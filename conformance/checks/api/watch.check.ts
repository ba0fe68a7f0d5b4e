// Watch: ?watch=1 streams one JSON event per line ({type, object}) for every change
// of the kind: ADDED, MODIFIED, DELETED, in the order the changes happened. From a
// resourceVersion the stream replays the changes after it (this is how a client
// lists, then watches, and misses nothing); without one it starts with an ADDED
// event per existing object. A label selector filters the stream. A resourceVersion
// older than the history the server keeps (compaction) is answered with 410.

import { inject } from 'vitest';
import { check } from '../../lib/check.ts';
import { plain, type CheckContext } from '../../lib/context.ts';
import type { WatchStream } from '../../harness/raw-client.ts';
import { configMapManifest, sleep } from './support.ts';

const CITES = 'kubernetes.io/docs/reference/using-api/api-concepts/ (Efficient detection of changes, Semantics for watch)';

type Event = { type: string; object: any };

function summary(events: Event[]): string[] {
  return events.map((e) => `${e.type} ${e.object?.metadata?.name ?? e.object?.reason ?? ''} rv=${e.object?.metadata?.resourceVersion ?? ''}`);
}

async function waitForEvent(t: CheckContext, w: WatchStream, what: string, predicate: (e: Event) => boolean, timeoutMs = 10_000): Promise<Event> {
  try {
    return await w.waitFor(predicate, timeoutMs);
  } catch {
    const status = await Promise.race([w.status, sleep(0).then(() => 'no response yet')]);
    t.fail(`${what} within ${timeoutMs / 1000} s`, `HTTP ${status}; events: ${JSON.stringify(summary(w.events))}`, [{ label: 'events received', value: w.events }]);
  }
}

function expectSequence(t: CheckContext, events: Event[], expected: string[], what: string): void {
  const seen = events.map((e) => `${e.type} ${e.object?.metadata?.name}`);
  if (JSON.stringify(seen) !== JSON.stringify(expected)) {
    t.fail(`${what}: events [${expected.join(', ')}]`, `[${seen.join(', ')}]`, [{ label: 'events received', value: events }]);
  }
}

async function listVersion(t: CheckContext, namespace: string): Promise<string> {
  const list = await t.core.listNamespacedConfigMap({ namespace });
  const rv = list.metadata?.resourceVersion;
  if (!rv) t.fail('a resourceVersion on the list', 'none', [{ label: 'list metadata', value: plain(list.metadata) }]);
  return rv;
}

/** Events about objects this check made (a real cluster adds kube-root-ca.crt to every namespace). */
function ours(events: Event[], names: string[]): Event[] {
  return events.filter((e) => names.includes(e.object?.metadata?.name));
}

check({
  id: 'api.watch.events',
  title: 'A watch sees ADDED, MODIFIED and DELETED, in order, for a create, an update and a delete; each event carries the object at that resourceVersion',
  lab: 'api', points: 3, cites: CITES,
}, async (t) => {
  const namespace = await t.namespace();
  const rv = await listVersion(t, namespace);
  t.step(`watch ConfigMaps in ${namespace} from resourceVersion ${rv}`);
  const w = t.watch(`/api/v1/namespaces/${namespace}/configmaps?watch=1&resourceVersion=${rv}`);
  t.step('create, update, delete ConfigMap live');
  const created = await t.core.createNamespacedConfigMap({ namespace, body: configMapManifest('live', namespace, { v: '1' }) });
  const updated = await t.core.replaceNamespacedConfigMap({ name: 'live', namespace, body: { ...created, data: { v: '2' } } });
  await t.core.deleteNamespacedConfigMap({ name: 'live', namespace });
  await waitForEvent(t, w, 'a DELETED event for live', (e) => e.type === 'DELETED' && e.object?.metadata?.name === 'live');
  if ((await w.status) !== 200) t.fail('the watch to answer 200', `HTTP ${await w.status}`);
  const events = ours(w.events, ['live']);
  expectSequence(t, events, ['ADDED live', 'MODIFIED live', 'DELETED live'], 'create, update, delete');
  const [added, modified, deleted] = events;
  if (added.object.metadata.resourceVersion !== created.metadata?.resourceVersion || added.object.data?.v !== '1' || added.object.kind !== 'ConfigMap') {
    t.fail(`ADDED to carry the created ConfigMap (kind ConfigMap, resourceVersion ${created.metadata?.resourceVersion}, data.v "1")`,
      JSON.stringify({ kind: added.object.kind, resourceVersion: added.object.metadata.resourceVersion, data: added.object.data }), [{ label: 'ADDED event', value: added }]);
  }
  if (modified.object.metadata.resourceVersion !== updated.metadata?.resourceVersion || modified.object.data?.v !== '2') {
    t.fail(`MODIFIED to carry the updated ConfigMap (resourceVersion ${updated.metadata?.resourceVersion}, data.v "2")`,
      JSON.stringify({ resourceVersion: modified.object.metadata.resourceVersion, data: modified.object.data }), [{ label: 'MODIFIED event', value: modified }]);
  }
  if (deleted.object.metadata?.uid !== created.metadata?.uid) {
    t.fail('DELETED to carry the deleted object (same uid)', `uid ${deleted.object.metadata?.uid}`, [{ label: 'DELETED event', value: deleted }]);
  }
});

check({
  id: 'api.watch.resume',
  title: 'A watch from a list\'s resourceVersion, opened after more changes were made, replays exactly those changes in order and nothing from before',
  lab: 'api', points: 3, cites: CITES,
}, async (t) => {
  const namespace = await t.namespace();
  t.step('create ConfigMaps a, b, c');
  const [a] = await Promise.all(['a', 'b', 'c'].map((name) => t.core.createNamespacedConfigMap({ namespace, body: configMapManifest(name, namespace, { v: '1' }) })));
  const rv = await listVersion(t, namespace);
  t.step(`list: resourceVersion ${rv}; then create d, update a, delete b`);
  await t.core.createNamespacedConfigMap({ namespace, body: configMapManifest('d', namespace) });
  await t.core.replaceNamespacedConfigMap({ name: 'a', namespace, body: { ...a, metadata: { ...a.metadata, resourceVersion: undefined }, data: { v: '2' } } });
  await t.core.deleteNamespacedConfigMap({ name: 'b', namespace });
  t.step(`watch from resourceVersion ${rv}`);
  const w = t.watch(`/api/v1/namespaces/${namespace}/configmaps?watch=1&resourceVersion=${rv}`);
  await waitForEvent(t, w, 'a DELETED event for b', (e) => e.type === 'DELETED' && e.object?.metadata?.name === 'b');
  await sleep(300);
  expectSequence(t, ours(w.events, ['a', 'b', 'c', 'd']), ['ADDED d', 'MODIFIED a', 'DELETED b'], `a watch from resourceVersion ${rv}`);
});

check({
  id: 'api.watch.initial-state',
  title: 'A watch without a resourceVersion starts with an ADDED event for every existing object, then streams new changes',
  lab: 'api', points: 1, cites: CITES,
}, async (t) => {
  const namespace = await t.namespace();
  t.step('create ConfigMaps a and b');
  await Promise.all(['a', 'b'].map((name) => t.core.createNamespacedConfigMap({ namespace, body: configMapManifest(name, namespace) })));
  t.step('watch without resourceVersion, then create c');
  const w = t.watch(`/api/v1/namespaces/${namespace}/configmaps?watch=1`);
  await waitForEvent(t, w, 'ADDED events for a and b', () => ours(w.events, ['a', 'b']).length >= 2);
  await t.core.createNamespacedConfigMap({ namespace, body: configMapManifest('c', namespace) });
  await waitForEvent(t, w, 'an ADDED event for c', (e) => e.type === 'ADDED' && e.object?.metadata?.name === 'c');
  const events = ours(w.events, ['a', 'b', 'c']);
  const first = events.slice(0, 2).map((e) => `${e.type} ${e.object?.metadata?.name}`).sort();
  if (JSON.stringify(first) !== JSON.stringify(['ADDED a', 'ADDED b']) || events.length !== 3) {
    t.fail('[ADDED a, ADDED b] (in any order), then ADDED c', JSON.stringify(summary(events)), [{ label: 'events received', value: w.events }]);
  }
});

check({
  id: 'api.watch.label-selector',
  title: 'A watch with a label selector sees only matching objects; an object that stops matching is sent as DELETED',
  lab: 'api', points: 2,
  cites: `${CITES}; k8s.io/apiserver/pkg/storage/cacher/cache_watcher.go (convertToWatchEvent)`,
}, async (t) => {
  const namespace = await t.namespace();
  const rv = await listVersion(t, namespace);
  t.step(`watch ConfigMaps with labelSelector=app=web from resourceVersion ${rv}`);
  const w = t.watch(`/api/v1/namespaces/${namespace}/configmaps?watch=1&resourceVersion=${rv}&labelSelector=${encodeURIComponent('app=web')}`);
  t.step('create other (app=db) and match (app=web); update other; relabel match to app=db; create marker (app=web)');
  const other = await t.core.createNamespacedConfigMap({ namespace, body: configMapManifest('other', namespace, { v: '1' }, { app: 'db' }) });
  const match = await t.core.createNamespacedConfigMap({ namespace, body: configMapManifest('match', namespace, { v: '1' }, { app: 'web' }) });
  await t.core.replaceNamespacedConfigMap({ name: 'other', namespace, body: { ...other, data: { v: '2' } } });
  await t.core.replaceNamespacedConfigMap({ name: 'match', namespace, body: { ...match, metadata: { ...match.metadata, labels: { app: 'db' } } } });
  await t.core.createNamespacedConfigMap({ namespace, body: configMapManifest('marker', namespace, { v: '1' }, { app: 'web' }) });
  await waitForEvent(t, w, 'an ADDED event for marker', (e) => e.type === 'ADDED' && e.object?.metadata?.name === 'marker');
  expectSequence(t, w.events, ['ADDED match', 'DELETED match', 'ADDED marker'], 'a watch with labelSelector=app=web');
});

const compactionInterval = inject('cluster').profile?.etcdCompactionIntervalSeconds;
const compactionWaitMs = typeof compactionInterval === 'number' ? (2 * compactionInterval + 2) * 1000 : 0;

check({
  id: 'api.watch.expired',
  title: 'A watch from a resourceVersion older than the compacted history fails with 410 (Expired or Gone): an HTTP 410, or an ERROR event with code 410',
  lab: 'api', points: 2,
  cites: `${CITES}; kubernetes/kubernetes#25369 (410 Gone through the watch stream)`,
  timeoutMs: compactionWaitMs + 30_000,
}, async (t) => {
  if (typeof compactionInterval !== 'number') {
    t.skip('the timing profile has no etcdCompactionIntervalSeconds, so there is no knowing when old history is compacted');
  }
  const namespace = await t.namespace();
  t.step('create ConfigMap ticker');
  let current = await t.core.createNamespacedConfigMap({ namespace, body: configMapManifest('ticker', namespace, { tick: '0' }) });
  const oldRv = current.metadata!.resourceVersion!;
  t.step(`resourceVersion ${oldRv}; update ticker every second for ${compactionWaitMs / 1000} s (2 compaction intervals + 2 s)`);
  const deadline = Date.now() + compactionWaitMs;
  for (let tick = 1; Date.now() < deadline; tick++) {
    current = await t.core.replaceNamespacedConfigMap({ name: 'ticker', namespace, body: { ...current, data: { tick: String(tick) } } });
    await sleep(1000);
  }
  t.step(`watch from resourceVersion ${oldRv}`);
  const w = t.watch(`/api/v1/namespaces/${namespace}/configmaps?watch=1&resourceVersion=${oldRv}`);
  const status = await w.status;
  if (status === 410) return; // refused before the stream started
  if (status !== 200) t.fail('HTTP 410, or HTTP 200 with an ERROR event', `HTTP ${status}`, [{ label: 'events', value: w.events }]);
  const error = await waitForEvent(t, w, 'an ERROR event', (e) => e.type === 'ERROR');
  if (w.events[0] !== error) {
    t.fail('the ERROR event first: history from that resourceVersion is gone', `events ${JSON.stringify(summary(w.events))}`, [{ label: 'events received', value: w.events }],
      'compaction must really forget old revisions, and a watch from before the compacted revision must not start');
  }
  if (error.object?.kind !== 'Status' || error.object?.code !== 410 || !['Expired', 'Gone'].includes(error.object?.reason)) {
    t.fail('an ERROR event whose object is a Status with code 410 and reason Expired (or Gone)', JSON.stringify(error.object), [{ label: 'ERROR event', value: error }]);
  }
  const closed = await Promise.race([w.closed.then(() => true), sleep(5000).then(() => false)]);
  if (!closed) t.fail('the server to end the watch after the ERROR event', 'the stream stayed open for 5 s', [{ label: 'events received', value: w.events }]);
});
