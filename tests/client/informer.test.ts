// The component client: an informer keeps a cache in step with the API server
// through list + watch, survives compaction (410) by listing again, and the
// work queue hands each key to one worker at a time.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApiServer } from '../support/apiserver.ts';
import { ApiClient } from '../../reference/src/client/api-client.ts';
import { Informer } from '../../reference/src/client/informer.ts';
import { CONFIGMAPS, resourcePath } from '../../reference/src/client/paths.ts';
import { WorkQueue, runWorkers } from '../../reference/src/client/workqueue.ts';

let api: Awaited<ReturnType<typeof startTestApiServer>>;
let client: ApiClient;
beforeAll(async () => {
  api = await startTestApiServer();
  client = new ApiClient({ apiUrl: api.endpoint.apiUrl, token: api.endpoint.token });
});
afterAll(async () => {
  client.close();
  await api.stop();
});

const cm = (name: string, data: Record<string, string> = {}) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data });
const until = async (what: string, probe: () => boolean) => {
  for (let i = 0; i < 100; i++) {
    if (probe()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
};

describe('Informer', () => {
  it('lists, then follows adds, updates and deletes', async () => {
    const ns = 'default';
    await client.create(resourcePath(CONFIGMAPS, ns), cm('before'));
    const informer = new Informer(client, CONFIGMAPS, { namespace: ns });
    const seen: string[] = [];
    informer.addEventHandler({
      onAdd: (o) => seen.push(`add ${o.metadata.name}`),
      onUpdate: (_old, o) => seen.push(`update ${o.metadata.name}`),
      onDelete: (o) => seen.push(`delete ${o.metadata.name}`),
    });
    await informer.start();
    expect(informer.get('default/before')).toBeDefined();
    await client.create(resourcePath(CONFIGMAPS, ns), cm('after'));
    await client.patch(resourcePath(CONFIGMAPS, ns, 'after'), { data: { x: '1' } });
    await client.delete(resourcePath(CONFIGMAPS, ns, 'before'));
    await until('three events', () => seen.length >= 4);
    informer.stop();
    expect(seen).toEqual(['add before', 'add after', 'update after', 'delete before']);
    expect(informer.get('default/after')?.data).toEqual({ x: '1' });
  });

  it('lists again when its watch is too old (410) and still sees every change', async () => {
    const informer = new Informer(client, CONFIGMAPS, { namespace: 'kube-public' });
    await informer.start();
    informer.stop(); // pause it, then make history it cannot resume from
    await client.create(resourcePath(CONFIGMAPS, 'kube-public'), cm('while-away'));
    await api.store.compact(await api.store.currentRevision());
    const resumed = new Informer(client, CONFIGMAPS, { namespace: 'kube-public' });
    (resumed as any).resourceVersion = '1';
    (resumed as any).synced = true;
    (resumed as any).startWatch();
    await until('the relist after 410', () => resumed.get('kube-public/while-away') !== undefined);
    resumed.stop();
  });
});

describe('WorkQueue', () => {
  it('never hands one key to two workers, and re-queues a key added while it is processed', async () => {
    const queue = new WorkQueue();
    const active = new Set<string>();
    const processed: string[] = [];
    let overlap = false;
    const done = runWorkers('test', queue, async (key) => {
      if (active.has(key)) overlap = true;
      active.add(key);
      await new Promise((r) => setTimeout(r, 20));
      processed.push(key);
      active.delete(key);
    }, 4);
    queue.add('a');
    queue.add('a'); // deduplicated while waiting
    await new Promise((r) => setTimeout(r, 5));
    queue.add('a'); // added while processing: once more afterwards
    queue.add('b');
    await until('three runs', () => processed.length >= 3);
    queue.shutDown();
    await done;
    expect(overlap).toBe(false);
    expect(processed.sort()).toEqual(['a', 'a', 'b']);
  });

  it('retries a failing key with back-off until it succeeds', async () => {
    const queue = new WorkQueue(5);
    let attempts = 0;
    const done = runWorkers('test', queue, async () => {
      attempts++;
      if (attempts < 3) throw new Error('not yet');
    });
    const errors = console.error;
    console.error = () => undefined;
    queue.add('flaky');
    await until('third attempt', () => attempts >= 3);
    console.error = errors;
    queue.shutDown();
    await done;
    expect(attempts).toBe(3);
  });
});
