// The taint eviction controller: the toleration decision alone, then the whole
// controller against an in-process API server, the test setting node taints.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../reference/src/api/types.ts';
import { isNotFound } from '../../reference/src/client/api-client.ts';
import { EVENTS, NODES, PODS, resourcePath } from '../../reference/src/client/paths.ts';
import { evictionVerdict } from '../../reference/src/controllers/taint-eviction/tolerations.ts';
import { TaintEvictionController } from '../../reference/src/controllers/taint-eviction/taint-eviction-controller.ts';
import { startTestApiServer } from '../support/apiserver.ts';
import { runControllers, until } from '../support/controllers.ts';

const UNREACHABLE = { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' as const };
const NOT_READY = { key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' as const };
// The API server gives every pod tolerations for the two above (DefaultTolerationSeconds);
// the controller tests use a taint of their own, which no pod tolerates unless told to.
const BROKEN = { key: 'example.com/broken', effect: 'NoExecute' as const };

describe('eviction verdict', () => {
  it('an untolerated taint evicts now', () => {
    expect(evictionVerdict([UNREACHABLE], [])).toEqual({ evict: 'now' });
    expect(evictionVerdict([UNREACHABLE, NOT_READY], [{ key: UNREACHABLE.key, operator: 'Exists' }])).toEqual({ evict: 'now' });
  });

  it('tolerations without tolerationSeconds keep the pod for good', () => {
    expect(evictionVerdict([UNREACHABLE], [{ key: UNREACHABLE.key, operator: 'Exists', effect: 'NoExecute' }])).toEqual({ evict: 'never' });
    expect(evictionVerdict([UNREACHABLE, NOT_READY], [{ operator: 'Exists' }])).toEqual({ evict: 'never' });
    expect(evictionVerdict([], [])).toEqual({ evict: 'never' });
  });

  it('the shortest tolerationSeconds among the tolerations used wins; 0 or less is now', () => {
    const tolerations = [
      { key: UNREACHABLE.key, operator: 'Exists' as const, tolerationSeconds: 300 },
      { key: NOT_READY.key, operator: 'Exists' as const, tolerationSeconds: 60 },
      { key: 'unrelated', operator: 'Exists' as const, tolerationSeconds: 1 },
    ];
    expect(evictionVerdict([UNREACHABLE, NOT_READY], tolerations)).toEqual({ evict: 'after', seconds: 60 });
    expect(evictionVerdict([UNREACHABLE], tolerations)).toEqual({ evict: 'after', seconds: 300 });
    expect(evictionVerdict([UNREACHABLE], [{ operator: 'Exists', tolerationSeconds: 0 }])).toEqual({ evict: 'now' });
  });
});

describe('taint eviction controller', () => {
  let server: Awaited<ReturnType<typeof startTestApiServer>>;
  let controllers: Awaited<ReturnType<typeof runControllers>>;

  beforeAll(async () => {
    server = await startTestApiServer();
    controllers = await runControllers(server.endpoint, [(ctx) => new TaintEvictionController(ctx)]);
    for (const name of ['n1', 'n2']) {
      await controllers.client.create(resourcePath(NODES), { apiVersion: 'v1', kind: 'Node', metadata: { name }, spec: {} });
    }
  });
  afterAll(async () => {
    controllers?.stop();
    await server?.stop();
  });

  const client = () => controllers.client;

  async function podOn(name: string, nodeName: string, tolerations: unknown[] = []): Promise<void> {
    await client().create(resourcePath(PODS, 'default'), {
      apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' },
      spec: { nodeName, tolerations, containers: [{ name: 'c', image: 'kubelab/web:1' }] },
    });
  }

  async function read(name: string): Promise<KubeObject> {
    return client().get<KubeObject>(resourcePath(PODS, 'default', name));
  }

  /** Deleted: gone, or (bound to a node) terminating. */
  async function deleted(name: string): Promise<boolean> {
    try {
      const pod = await client().get<KubeObject>(resourcePath(PODS, 'default', name));
      return Boolean(pod.metadata.deletionTimestamp);
    } catch (err) {
      if (isNotFound(err)) return true;
      throw err;
    }
  }

  async function setTaints(nodeName: string, taints: unknown[]): Promise<void> {
    const node = await client().get<KubeObject>(resourcePath(NODES, undefined, nodeName));
    await client().update(resourcePath(NODES, undefined, nodeName), { ...node, spec: { ...node.spec, taints } });
  }

  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  it('evicts the untolerating now, the tolerating when tolerationSeconds run out, never the forever-tolerating', async () => {
    await podOn('intolerant', 'n1');
    await podOn('patient', 'n1', [{ key: BROKEN.key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 1 }]);
    await podOn('forever', 'n1', [{ key: BROKEN.key, operator: 'Exists', effect: 'NoExecute' }]);
    await podOn('elsewhere', 'n2');
    await sleep(200);
    const tainted = Date.now();
    await setTaints('n1', [BROKEN]);

    await until('the intolerant pod deleted', async () => ((await deleted('intolerant')) ? true : undefined), 2000);
    expect(await deleted('patient')).toBe(false);
    await until('the patient pod deleted', async () => ((await deleted('patient')) ? true : undefined), 3000);
    expect(Date.now() - tainted).toBeGreaterThanOrEqual(900);
    await sleep(500);
    expect(await deleted('forever')).toBe(false);
    expect(await deleted('elsewhere')).toBe(false);

    // Marked before it was deleted (addConditionAndDeletePod in taint_eviction.go); the others are not marked.
    const intolerant = await read('intolerant');
    expect(intolerant.status?.conditions).toContainEqual(expect.objectContaining({
      type: 'DisruptionTarget', status: 'True', reason: 'DeletionByTaintManager', message: 'Taint manager: deleting due to NoExecute taint',
    }));
    expect((await read('forever')).status?.conditions ?? []).not.toContainEqual(expect.objectContaining({ type: 'DisruptionTarget' }));

    const events = await client().get<{ items: KubeObject[] }>(resourcePath(EVENTS, 'default'));
    const eviction = events.items.find((e: any) => e.reason === 'TaintManagerEviction' && e.involvedObject.name === 'intolerant');
    expect(eviction).toMatchObject({ type: 'Normal', message: 'Marking for deletion Pod default/intolerant' });
  });

  it('a countdown stops when the taint goes before it runs out', async () => {
    await client().create(resourcePath(NODES), { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n3' }, spec: {} });
    await podOn('spared', 'n3', [{ key: BROKEN.key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 1 }]);
    await sleep(200);
    await setTaints('n3', [BROKEN]);
    await sleep(400);
    await setTaints('n3', []);
    await sleep(1200);
    expect(await deleted('spared')).toBe(false);
  });
});
