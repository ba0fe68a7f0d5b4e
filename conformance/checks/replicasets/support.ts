// What the replicasets checks share: a ReplicaSet manifest with the lab's web
// image, and reading a ReplicaSet's pods the way its controller sees them.

import type * as k8s from '@kubernetes/client-node';
import type { CheckContext } from '../../lib/context.ts';
import { describePod, isPodReady, WEB } from '../pods/support.ts';

/** A ReplicaSet of kubelab/web selecting `labels` (app=<name>); `extra` adds to its spec, `pod` to its pod spec. */
export function replicaSetManifest(
  name: string, replicas: number, extra: Record<string, unknown> = {}, pod: Record<string, unknown> = {},
  labels: Record<string, string> = { app: name },
): k8s.V1ReplicaSet {
  return {
    apiVersion: 'apps/v1', kind: 'ReplicaSet',
    metadata: { name },
    spec: {
      replicas,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'web', image: WEB }], ...pod },
      },
      ...extra,
    },
  } as k8s.V1ReplicaSet;
}

/** A readiness probe that never passes: the pod runs but stays not ready. */
export const NEVER_READY = {
  env: [{ name: 'READY_AFTER_SECONDS', value: '3600' }],
  readinessProbe: { httpGet: { path: '/ready', port: 8080 }, periodSeconds: 1 },
};

export async function createReplicaSet(t: CheckContext, namespace: string, body: k8s.V1ReplicaSet): Promise<k8s.V1ReplicaSet> {
  t.step(`create ReplicaSet ${body.metadata!.name} with ${body.spec!.replicas} replicas`);
  return t.apps.createNamespacedReplicaSet({ namespace, body });
}

/** The pods that name this owner (by uid) as their controller and are not being deleted. */
export function ownedPods(pods: k8s.V1Pod[], ownerUid: string | undefined): k8s.V1Pod[] {
  return pods.filter((p) => !p.metadata?.deletionTimestamp
    && (p.metadata?.ownerReferences ?? []).some((r) => r.controller && r.uid === ownerUid));
}

export async function listPods(t: CheckContext, namespace: string, labelSelector?: string): Promise<k8s.V1Pod[]> {
  return (await t.core.listNamespacedPod({ namespace, labelSelector })).items;
}

/** One line per pod, for failure messages. */
export function describePods(pods: k8s.V1Pod[]): string {
  return pods.length ? pods.map((p) => `${p.metadata?.name}: ${describePod(p)}`).join('; ') : 'no pods';
}

/** Waits until the ReplicaSet owns `count` live pods and reports them all available; returns them. */
export async function untilAvailable(t: CheckContext, namespace: string, rs: k8s.V1ReplicaSet, count: number, timeoutMs = 20_000): Promise<k8s.V1Pod[]> {
  const name = rs.metadata!.name!;
  let pods: k8s.V1Pod[] = [];
  let current: k8s.V1ReplicaSet | undefined;
  await t.eventually(`ReplicaSet ${name} to own ${count} pods, all available`, async () => {
    pods = ownedPods(await listPods(t, namespace), rs.metadata!.uid);
    current = await t.apps.readNamespacedReplicaSet({ name, namespace });
    const s = current.status;
    // The pods are listed before the status is read: each must be Ready (with its IP) in the list too.
    const podsReady = pods.every((p) => isPodReady(p) && !!p.status?.podIP);
    return pods.length === count && podsReady && s?.replicas === count && (s?.availableReplicas ?? 0) === count ? true : undefined;
  }, { timeoutMs, seen: () => `status ${JSON.stringify(current?.status ?? {})}; pods: ${describePods(pods)}` });
  return pods;
}
