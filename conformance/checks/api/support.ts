// What the api checks share: small manifests that every Kubernetes accepts, unique
// names, and the assertions on Status errors that most checks make.
//
// Pods get a nodeSelector that no node matches, so that on a real cluster they stay
// unscheduled (Pending, no spec.nodeName) just as on a cluster without nodes: then a
// DELETE removes them at once, and nothing else writes to them but the scheduler.

import { randomBytes } from 'node:crypto';
import * as k8s from '@kubernetes/client-node';
import { statusOf, type CheckContext, type StatusBody } from '../../lib/context.ts';
import type { RawResponse } from '../../harness/raw-client.ts';

export const IMAGE = 'kubelab/web:1';
export const NO_NODE = { 'kubelab.dev/no-such-node': 'true' };

/** A name no other check (or earlier run) uses: `prefix-` and 6 hex characters. */
export function unique(prefix: string): string {
  return `${prefix}-${randomBytes(3).toString('hex')}`;
}

export function podManifest(name: string, namespace: string, labels?: Record<string, string>): any {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, namespace, ...(labels ? { labels } : {}) },
    spec: { nodeSelector: NO_NODE, containers: [{ name: 'web', image: IMAGE }] },
  };
}

export function configMapManifest(name: string, namespace: string, data: Record<string, string> = { greeting: 'hello' }, labels?: Record<string, string>): any {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace, ...(labels ? { labels } : {}) }, data };
}

/** A Deployment with 0 replicas: it exists as an object but starts no pods. */
export function deploymentManifest(name: string, namespace: string, replicas = 0): any {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: { name, namespace },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { nodeSelector: NO_NODE, containers: [{ name: 'web', image: IMAGE }] },
      },
    },
  };
}

export function serviceManifest(name: string, namespace: string): any {
  return {
    apiVersion: 'v1', kind: 'Service',
    metadata: { name, namespace },
    spec: { selector: { app: name }, ports: [{ port: 80 }] },
  };
}

/** The Status of a raw response, or a failure saying what came back instead. */
export function rawStatus(t: CheckContext, what: string, res: RawResponse, expected: { code: number; reason?: string }): StatusBody {
  const body = res.json as StatusBody | undefined;
  const want = `${what} to fail with ${expected.code}${expected.reason ? ` ${expected.reason}` : ''} and a Status body`;
  if (res.status !== expected.code) {
    t.fail(want, `HTTP ${res.status}`, [{ label: 'response body', value: body ?? res.text }]);
  }
  if (!body || body.kind !== 'Status') {
    t.fail(want, `HTTP ${res.status} with a body that is not a Status`, [{ label: 'response body', value: res.text }]);
  }
  if (body.code !== expected.code || (expected.reason && body.reason !== expected.reason)) {
    t.fail(want, `a Status with code ${body.code}, reason ${body.reason}`, [{ label: 'response body', value: body }],
      'the Status body repeats the HTTP code in `code` and names the kind of failure in `reason`');
  }
  return body;
}

/** Fails unless the Status has the exact message. */
export function expectMessage(t: CheckContext, status: StatusBody, message: string): void {
  if (status.message !== message) {
    t.fail(`message ${JSON.stringify(message)}`, JSON.stringify(status.message), [{ label: 'Status', value: status }]);
  }
}

/** Fails unless status.details names the resource (plural) and the object. */
export function expectDetails(t: CheckContext, status: StatusBody, details: { name?: string; kind: string; group?: string }): void {
  const d = status.details ?? {};
  const groupOk = details.group === undefined || (d.group ?? '') === details.group;
  if (d.kind !== details.kind || (details.name !== undefined && d.name !== details.name) || !groupOk) {
    t.fail(`details ${JSON.stringify(details)}`, `details ${JSON.stringify(d)}`, [{ label: 'Status', value: status }],
      'details.kind is the resource (plural, as in the URL) for NotFound, AlreadyExists and Conflict, and the Kind for Invalid');
  }
}

/** Fails unless the 422 Status has a cause for the field. */
export function expectCause(t: CheckContext, status: StatusBody, field: string, what: string): void {
  const causes = status.details?.causes ?? [];
  if (!causes.some((c) => c.field === field)) {
    t.fail(`${what}: a cause with field ${JSON.stringify(field)}`,
      causes.length ? `causes for ${causes.map((c) => JSON.stringify(c.field)).join(', ')}` : 'no details.causes',
      [{ label: 'Status', value: status }],
      'each field error becomes one entry of details.causes, with `field` the JSON path of the bad field');
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Names of the objects in a list, sorted. */
export function namesOf(list: { items?: { metadata?: { name?: string } }[] }): string[] {
  return (list.items ?? []).map((i) => i.metadata?.name ?? '').sort();
}

/** A finalizer no controller knows: the object it is on stays until the check removes it. */
export const HOLD = 'kubelab.dev/hold';

/** The namespace as the API has it now, or undefined once it is gone. */
export async function readNamespace(t: CheckContext, name: string): Promise<k8s.V1Namespace | undefined> {
  return t.core.readNamespace({ name }).catch((err) => (statusOf(err).code === 404 ? undefined : Promise.reject(err)));
}

export function describeNamespace(ns: k8s.V1Namespace | undefined): string {
  if (!ns) return 'the namespace is gone';
  const conditions = (ns.status?.conditions ?? []).filter((c) => c.status === 'True').map((c) => `${c.type}: ${c.message}`);
  return `phase ${ns.status?.phase}, deletionTimestamp ${ns.metadata?.deletionTimestamp ? 'set' : 'unset'}, spec.finalizers ${JSON.stringify(ns.spec?.finalizers ?? [])}` +
    (conditions.length ? `; ${conditions.join('; ')}` : '');
}

/**
 * A namespace with a ConfigMap that carries a finalizer nobody removes, then
 * deleted: it stays Terminating until release() takes the finalizer off (the
 * check's cleanup does it too, so the namespace never outlives the check).
 */
export async function heldTerminatingNamespace(t: CheckContext): Promise<{ namespace: string; release: () => Promise<void> }> {
  const namespace = await t.namespace();
  t.step(`create ConfigMap held with finalizer ${HOLD}`);
  await t.core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'held', finalizers: [HOLD] }, data: { a: '1' } } });
  const release = async () => {
    await t.core.patchNamespacedConfigMap({ name: 'held', namespace, body: { metadata: { finalizers: null } } }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch))
      .catch((err) => (statusOf(err).code === 404 ? undefined : Promise.reject(err)));
  };
  t.onCleanup(release);
  t.step(`delete namespace ${namespace}`);
  await t.core.deleteNamespace({ name: namespace });
  await t.eventually(`namespace ${namespace} Terminating`, async () => ((await readNamespace(t, namespace))?.status?.phase === 'Terminating' ? true : undefined),
    { seen: async () => describeNamespace(await readNamespace(t, namespace)) });
  return { namespace, release };
}
