// The node agent's HTTP server: container logs, which `kubectl logs` reaches
// through the API server (pods/<name>/log is proxied here, as kube-apiserver
// proxies it to the kubelet's port 10250), and a debug list of the running
// containers, which the harness reads to kill one (the kill-container
// disruption of the cluster contract, conformance/README.md).
//
//   GET /containerLogs/<namespace>/<pod>/<container>?follow=true&tailLines=N&previous=true&timestamps=true
//   GET /debug/containers → {"items":[{"namespace","pod","container","containerID","pid"}]}
//
// It listens on the node's IP and a free port, which the Node advertises in
// status.daemonEndpoints.kubeletEndpoint.Port, and wants the cluster's bearer
// token. (The kubelet serves HTTPS with its own certificate; this agent has
// none, so it serves HTTP on the node's loopback address. The kubelet has no
// /debug/containers: on Kubernetes the runtime (crictl ps, crictl inspect)
// tells which process a container is.)

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import type { ContainerRuntime } from '../runtime/runtime.ts';
import type { ContainerStatus } from '../pods/pod-status.ts';

/** One running container on /debug/containers. */
export interface RunningContainer {
  namespace: string;
  pod: string;
  container: string;
  /** As in the pod's containerStatuses: `kubelab://<id>`. */
  containerID: string;
  /** The container's main process. */
  pid: number;
}

export interface LogSource {
  containerStatus(namespace: string, pod: string, container: string): { status?: ContainerStatus; podKnown: boolean };
}

/**
 * Which container instance's log to read, or why there is none
 * (pkg/kubelet/kubelet_pods.go validateContainerLogStatus, same words).
 */
export function logTarget(status: ContainerStatus, podName: string, previous: boolean): { id: string } | { error: string } {
  const name = status.name;
  const last = status.lastState.terminated as { containerID?: string } | undefined;
  const current = status.state.terminated as { containerID?: string } | undefined;
  const id = (containerID?: string) => containerID!.replace(/^kubelab:\/\//, '');
  if (previous) {
    if (!last?.containerID) return { error: `previous terminated container "${name}" in pod "${podName}" not found` };
    return { id: id(last.containerID) };
  }
  if (status.state.running) return { id: id(status.containerID) };
  if (current) {
    if (current.containerID) return { id: id(current.containerID) };
    if (last?.containerID) return { id: id(last.containerID) };
    return { error: `container "${name}" in pod "${podName}" is terminated` };
  }
  if (last) {
    if (!last.containerID) return { error: `container "${name}" in pod "${podName}" is terminated` };
    return { id: id(last.containerID) };
  }
  const reason = status.state.waiting?.reason;
  if (reason === 'ErrImagePull') return { error: `container "${name}" in pod "${podName}" is waiting to start: image can't be pulled` };
  if (reason === 'ImagePullBackOff') return { error: `container "${name}" in pod "${podName}" is waiting to start: trying and failing to pull image` };
  if (reason) return { error: `container "${name}" in pod "${podName}" is waiting to start: ${reason}` };
  return { error: `container "${name}" in pod "${podName}" is waiting to start - no logs yet` };
}

function sendText(res: http.ServerResponse, code: number, text: string): void {
  res.writeHead(code, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

export class LogServer {
  private readonly server: http.Server;

  constructor(private readonly options: { host: string; token: string; runtime: ContainerRuntime; pods: LogSource; containers: () => RunningContainer[] }) {
    this.server = http.createServer((req, res) => {
      this.handle(req, res).catch((err) => {
        if (res.headersSent) res.destroy();
        else sendText(res, 500, `${(err as Error).message}\n`);
      });
    });
    // A followed log stays open as long as the caller wants it.
    this.server.requestTimeout = 0;
  }

  /** Listens on a free port of the node's IP; resolves with the port. */
  listen(): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, this.options.host, () => resolve((this.server.address() as AddressInfo).port));
    });
  }

  close(): void {
    this.server.close();
    this.server.closeAllConnections();
  }

  private authorized(req: http.IncomingMessage): boolean {
    const match = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '');
    if (!match) return false;
    const given = Buffer.from(match[1].trim());
    const expected = Buffer.from(this.options.token);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://kubelet');
    if (url.pathname === '/healthz') return sendText(res, 200, 'ok');
    if (!this.authorized(req)) return sendText(res, 401, 'Unauthorized\n');
    if (url.pathname === '/debug/containers' && req.method === 'GET') {
      const body = JSON.stringify({ items: this.options.containers() });
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
      res.end(body);
      return;
    }
    const match = /^\/containerLogs\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(url.pathname);
    if (!match || req.method !== 'GET') return sendText(res, 404, `no such path: ${req.method} ${url.pathname}\n`);
    const [namespace, pod, container] = match.slice(1).map(decodeURIComponent);

    const { status, podKnown } = this.options.pods.containerStatus(namespace, pod, container);
    if (!podKnown) return sendText(res, 404, `pod "${pod}" does not exist\n`);
    if (!status) return sendText(res, 404, `container "${container}" not found in pod "${pod}"\n`);
    const flag = (name: string) => ['true', '1'].includes(url.searchParams.get(name) ?? '');
    const previous = flag('previous');
    const target = logTarget(status, pod, previous);
    if ('error' in target) return sendText(res, 400, target.error);

    const tail = url.searchParams.get('tailLines');
    const options = { tailLines: tail === null ? undefined : Number(tail), timestamps: flag('timestamps') };
    const { runtime } = this.options;
    if (!flag('follow') || previous) {
      return sendText(res, 200, await runtime.readLogs(target.id, options));
    }
    res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.flushHeaders();
    // Lines go out as the container writes them, until it ends or the caller goes away.
    const stop = runtime.followLogs(target.id, options, (line) => res.write(line), () => res.end());
    res.on('close', stop);
  }
}
