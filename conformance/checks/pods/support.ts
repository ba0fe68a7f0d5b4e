// What the pods and scheduler checks share: the cluster's nodes (or a skip when
// it has none), pod manifests with the lab images, a watch on one pod that
// waits for a state and says what it saw instead, HTTP to a pod, and its logs.
//
// Pods run for real here, so every namespace from podNamespace() gets its pods
// force-deleted when the check ends: a cluster without a namespace controller
// would otherwise keep them running (and crash-looping) to the end of the suite.

import http from 'node:http';
import https from 'node:https';
import type * as k8s from '@kubernetes/client-node';
import type { CheckContext } from '../../lib/context.ts';
import type { WatchStream } from '../../harness/raw-client.ts';
import { outOfReach, suiteReaches } from '../../lib/reach.ts';

export { sleep } from '../api/support.ts';

export const WEB = 'kubelab/web:1';
export const BUSYBOX = 'kubelab/busybox:1';

// ---- nodes ----

export function isReady(node: k8s.V1Node): boolean {
  return (node.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

/**
 * The Ready nodes, read from the API. Skips the check when there are none: a
 * process-driver implementation without a node command, or a cluster whose
 * nodes are all down.
 */
export async function readyNodes(t: CheckContext): Promise<k8s.V1Node[]> {
  if (t.cluster.driver !== 'kubeconfig' && t.cluster.nodes.length === 0) {
    t.skip('needs at least one node: the implementation has no node command');
  }
  const nodes = (await t.core.listNode()).items.filter(isReady);
  if (nodes.length === 0) t.skip('needs at least one node: the cluster has no Ready node');
  return nodes;
}

/**
 * The Ready nodes that take new pods of any kind (not cordoned, no NoSchedule
 * or NoExecute taint), sorted by name. Checks that cordon or taint nodes keep
 * the first one as it is, so a check may pin pods to it.
 */
export async function schedulableNodes(t: CheckContext): Promise<k8s.V1Node[]> {
  const nodes = (await readyNodes(t)).filter((n) => !n.spec?.unschedulable
    && !(n.spec?.taints ?? []).some((taint) => taint.effect === 'NoSchedule' || taint.effect === 'NoExecute'));
  return nodes.sort((a, b) => (a.metadata!.name! < b.metadata!.name! ? -1 : 1));
}

export async function nodeNamed(t: CheckContext, name: string | undefined): Promise<k8s.V1Node> {
  if (!name) t.fail('a pod bound to a node (spec.nodeName)', 'no spec.nodeName');
  return t.core.readNode({ name });
}

/** A timing of the cluster's profile (the process driver's), or Kubernetes' default for a cluster the harness did not start. */
export function profileSeconds(t: CheckContext, key: string, kubernetesDefault: number): number {
  const value = t.cluster.profile[key];
  return typeof value === 'number' ? value : kubernetesDefault;
}

// ---- pods ----

/**
 * A namespace for the check whose pods are force-deleted when the check ends,
 * whatever the namespace's own deletion does with them.
 */
export async function podNamespace(t: CheckContext): Promise<string> {
  const namespace = await t.namespace();
  t.onCleanup(async () => {
    const pods = await t.core.listNamespacedPod({ namespace });
    await Promise.allSettled(pods.items.map((p) => t.core.deleteNamespacedPod({ name: p.metadata!.name!, namespace, gracePeriodSeconds: 0 })));
  });
  return namespace;
}

/** A pod with one container; `spec` adds to the pod's spec (its `containers` replace the one). */
export function podManifest(name: string, container: Record<string, unknown>, spec: Record<string, unknown> = {}, labels?: Record<string, string>): any {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, ...(labels ? { labels } : {}) },
    spec: { containers: [container], ...spec },
  };
}

/** kubelab/web with env variables (its switches) and other container fields. */
export function webContainer(env: Record<string, string> = {}, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const list = Object.entries(env).map(([name, value]) => ({ name, value }));
  return { name: 'web', image: WEB, ...(list.length ? { env: list } : {}), ...extra };
}

/** kubelab/busybox with args: a command and its arguments, `&&` between commands. */
export function busyboxContainer(args: string[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { name: 'box', image: BUSYBOX, args, ...extra };
}

/** An HTTP probe on kubelab/web's port, checked every second, that acts on the first failure. */
export function httpProbe(path: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { httpGet: { path, port: 8080 }, periodSeconds: 1, failureThreshold: 1, timeoutSeconds: 1, ...extra };
}

/**
 * A liveness probe on kubelab/web's /healthz that restarts the container about
 * two seconds after /healthz starts failing. It gives the program a second to
 * start listening and forgives one failed run, so a slow start is no failure.
 */
export function livenessProbe(): Record<string, unknown> {
  return httpProbe('/healthz', { initialDelaySeconds: 1, failureThreshold: 2 });
}

export async function createPod(t: CheckContext, namespace: string, body: any): Promise<void> {
  t.step(`create Pod ${body.metadata.name} (${body.spec.containers.map((c: any) => c.image).join(', ')})`);
  await t.core.createNamespacedPod({ namespace, body });
}

export function condition(pod: any, type: string): string | undefined {
  return (pod?.status?.conditions ?? []).find((c: any) => c.type === type)?.status;
}

export function containerStatusOf(pod: any, name?: string): any {
  const statuses = pod?.status?.containerStatuses ?? [];
  return name === undefined ? statuses[0] : statuses.find((s: any) => s.name === name);
}

export function waitingReason(pod: any): string | undefined {
  return containerStatusOf(pod)?.state?.waiting?.reason;
}

export function restartCount(pod: any): number {
  return containerStatusOf(pod)?.restartCount ?? 0;
}

export function isPodReady(pod: any): boolean {
  return condition(pod, 'Ready') === 'True';
}

/** One line on a pod's state, for failure messages. */
export function describePod(pod: any): string {
  if (!pod) return 'no such pod';
  const status = pod.status ?? {};
  const conditions = (status.conditions ?? []).map((c: any) => `${c.type}=${c.status}${c.reason ? ` (${c.reason})` : ''}`).join(', ');
  const containers = (status.containerStatuses ?? []).map((s: any) => {
    const [state, detail] = Object.entries(s.state ?? {})[0] ?? ['no state', {}];
    const d = detail as any;
    const why = d?.reason ? ` ${d.reason}` : '';
    const code = d?.exitCode !== undefined ? ` exit ${d.exitCode}` : '';
    return `${s.name}: ${state}${why}${code}, ready ${s.ready}, restarts ${s.restartCount}`;
  }).join('; ');
  return `phase ${status.phase ?? '(none)'}, node ${pod.spec?.nodeName ?? '(none)'}` +
    `${pod.metadata?.deletionTimestamp ? ', deletionTimestamp set' : ''}` +
    `${conditions ? `; conditions ${conditions}` : ''}${containers ? `; containers ${containers}` : '; no containerStatuses'}`;
}

type PodEvent = { type: string; object: any };

/**
 * A watch on one pod: every version of it the API server sends, in order. A
 * watch sees each status the node agent writes, even one that lasts a moment
 * (a back-off, a failed probe), which polling could miss.
 */
export class PodWatch {
  private readonly stream: WatchStream;
  private from = 0;

  constructor(private readonly t: CheckContext, readonly namespace: string, readonly name: string) {
    const selector = encodeURIComponent(`metadata.name=${name}`);
    this.stream = t.watch(`/api/v1/namespaces/${namespace}/pods?watch=1&fieldSelector=${selector}`);
  }

  /** The pod as last seen (undefined before the first event and after a DELETED one). */
  get latest(): any {
    const last = this.stream.events.filter((e) => e.type !== 'ERROR' && e.type !== 'BOOKMARK').at(-1);
    return last && last.type !== 'DELETED' ? last.object : undefined;
  }

  /** Every version of the pod seen so far. */
  get versions(): any[] {
    return this.stream.events.filter((e) => e.type === 'ADDED' || e.type === 'MODIFIED').map((e) => e.object);
  }

  /** From now on, until() looks only at versions that arrive after this call. */
  mark(): void {
    this.from = this.stream.events.length;
  }

  /** The first event (since the mark) that matches; fails with what was seen when none comes in time. */
  async untilEvent(what: string, predicate: (e: PodEvent) => boolean, timeoutMs: number): Promise<PodEvent> {
    const from = this.from;
    const events = this.stream.events;
    try {
      return await this.stream.waitFor((e) => events.indexOf(e) >= from && predicate(e), timeoutMs);
    } catch {
      const pod = this.latest;
      this.t.fail(`${what} within ${timeoutMs / 1000} s`, describePod(pod), pod ? [{ label: `Pod ${this.name} status`, value: pod.status }] : []);
    }
  }

  /** The first version of the pod (since the mark) for which predicate holds. */
  async until(what: string, predicate: (pod: any) => boolean, timeoutMs: number): Promise<any> {
    const event = await this.untilEvent(what, (e) => (e.type === 'ADDED' || e.type === 'MODIFIED') && predicate(e.object), timeoutMs);
    return event.object;
  }

  /** Waits until the pod is gone from the API (a DELETED event). */
  async gone(what: string, timeoutMs: number): Promise<void> {
    await this.untilEvent(what, (e) => e.type === 'DELETED', timeoutMs);
  }
}

/**
 * Creates the pod and waits until it is Running and Ready; returns it. A
 * kubelab/web pod is also waited for until it answers on its IP: without a
 * readiness probe a pod is Ready as soon as its container started, which may
 * be a moment before the program listens.
 */
export async function runPod(t: CheckContext, namespace: string, body: any, timeoutMs = 20_000): Promise<{ pod: any; watch: PodWatch }> {
  const name = body.metadata.name;
  const watch = new PodWatch(t, namespace, name);
  await createPod(t, namespace, body);
  const pod = await watch.until(`Pod ${name} Running and Ready`, (p) => p.status?.phase === 'Running' && isPodReady(p), timeoutMs);
  if (body.spec.containers[0].image === WEB) {
    await untilPodAnswers(t, pod, '/', `Pod ${name} to answer GET / on ${pod.status.podIP}:8080`, (r) => r.status === 200);
  }
  return { pod, watch };
}

// ---- HTTP to a pod ----

export interface PodResponse {
  status: number;
  text: string;
}

function direct(ip: string, port: number, path: string, method: string, body: string | undefined, timeoutMs: number): Promise<PodResponse> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(body));
    const req = http.request({ host: ip, port, path, method, headers, timeout: timeoutMs, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${method} http://${ip}:${port}${path}: no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

/**
 * A pod whose IP the suite cannot reach (inside a node's container) skips the check;
 * a kubeconfig cluster's pods are still tried, then reached through pods/proxy (podHttp).
 */
function skipUnlessReachable(t: CheckContext, pod: any): void {
  const ip = pod.status?.podIP;
  if (ip && t.cluster.driver !== 'kubeconfig' && !suiteReaches(t.cluster, ip)) t.skip(outOfReach(t.cluster, `the IP of pod ${pod.metadata?.name}`, ip));
}

/**
 * An HTTP request to a pod's IP and port, as another pod would send it (the
 * test process runs where pod IPs are reachable). For a cluster the harness did
 * not start, whose pod network may be out of reach, it goes through the API
 * server's pods/proxy when the direct connection fails.
 */
export async function podHttp(t: CheckContext, pod: any, path: string, options: { method?: string; body?: string; port?: number; timeoutMs?: number } = {}): Promise<PodResponse> {
  const { method = 'GET', body, port = 8080, timeoutMs = 3000 } = options;
  const ip = pod.status?.podIP;
  if (!ip) t.fail(`Pod ${pod.metadata?.name} with a status.podIP`, describePod(pod), [{ label: 'Pod status', value: pod.status }]);
  skipUnlessReachable(t, pod);
  try {
    return await direct(ip, port, path, method, body, timeoutMs);
  } catch (err) {
    if (t.cluster.driver !== 'kubeconfig') throw err;
    const res = await t.raw({ method, path: `/api/v1/namespaces/${pod.metadata.namespace}/pods/${pod.metadata.name}:${port}/proxy${path}`, body, headers: { 'Content-Type': 'application/octet-stream' } });
    return { status: res.status, text: res.text };
  }
}

/** Retries a request to a pod until the answer is accepted; fails with the last answer or error. */
export async function untilPodAnswers(t: CheckContext, pod: any, path: string, what: string, accept: (res: PodResponse) => boolean, timeoutMs = 10_000): Promise<PodResponse> {
  skipUnlessReachable(t, pod); // here, not only in podHttp: the retries below would take a skip for an error
  let last = 'no answer yet';
  return t.eventually(what, async () => {
    try {
      const res = await podHttp(t, pod, path, { timeoutMs: 2000 });
      last = `HTTP ${res.status}: ${res.text.trim().slice(0, 300)}`;
      return accept(res) ? res : undefined;
    } catch (err) {
      last = (err as Error).message;
      return undefined;
    }
  }, { timeoutMs, seen: () => `GET http://${pod.status?.podIP}:8080${path}: ${last}` });
}

// ---- logs ----

export function logPath(namespace: string, name: string, query: Record<string, string | number | boolean> = {}): string {
  const params = new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)]));
  const q = params.toString();
  return `/api/v1/namespaces/${namespace}/pods/${name}/log${q ? `?${q}` : ''}`;
}

/** GET pods/<name>/log; fails unless it answers 200. */
export async function readLog(t: CheckContext, namespace: string, name: string, query: Record<string, string | number | boolean> = {}): Promise<string> {
  const path = logPath(namespace, name, query);
  const res = await t.raw({ path, headers: { Accept: '*/*' } });
  if (res.status !== 200) t.fail(`GET ${path} to answer 200 with the log`, `HTTP ${res.status}: ${res.text.slice(0, 500)}`);
  return res.text;
}

/** Retries GET pods/<name>/log until the log is accepted; fails with the last answer. */
export async function untilLog(t: CheckContext, namespace: string, name: string, what: string, accept: (log: string) => boolean, query: Record<string, string | number | boolean> = {}, timeoutMs = 10_000): Promise<string> {
  const path = logPath(namespace, name, query);
  let last = 'no answer yet';
  return t.eventually(what, async () => {
    const res = await t.raw({ path, headers: { Accept: '*/*' } });
    last = `HTTP ${res.status}: ${JSON.stringify(res.text.slice(-600))}`;
    return res.status === 200 && accept(res.text) ? res.text : undefined;
  }, { timeoutMs, seen: () => `GET ${path}: ${last}` });
}

/** A followed log (`?follow=true`): the text received so far, until close(). */
export interface LogStream {
  status: Promise<number>;
  text(): string;
  close(): void;
}

export function followLog(t: CheckContext, namespace: string, name: string, query: Record<string, string | number | boolean> = {}): LogStream {
  const url = new URL(logPath(namespace, name, { ...query, follow: true }), t.cluster.apiUrl);
  const lib = url.protocol === 'https:' ? https : http;
  let received = '';
  let resolveStatus!: (n: number) => void;
  const status = new Promise<number>((r) => (resolveStatus = r));
  const headers: Record<string, string> = { Accept: '*/*' };
  if (t.cluster.token) headers.Authorization = `Bearer ${t.cluster.token}`;
  const req = lib.request(url, { headers, ca: t.cluster.caPem || undefined }, (res) => {
    resolveStatus(res.statusCode ?? 0);
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => (received += chunk));
    res.on('error', () => undefined);
  });
  req.on('error', () => resolveStatus(0));
  req.end();
  const stream = { status, text: () => received, close: () => req.destroy() };
  t.onCleanup(async () => stream.close());
  return stream;
}
