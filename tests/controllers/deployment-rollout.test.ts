// The Deployment controller with the ReplicaSet controller, in the test process,
// against an in-process API server. No scheduler and no node agent: the test
// plays the node by writing each pod's Ready condition itself, one pod at a
// time when it wants to watch a rollout step by step. Unscheduled pods are
// deleted at once, so "pods" below are exactly the pods that exist.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../reference/src/api/types.ts';
import { ApiStatusError, type ApiClient } from '../../reference/src/client/api-client.ts';
import { Informer } from '../../reference/src/client/informer.ts';
import { DEPLOYMENTS, EVENTS, PODS, REPLICASETS, resourcePath } from '../../reference/src/client/paths.ts';
import { DeploymentController } from '../../reference/src/controllers/deployment/deployment-controller.ts';
import { computeHash } from '../../reference/src/controllers/deployment/pod-template-hash.ts';
import { ReplicaSetController } from '../../reference/src/controllers/replicaset/replicaset-controller.ts';
import { startTestApiServer } from '../support/apiserver.ts';
import { runControllers, until } from '../support/controllers.ts';

const NS = 'default';
let api: Awaited<ReturnType<typeof startTestApiServer>>;
let manager: Awaited<ReturnType<typeof runControllers>>;
let pods: Informer;
/** Names of deployments whose pods the fake node makes Ready as soon as they appear. */
const autoReady = new Set<string>();

const client = () => manager.client;

/** Paths whose PATCH the Deployment controller sees fail with 409, as if the object had just changed. */
const conflictingPatches = new Set<string>();
function withConflicts(real: ApiClient): ApiClient {
  const faulty: ApiClient = Object.create(real);
  faulty.patch = ((path: string, ...rest: [unknown, never]) => {
    if (conflictingPatches.has(path)) return Promise.reject(new ApiStatusError(409, { reason: 'Conflict', message: 'the object has been modified' }));
    return real.patch(path, ...rest);
  }) as ApiClient['patch'];
  return faulty;
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function manifest(name: string, spec: Record<string, unknown> = {}, image = 'kubelab/web:1'): KubeObject {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name },
    spec: {
      replicas: 4, selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'web', image }] } },
      ...spec,
    },
  };
}

const isReady = (p: KubeObject) => (p.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True');
const podsOf = (app: string) => pods.list().filter((p) => p.metadata.labels?.app === app && !p.metadata.deletionTimestamp);
const imageOf = (p: KubeObject) => p.spec.containers[0].image;

async function makeReady(p: KubeObject, ready = true): Promise<void> {
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  await client().patch(resourcePath(PODS, NS, p.metadata.name, 'status'), {
    status: { phase: 'Running', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: now }] },
  }).catch(() => undefined); // deleted meanwhile
}

const getDeployment = (name: string) => client().get<KubeObject>(resourcePath(DEPLOYMENTS, NS, name));
async function replicaSetsOf(d: KubeObject): Promise<KubeObject[]> {
  const list = await client().get<{ items: KubeObject[] }>(resourcePath(REPLICASETS, NS));
  return list.items.filter((rs) => rs.metadata.ownerReferences?.some((o) => o.uid === d.metadata.uid && o.controller));
}

/** Waits for what `kubectl rollout status` waits for; returns the Deployment. */
async function untilRolledOut(name: string, timeoutMs = 8000): Promise<KubeObject> {
  return until(`deployment ${name} rolled out`, async () => {
    const d = await getDeployment(name);
    const s = d.status ?? {};
    const replicas = d.spec.replicas;
    const done = (s.observedGeneration ?? 0) >= d.metadata.generation! && (s.updatedReplicas ?? 0) === replicas
      && (s.replicas ?? 0) === replicas && (s.availableReplicas ?? 0) === replicas;
    return done ? d : undefined;
  }, timeoutMs);
}

const progressing = (d: KubeObject) => (d.status?.conditions ?? []).find((c: any) => c.type === 'Progressing');

beforeAll(async () => {
  api = await startTestApiServer();
  manager = await runControllers(api.endpoint, [
    (ctx) => new ReplicaSetController(ctx),
    (ctx) => new DeploymentController({ ...ctx, client: withConflicts(ctx.client) }),
  ]);
  pods = new Informer(manager.client, PODS, { namespace: NS });
  pods.addEventHandler({ onAdd: (p) => { if (autoReady.has(p.metadata.labels?.app ?? '')) void makeReady(p); } });
  await pods.start();
});

afterAll(async () => {
  pods?.stop();
  manager?.stop();
  await api?.stop();
});

describe('DeploymentController', () => {
  it('creates one ReplicaSet named after the template hash, owned by the Deployment, and reports the rollout', async () => {
    autoReady.add('hello');
    const created = await client().create<KubeObject>(resourcePath(DEPLOYMENTS, NS), manifest('hello', { replicas: 3 }));
    const d = await untilRolledOut('hello');
    const [rs] = await replicaSetsOf(created);
    const hash = rs.metadata.labels!['pod-template-hash'];
    expect(hash).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]+$/);
    expect(rs.metadata.name).toBe(`hello-${hash}`);
    expect(rs.spec.selector.matchLabels).toEqual({ app: 'hello', 'pod-template-hash': hash });
    expect(rs.spec.template.metadata.labels).toEqual({ app: 'hello', 'pod-template-hash': hash });
    expect(rs.metadata.ownerReferences).toEqual([{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'hello', uid: created.metadata.uid, controller: true, blockOwnerDeletion: true }]);
    expect(rs.metadata.annotations).toMatchObject({
      'deployment.kubernetes.io/revision': '1', 'deployment.kubernetes.io/desired-replicas': '3', 'deployment.kubernetes.io/max-replicas': '4',
    });
    expect(d.metadata.annotations?.['deployment.kubernetes.io/revision']).toBe('1');
    expect(d.status).toMatchObject({ observedGeneration: 1, replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3 });
    expect(d.status.unavailableReplicas).toBeUndefined();
    const conditions = await until('Progressing NewReplicaSetAvailable', async () => {
      const now = await getDeployment('hello');
      return progressing(now)?.reason === 'NewReplicaSetAvailable' ? now.status.conditions : undefined;
    });
    expect(conditions).toMatchObject([
      { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable' },
      { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable', message: `ReplicaSet "hello-${hash}" has successfully progressed.` },
    ]);
    const events = await client().get<{ items: KubeObject[] }>(resourcePath(EVENTS, NS));
    expect(events.items.map((e) => e.message)).toContain(`Scaled up replica set hello-${hash} from 0 to 3`);
  });

  it('rolls a new template out step by step within maxSurge and maxUnavailable, then rolls back to the old ReplicaSet', async () => {
    autoReady.add('roll');
    const created = await client().create<KubeObject>(resourcePath(DEPLOYMENTS, NS),
      manifest('roll', { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 1 } } }));
    await untilRolledOut('roll');
    autoReady.delete('roll');
    const [first] = await replicaSetsOf(created);

    // From here every pod event is checked: at most 4 + 1 pods, at least 4 - 1 ready.
    const seen: string[] = [];
    const check = () => {
      const live = podsOf('roll');
      const ready = live.filter(isReady).length;
      seen.push(`${live.length}/${ready}`);
      if (live.length > 5 || ready < 3) throw new Error(`bounds broken: ${live.length} pods, ${ready} ready`);
    };
    let broken: Error | undefined;
    const guard = (fn: () => void) => { try { fn(); } catch (err) { broken ??= err as Error; } };
    pods.addEventHandler({ onAdd: () => guard(check), onUpdate: () => guard(check), onDelete: () => guard(check) });

    await client().patch(resourcePath(DEPLOYMENTS, NS, 'roll'), { spec: { template: { spec: { containers: [{ name: 'web', image: 'kubelab/web:2' }] } } } }, 'strategic');
    // Play the node: make one new pod ready at a time, after the controllers have settled.
    for (let i = 0; i < 40; i++) {
      await sleep(150);
      const d = await getDeployment('roll');
      if ((d.status?.updatedReplicas ?? 0) === 4 && (d.status?.replicas ?? 0) === 4 && (d.status?.availableReplicas ?? 0) === 4) break;
      const waiting = podsOf('roll').find((p) => imageOf(p) === 'kubelab/web:2' && !isReady(p));
      if (waiting) await makeReady(waiting);
    }
    const d = await untilRolledOut('roll');
    expect(broken).toBeUndefined();
    expect(seen.length).toBeGreaterThan(8);
    expect(podsOf('roll').map(imageOf)).toEqual(Array(4).fill('kubelab/web:2'));
    const after = await replicaSetsOf(created);
    expect(after).toHaveLength(2);
    const second = after.find((rs) => rs.metadata.uid !== first.metadata.uid)!;
    expect(second.metadata.annotations?.['deployment.kubernetes.io/revision']).toBe('2');
    expect(after.find((rs) => rs.metadata.uid === first.metadata.uid)!.spec.replicas).toBe(0);
    expect(d.metadata.annotations?.['deployment.kubernetes.io/revision']).toBe('2');

    // `kubectl rollout undo`: the old template, without its hash label, JSON-patched into the Deployment.
    autoReady.add('roll');
    const oldTemplate = structuredClone(first.spec.template);
    delete oldTemplate.metadata.labels['pod-template-hash'];
    oldTemplate.metadata.creationTimestamp = null;
    oldTemplate.spec.containers[0].resources = {};
    await client().patch(resourcePath(DEPLOYMENTS, NS, 'roll'), [
      { op: 'replace', path: '/spec/template', value: oldTemplate },
      { op: 'replace', path: '/metadata/annotations', value: { 'deployment.kubernetes.io/revision': '2' } },
    ], 'json');
    const back = await untilRolledOut('roll');
    await sleep(200);
    const rss = await replicaSetsOf(created);
    expect(rss).toHaveLength(2); // the old ReplicaSet came back; no third one
    const reused = rss.find((rs) => rs.metadata.uid === first.metadata.uid)!;
    expect(reused.spec.replicas).toBe(4);
    expect(reused.metadata.annotations).toMatchObject({ 'deployment.kubernetes.io/revision': '3', 'deployment.kubernetes.io/revision-history': '1' });
    expect((await getDeployment('roll')).metadata.annotations?.['deployment.kubernetes.io/revision']).toBe('3');
    expect(back.status.updatedReplicas).toBe(4);
  });

  it('Recreate makes the new ReplicaSet only once every old pod is gone', async () => {
    autoReady.add('recreate');
    const created = await client().create<KubeObject>(resourcePath(DEPLOYMENTS, NS), manifest('recreate', { replicas: 2, strategy: { type: 'Recreate' } }));
    await untilRolledOut('recreate');
    let together = false;
    pods.addEventHandler({ onAdd: (p) => {
      if (p.metadata.labels?.app !== 'recreate') return;
      if (podsOf('recreate').some((q) => imageOf(q) !== imageOf(p))) together = true;
    } });
    await client().patch(resourcePath(DEPLOYMENTS, NS, 'recreate'), { spec: { template: { spec: { containers: [{ name: 'web', image: 'kubelab/web:2' }] } } } }, 'strategic');
    await untilRolledOut('recreate');
    expect(together).toBe(false);
    expect(podsOf('recreate').map(imageOf)).toEqual(['kubelab/web:2', 'kubelab/web:2']);
    expect(await replicaSetsOf(created)).toHaveLength(2);
  });

  it('paused: a new template makes no ReplicaSet, scaling still applies; resumed, the rollout goes on', async () => {
    autoReady.add('paused');
    const created = await client().create<KubeObject>(resourcePath(DEPLOYMENTS, NS), manifest('paused', { replicas: 2 }));
    await untilRolledOut('paused');
    await client().patch(resourcePath(DEPLOYMENTS, NS, 'paused'), { spec: { paused: true } });
    await until('Progressing DeploymentPaused', async () => (progressing(await getDeployment('paused'))?.reason === 'DeploymentPaused' ? true : undefined));
    await client().patch(resourcePath(DEPLOYMENTS, NS, 'paused'), { spec: { replicas: 3, template: { metadata: { annotations: { note: 'v2' } } } } });
    await until('3 pods of the first ReplicaSet', async () => (podsOf('paused').length === 3 ? true : undefined));
    await sleep(300);
    expect(await replicaSetsOf(created)).toHaveLength(1);
    expect(progressing(await getDeployment('paused'))).toMatchObject({ status: 'Unknown', reason: 'DeploymentPaused', message: 'Deployment is paused' });

    await client().patch(resourcePath(DEPLOYMENTS, NS, 'paused'), { spec: { paused: false } });
    await until('a second ReplicaSet', async () => ((await replicaSetsOf(created)).length === 2 ? true : undefined));
    const d = await untilRolledOut('paused');
    expect(d.status.replicas).toBe(3);
    expect(podsOf('paused').every((p) => p.metadata.annotations?.note === 'v2')).toBe(true);
  });

  it('keeps revisionHistoryLimit old ReplicaSets', async () => {
    autoReady.add('history');
    const created = await client().create<KubeObject>(resourcePath(DEPLOYMENTS, NS), manifest('history', { replicas: 1, revisionHistoryLimit: 1 }));
    await untilRolledOut('history');
    for (const version of ['2', '3']) {
      await client().patch(resourcePath(DEPLOYMENTS, NS, 'history'), { spec: { template: { metadata: { annotations: { version } } } } });
      await untilRolledOut('history');
    }
    const rss = await until('two ReplicaSets left', async () => {
      const list = await replicaSetsOf(created);
      return list.length === 2 ? list : undefined;
    });
    expect(rss.map((rs) => rs.metadata.annotations?.['deployment.kubernetes.io/revision']).sort()).toEqual(['2', '3']);
  });

  it('a rollout whose pods never become ready exceeds its progress deadline', async () => {
    await client().create<KubeObject>(resourcePath(DEPLOYMENTS, NS), manifest('stuck', { replicas: 1, progressDeadlineSeconds: 1 }));
    const cond = await until('ProgressDeadlineExceeded', async () => {
      const c = progressing(await getDeployment('stuck'));
      return c?.reason === 'ProgressDeadlineExceeded' ? c : undefined;
    }, 6000);
    expect(cond).toMatchObject({ status: 'False', message: expect.stringMatching(/^ReplicaSet "stuck-[a-z0-9]+" has timed out progressing\.$/) });
  });

  it('a rollout that finished long ago is not re-checked again and again when a pod turns unready', async () => {
    autoReady.add('idle');
    await client().create<KubeObject>(resourcePath(DEPLOYMENTS, NS), manifest('idle', { replicas: 2, progressDeadlineSeconds: 1 }));
    await untilRolledOut('idle');
    await until('Progressing NewReplicaSetAvailable', async () => (progressing(await getDeployment('idle'))?.reason === 'NewReplicaSetAvailable' ? true : undefined));
    await sleep(1100); // the deadline, counted from the end of the rollout, has passed

    const controller = manager.controllers.find((c) => c instanceof DeploymentController)!;
    const reconcile = controller.reconcile.bind(controller);
    let reconciles = 0;
    controller.reconcile = (key) => {
      if (key === `${NS}/idle`) reconciles++;
      return reconcile(key);
    };
    try {
      await makeReady(podsOf('idle')[0], false);
      await until('one pod unavailable', async () => ((await getDeployment('idle')).status?.availableReplicas === 1 ? true : undefined));
      const settled = reconciles;
      await sleep(1000);
      // Nothing changed meanwhile: no reason to look at it again (a busy loop made hundreds).
      expect(reconciles - settled).toBeLessThan(5);
      expect(progressing(await getDeployment('idle'))).toMatchObject({ status: 'True', reason: 'NewReplicaSetAvailable' });
    } finally {
      controller.reconcile = reconcile;
    }
  });

  it('an orphan ReplicaSet it fails to adopt (409) is adopted on a later try, not taken for a hash collision', async () => {
    autoReady.add('adopt');
    const created = await client().create<KubeObject>(resourcePath(DEPLOYMENTS, NS), manifest('adopt', { replicas: 1, paused: true }));
    // The ReplicaSet the rollout would create, already there and nobody's.
    const hash = computeHash(created.spec.template);
    const name = `adopt-${hash}`;
    const labels = { ...created.spec.template.metadata.labels, 'pod-template-hash': hash };
    conflictingPatches.add(resourcePath(REPLICASETS, NS, name));
    await client().create(resourcePath(REPLICASETS, NS), {
      apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name, labels },
      spec: { replicas: 0, selector: { matchLabels: labels }, template: { ...created.spec.template, metadata: { labels } } },
    });
    await sleep(200);
    // Resumed while the adoption still fails: the rollout must not go on as if the orphan were not there.
    await client().patch(resourcePath(DEPLOYMENTS, NS, 'adopt'), { spec: { paused: false } });
    await sleep(500);
    conflictingPatches.clear();

    const d = await untilRolledOut('adopt');
    expect(d.status.collisionCount).toBeUndefined();
    const rss = await replicaSetsOf(created);
    expect(rss.map((rs) => rs.metadata.name)).toEqual([name]);
    expect(rss[0].spec.replicas).toBe(1);
  });

  it('puts back a ReplicaSet scaled by hand', async () => {
    autoReady.add('keep');
    const created = await client().create<KubeObject>(resourcePath(DEPLOYMENTS, NS), manifest('keep', { replicas: 2 }));
    await untilRolledOut('keep');
    const [rs] = await replicaSetsOf(created);
    await client().patch(resourcePath(REPLICASETS, NS, rs.metadata.name, 'scale'), { spec: { replicas: 5 } });
    await until('back to 2', async () => {
      const now = await client().get<KubeObject>(resourcePath(REPLICASETS, NS, rs.metadata.name));
      return now.spec.replicas === 2 && podsOf('keep').length === 2 ? true : undefined;
    });
  });
});
