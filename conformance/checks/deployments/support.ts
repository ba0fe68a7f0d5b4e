// What the deployments checks share: a Deployment of the lab's web image, the
// requests kubectl makes (strategic merge patch, `rollout undo`'s JSON patch),
// "rolled out" as `kubectl rollout status` means it, the ReplicaSets a
// Deployment controls, and a watch that replays every pod change in order.

import type { CheckContext } from '../../lib/context.ts';
import type { WatchStream } from '../../harness/raw-client.ts';
import { describePod, WEB } from '../pods/support.ts';

export const DOC = 'https://kubernetes.io/docs/concepts/workloads/controllers/deployment/';
export const WEB_2 = 'kubelab/web:2';
export const REVISION = 'deployment.kubernetes.io/revision';

/** A Deployment of kubelab/web selecting app=<name>; `spec` adds to its spec. Pods stop within a second. */
export function deploymentManifest(name: string, replicas: number, spec: Record<string, unknown> = {}, image = WEB): any {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: { name },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'web', image }] },
      },
      ...spec,
    },
  };
}

const path = (namespace: string, name = '', sub = '') =>
  `/apis/apps/v1/namespaces/${namespace}/deployments${name ? `/${name}` : ''}${sub ? `/${sub}` : ''}`;

export async function createDeployment(t: CheckContext, namespace: string, body: any): Promise<any> {
  const c = body.spec.template.spec.containers[0];
  t.step(`create Deployment ${body.metadata.name}: ${body.spec.replicas} × ${c.image}${body.spec.strategy ? `, strategy ${JSON.stringify(body.spec.strategy)}` : ''}`);
  const res = await t.raw({ method: 'POST', path: path(namespace), body });
  if (res.status !== 201) t.fail(`POST deployments to answer 201`, `HTTP ${res.status}: ${res.text.slice(0, 500)}`);
  return res.json;
}

/** PATCH the Deployment as kubectl does: strategic merge (set image, set env, rollout pause/restart), JSON patch (rollout undo), merge. */
export async function patchDeployment(t: CheckContext, namespace: string, name: string, body: unknown, type: 'strategic' | 'json' | 'merge' = 'strategic', sub = ''): Promise<any> {
  const contentType = { strategic: 'application/strategic-merge-patch+json', json: 'application/json-patch+json', merge: 'application/merge-patch+json' }[type];
  t.step(`PATCH deployments/${name}${sub ? `/${sub}` : ''} (${type}): ${JSON.stringify(body).slice(0, 200)}`);
  const res = await t.raw({ method: 'PATCH', path: path(namespace, name, sub), body: JSON.stringify(body), headers: { 'Content-Type': contentType } });
  if (res.status !== 200) t.fail(`the PATCH to answer 200`, `HTTP ${res.status}: ${res.text.slice(0, 500)}`);
  return res.json;
}

/** `kubectl set image deployment/<name> web=<image>`: the strategic merge patch kubectl sends. */
export function setImage(t: CheckContext, namespace: string, name: string, image: string): Promise<any> {
  return patchDeployment(t, namespace, name, { spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'web' }], containers: [{ image, name: 'web' }] } } } });
}

/** The annotations `kubectl rollout undo` keeps from the Deployment; the rest come from the ReplicaSet (rollback.go). */
const KEPT_FROM_DEPLOYMENT = [
  'kubectl.kubernetes.io/last-applied-configuration', REVISION, 'deployment.kubernetes.io/revision-history',
  'deployment.kubernetes.io/desired-replicas', 'deployment.kubernetes.io/max-replicas', 'deprecated.deployment.rollback.to',
];

/**
 * What `kubectl rollout undo` sends (k8s.io/kubectl/pkg/polymorphichelpers/rollback.go): a JSON patch
 * that puts the target ReplicaSet's template, without its hash label, back into the Deployment `d`,
 * and the ReplicaSet's annotations merged over the few the Deployment keeps.
 */
export async function rolloutUndo(t: CheckContext, namespace: string, d: any, target: any): Promise<any> {
  const template = structuredClone(target.spec.template);
  delete template.metadata.labels['pod-template-hash'];
  template.metadata.creationTimestamp = null;
  const annotations: Record<string, string> = {};
  for (const key of KEPT_FROM_DEPLOYMENT) if (d.metadata.annotations?.[key] !== undefined) annotations[key] = d.metadata.annotations[key];
  for (const [key, value] of Object.entries<string>(target.metadata.annotations ?? {})) if (!KEPT_FROM_DEPLOYMENT.includes(key)) annotations[key] = value;
  return patchDeployment(t, namespace, d.metadata.name, [
    { op: 'replace', path: '/spec/template', value: template },
    { op: 'replace', path: '/metadata/annotations', value: annotations },
  ], 'json');
}

export async function getDeployment(t: CheckContext, namespace: string, name: string): Promise<any> {
  const res = await t.raw({ path: path(namespace, name) });
  if (res.status !== 200) t.fail(`GET deployments/${name} to answer 200`, `HTTP ${res.status}: ${res.text.slice(0, 300)}`);
  return res.json;
}

/** The ReplicaSets whose controller ownerReference names this Deployment (by uid), as `kubectl rollout history` finds them. */
export async function replicaSetsOf(t: CheckContext, namespace: string, d: any): Promise<any[]> {
  const res = await t.raw({ path: `/apis/apps/v1/namespaces/${namespace}/replicasets` });
  return (res.json?.items ?? []).filter((rs: any) => (rs.metadata.ownerReferences ?? []).some((o: any) => o.controller && o.uid === d.metadata.uid));
}

export async function listPods(t: CheckContext, namespace: string, app: string): Promise<any[]> {
  const res = await t.raw({ path: `/api/v1/namespaces/${namespace}/pods?labelSelector=${encodeURIComponent(`app=${app}`)}` });
  return res.json?.items ?? [];
}

export function condition(d: any, type: string): any {
  return (d?.status?.conditions ?? []).find((c: any) => c.type === type);
}

/** Every pod wanted is updated and available, no old pod left, and the latest spec observed: what `kubectl rollout status` waits for. */
export function rolledOut(d: any): boolean {
  const s = d?.status ?? {};
  const replicas = d?.spec?.replicas ?? 1;
  return (s.observedGeneration ?? 0) >= (d?.metadata?.generation ?? 1) && (s.updatedReplicas ?? 0) === replicas
    && (s.replicas ?? 0) === replicas && (s.availableReplicas ?? 0) === replicas;
}

export async function untilRolledOut(t: CheckContext, namespace: string, name: string, timeoutMs = 20_000): Promise<any> {
  let last: any;
  return t.eventually(`Deployment ${name} rolled out (status.updatedReplicas = replicas = availableReplicas = spec.replicas, observedGeneration = generation)`, async () => {
    last = await getDeployment(t, namespace, name);
    return rolledOut(last) ? last : undefined;
  }, {
    timeoutMs,
    seen: async () => `generation ${last?.metadata?.generation}, status ${JSON.stringify(last?.status ?? {})}; pods: ${
      (await listPods(t, namespace, name)).map((p) => `${p.metadata.name} (${p.spec.containers[0].image}): ${describePod(p)}`).join('; ') || 'none'}`,
  });
}

export function imageOf(pod: any): string {
  return pod?.spec?.containers?.[0]?.image;
}

export function isTerminating(pod: any): boolean {
  return Boolean(pod.metadata?.deletionTimestamp) || pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
}

export function isReady(pod: any): boolean {
  return (pod.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True');
}

/**
 * The pods of app=<name>, kept current from a LIST and then a WATCH from the
 * list's resourceVersion, so that every change the API server makes is seen
 * once and in order; `onChange` looks at the whole set after each change.
 */
export class PodSet {
  readonly pods = new Map<string, any>();
  private stream!: WatchStream;
  private applied = 0;

  private constructor(private readonly onChange: (pods: any[], changed: { type: string; object: any }) => void) {}

  static async open(t: CheckContext, namespace: string, app: string, onChange: (pods: any[], changed: { type: string; object: any }) => void): Promise<PodSet> {
    const set = new PodSet(onChange);
    const selector = encodeURIComponent(`app=${app}`);
    const list = await t.raw({ path: `/api/v1/namespaces/${namespace}/pods?labelSelector=${selector}` });
    for (const pod of list.json?.items ?? []) set.pods.set(pod.metadata.name, pod);
    set.stream = t.watch(`/api/v1/namespaces/${namespace}/pods?watch=1&labelSelector=${selector}&resourceVersion=${list.json?.metadata?.resourceVersion}`);
    return set;
  }

  /** Applies the events received since the last call, in order. */
  catchUp(): void {
    const events = this.stream.events;
    for (; this.applied < events.length; this.applied++) {
      const e = events[this.applied];
      if (e.type === 'ADDED' || e.type === 'MODIFIED') this.pods.set(e.object.metadata.name, e.object);
      else if (e.type === 'DELETED') this.pods.delete(e.object.metadata.name);
      else continue;
      this.onChange([...this.pods.values()], e);
    }
  }

  get events(): number {
    return this.applied;
  }
}
