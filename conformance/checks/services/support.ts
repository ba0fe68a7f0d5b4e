// What the services checks share: backend pods of kubelab/web with a named
// port and a readiness probe a check can fail on purpose, Service manifests,
// waiting for a Service's Endpoints to say something, and TCP/HTTP straight to
// a ClusterIP or NodePort from the suite's process.
//
// The suite reaches ClusterIPs directly, as a pod would. On a cluster the
// process driver started they are 127.x addresses of this machine; a cluster
// met through a kubeconfig usually keeps them inside its own network, and the
// checks that need one skip with the reason.

import http from 'node:http';
import net from 'node:net';
import type * as k8s from '@kubernetes/client-node';
import type { CheckContext } from '../../lib/context.ts';
import { createPod, describePod, httpProbe, PodWatch, podHttp, podManifest, runPod, WEB } from '../pods/support.ts';
import { outOfReach, suiteReaches } from '../../lib/reach.ts';

export { sleep } from '../api/support.ts';

const SERVICE_DOC = 'https://kubernetes.io/docs/concepts/services-networking/service/';
export const DOCS = {
  service: SERVICE_DOC,
  endpoints: 'https://kubernetes.io/docs/concepts/services-networking/service/#endpoints',
  withoutSelectors: `${SERVICE_DOC}#services-without-selectors`,
  headless: `${SERVICE_DOC}#headless-services`,
  nodePort: `${SERVICE_DOC}#type-nodeport`,
  env: `${SERVICE_DOC}#environment-variables`,
  virtualIPs: 'https://kubernetes.io/docs/reference/networking/virtual-ips/',
  endpointsController: 'https://github.com/kubernetes/kubernetes/blob/master/pkg/controller/endpoint/endpoints_controller.go',
};

// ---- backend pods ----

/**
 * A kubelab/web pod with a port named `http` and a readiness probe on /ready,
 * checked every second: POST /fail/ready takes it out of its Services,
 * POST /recover/ready puts it back.
 */
export function backendPod(name: string, labels: Record<string, string>, options: { env?: Record<string, string>; port?: number; nodeName?: string } = {}): any {
  const port = options.port ?? 8080;
  const env = Object.entries({ ...(port !== 8080 ? { PORT: String(port) } : {}), ...options.env }).map(([n, value]) => ({ name: n, value }));
  return podManifest(name, {
    name: 'web', image: WEB,
    ports: [{ name: 'http', containerPort: port }],
    readinessProbe: httpProbe('/ready', { httpGet: { path: '/ready', port } }),
    ...(env.length ? { env } : {}),
  }, { terminationGracePeriodSeconds: 1, ...(options.nodeName ? { nodeName: options.nodeName } : {}) }, labels);
}

/** Creates backend pods and waits until each is Running and Ready; returns them. */
export async function runBackends(t: CheckContext, namespace: string, bodies: any[]): Promise<any[]> {
  return Promise.all(bodies.map(async (body) => {
    if (body.spec.containers[0].ports[0].containerPort === 8080) return (await runPod(t, namespace, body)).pod;
    // runPod asks kubelab/web on port 8080; a pod told to listen elsewhere is only waited for until Ready.
    const watch = new PodWatch(t, namespace, body.metadata.name);
    await createPod(t, namespace, body);
    return watch.until(`Pod ${body.metadata.name} Running and Ready`, (p) => p.status?.phase === 'Running' && condition(p, 'Ready') === 'True', 20_000);
  }));
}

/** Creates a pod that runs but never turns ready (its readiness probe keeps failing); returns it once it has an IP. */
export async function runUnreadyBackend(t: CheckContext, namespace: string, name: string, labels: Record<string, string>): Promise<any> {
  const body = backendPod(name, labels, { env: { READY_AFTER_SECONDS: '3600' } });
  const watch = new PodWatch(t, namespace, name);
  await createPod(t, namespace, body);
  return watch.until(`Pod ${name} Running with a pod IP`, (p) => p.status?.phase === 'Running' && !!p.status?.podIP, 20_000);
}

function condition(pod: any, type: string): string | undefined {
  return (pod?.status?.conditions ?? []).find((c: any) => c.type === type)?.status;
}

/** POST /fail/ready (or /recover/ready) to the pod: its readiness probe fails (or passes) from then on. */
export async function setReadiness(t: CheckContext, pod: any, ready: boolean): Promise<void> {
  const path = ready ? '/recover/ready' : '/fail/ready';
  t.step(`POST ${path} to pod ${pod.metadata.name}`);
  const res = await podHttp(t, pod, path, { method: 'POST' });
  if (res.status !== 200) t.fail(`POST ${path} to answer 200`, `HTTP ${res.status}: ${res.text}`);
}

// ---- Services ----

export function serviceManifest(name: string, spec: Record<string, unknown>): k8s.V1Service {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name }, spec } as k8s.V1Service;
}

export async function createService(t: CheckContext, namespace: string, body: k8s.V1Service): Promise<k8s.V1Service> {
  const spec = body.spec ?? {};
  t.step(`create Service ${body.metadata!.name} (${spec.type ?? 'ClusterIP'}${spec.clusterIP === 'None' ? ', headless' : ''}, selector ${JSON.stringify(spec.selector ?? null)}, ports ${JSON.stringify(spec.ports)})`);
  return t.core.createNamespacedService({ namespace, body });
}

// ---- Endpoints ----

/** The IPs of an Endpoints object's ready (or not-ready) addresses, sorted. */
export function endpointIPs(ep: k8s.V1Endpoints | undefined, field: 'addresses' | 'notReadyAddresses' = 'addresses'): string[] {
  return (ep?.subsets ?? []).flatMap((s) => (s[field] ?? []).map((a) => a.ip)).sort();
}

export function ipsOf(pods: any[]): string[] {
  return pods.map((p) => p.status.podIP).sort();
}

export async function readEndpoints(t: CheckContext, namespace: string, name: string): Promise<k8s.V1Endpoints | undefined> {
  try {
    return await t.core.readNamespacedEndpoints({ name, namespace });
  } catch (err) {
    if ((err as any)?.code === 404) return undefined;
    throw err;
  }
}

/** Waits until the Service's Endpoints list exactly these ready and not-ready pod IPs; returns the Endpoints. */
export async function untilEndpoints(t: CheckContext, namespace: string, name: string, ready: string[], notReady: string[] = [], timeoutMs = 15_000): Promise<k8s.V1Endpoints> {
  let last: k8s.V1Endpoints | undefined;
  const want = (list: string[]) => [...list].sort().join(',');
  return t.eventually(`Endpoints ${name} to list addresses [${want(ready)}] and notReadyAddresses [${want(notReady)}]`, async () => {
    last = await readEndpoints(t, namespace, name);
    return last && want(endpointIPs(last)) === want(ready) && want(endpointIPs(last, 'notReadyAddresses')) === want(notReady) ? last : undefined;
  }, {
    timeoutMs,
    seen: () => (last
      ? `addresses [${endpointIPs(last).join(',')}], notReadyAddresses [${endpointIPs(last, 'notReadyAddresses').join(',')}]; subsets ${JSON.stringify(last.subsets ?? [])}`
      : `no Endpoints named ${name}`),
  });
}

// ---- reaching a Service from the suite ----

/**
 * The Service's ClusterIP, when the suite can reach it: skips the check on a
 * cluster the harness did not start whose ClusterIPs are not loopback
 * addresses of this machine.
 */
export function reachableClusterIP(t: CheckContext, svc: k8s.V1Service): string {
  const ip = svc.spec?.clusterIP;
  if (!ip || ip === 'None') t.fail('a Service with a cluster IP in spec.clusterIP', `spec.clusterIP ${JSON.stringify(ip)}`, [{ label: 'Service', value: svc }]);
  if (!suiteReaches(t.cluster, ip)) t.skip(outOfReach(t.cluster, 'the ClusterIP', ip));
  return ip;
}

export interface HttpAnswer {
  status: number;
  text: string;
}

/** One HTTP GET on a new connection to host:port. */
export function httpGet(host: string, port: number, path = '/', timeoutMs = 3000): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host, port, path, agent: false, timeout: timeoutMs, headers: { Accept: 'application/json', Connection: 'close' } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error(`no answer from ${host}:${port} within ${timeoutMs} ms`), { code: 'TIMEOUT' })));
    req.on('error', reject);
    req.end();
  });
}

/** The name of the pod that answered GET / (kubelab/web says it in `pod`). */
export async function whoAnswers(host: string, port: number, path = '/', timeoutMs = 3000): Promise<string> {
  const res = await httpGet(host, port, path, timeoutMs);
  if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${res.text.slice(0, 200)}`);
  return JSON.parse(res.text).pod;
}

/** Retries GET / on host:port until some pod answers; returns its name. */
export async function untilAnswers(t: CheckContext, host: string, port: number, what: string, timeoutMs = 10_000): Promise<string> {
  let last = 'no answer yet';
  return t.eventually(what, async () => {
    try {
      return await whoAnswers(host, port, '/', 2000);
    } catch (err) {
      last = (err as Error).message;
      return undefined;
    }
  }, { timeoutMs, seen: () => `GET http://${host}:${port}/: ${last}` });
}

/**
 * What happens to a TCP connection to host:port: 'refused' (ECONNREFUSED),
 * 'reset', 'closed' (accepted, then closed without a byte), 'answered' (some
 * bytes came back to an HTTP request), or 'timeout'.
 */
export function connectOutcome(host: string, port: number, timeoutMs = 3000): Promise<{ outcome: 'refused' | 'reset' | 'closed' | 'answered' | 'timeout'; detail: string }> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    let received = '';
    const done = (outcome: 'refused' | 'reset' | 'closed' | 'answered' | 'timeout', detail: string) => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ outcome, detail });
    };
    const timer = setTimeout(() => done(received ? 'answered' : 'timeout', received.slice(0, 200) || `nothing within ${timeoutMs} ms`), timeoutMs);
    socket.on('connect', () => socket.write(`GET / HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`));
    socket.on('data', (d) => (received += d));
    socket.on('end', () => done(received ? 'answered' : 'closed', received.slice(0, 200) || 'closed without an answer'));
    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (received) done('answered', received.slice(0, 200));
      else if (err.code === 'ECONNREFUSED') done('refused', err.message);
      else done('reset', `${err.code}: ${err.message}`);
    });
  });
}

/** One line per pod for failure messages. */
export function describeBackends(pods: any[]): string {
  return pods.map((p) => `${p.metadata.name} (${p.status?.podIP}): ${describePod(p)}`).join('; ');
}
