// Running one probe once (pkg/kubelet/prober/prober.go and pkg/probe/{http,tcp,exec}):
//
//   httpGet    GET http://<pod IP>:<port><path>; 200 ≤ status < 400 is a success
//   tcpSocket  a TCP connection to <pod IP>:<port> opens
//   exec       the command, run in the container, exits with 0
//
// Each gets timeoutSeconds; a probe that takes longer has failed.

import http from 'node:http';
import https from 'node:https';
import net from 'node:net';

export interface ProbeResult {
  ok: boolean;
  /** Why it failed, in Kubernetes' words (the Unhealthy event's message). */
  message: string;
}

export interface ProbeTarget {
  podIP: string;
  /** The container's spec: named ports are looked up in its ports. */
  container: any;
  /** Runs a command in the container (the runtime's exec). */
  exec(command: string[], timeoutMs: number): Promise<{ exitCode: number; output: string; timedOut: boolean }>;
}

/** A connection error as Go's net package words it, which is what Kubernetes' probe messages show. */
function dialError(host: string, port: number, err: NodeJS.ErrnoException): string {
  const why = err.code === 'ECONNREFUSED' ? 'connect: connection refused'
    : err.code === 'EHOSTUNREACH' ? 'connect: no route to host'
    : err.code === 'ECONNRESET' ? 'read: connection reset by peer'
    : err.message;
  return `dial tcp ${host}:${port}: ${why}`;
}

/** A port given by number or by the name of one of the container's ports. */
function resolvePort(port: number | string, container: any): number {
  if (typeof port === 'number') return port;
  if (/^\d+$/.test(port)) return Number(port);
  const named = (container.ports ?? []).find((p: any) => p.name === port);
  if (!named) throw new Error(`port "${port}" is not a named port of container "${container.name}"`);
  return named.containerPort;
}

function httpProbe(action: any, target: ProbeTarget, timeoutMs: number): Promise<ProbeResult> {
  const scheme = (action.scheme ?? 'HTTP').toLowerCase();
  const host = action.host || target.podIP;
  const port = resolvePort(action.port, target.container);
  const path = action.path ?? '/';
  const url = `${scheme}://${host}:${port}${path.startsWith('/') ? path : `/${path}`}`;
  const headers: Record<string, string> = { 'User-Agent': 'kube-probe/1.32', Accept: '*/*' };
  for (const h of action.httpHeaders ?? []) headers[h.name] = h.value;
  const lib = scheme === 'https' ? https : http;
  return new Promise((resolve) => {
    // A probe does not check certificates (Kubernetes' prober skips TLS verification).
    const req = lib.get(url, { headers, timeout: timeoutMs, agent: false, rejectUnauthorized: false }, (res) => {
      res.resume();
      const code = res.statusCode ?? 0;
      if (code >= 200 && code < 400) resolve({ ok: true, message: '' });
      else resolve({ ok: false, message: `HTTP probe failed with statuscode: ${code}` });
    });
    req.on('timeout', () => req.destroy(new Error('context deadline exceeded (Client.Timeout exceeded while awaiting headers)')));
    req.on('error', (err: NodeJS.ErrnoException) => {
      const why = err.code ? dialError(host, port, err) : err.message;
      resolve({ ok: false, message: `Get "${url}": ${why}` });
    });
  });
}

function tcpProbe(action: any, target: ProbeTarget, timeoutMs: number): Promise<ProbeResult> {
  const host = action.host || target.podIP;
  const port = resolvePort(action.port, target.container);
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (result: ProbeResult) => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(timeoutMs, () => done({ ok: false, message: `dial tcp ${host}:${port}: i/o timeout` }));
    socket.once('connect', () => done({ ok: true, message: '' }));
    socket.once('error', (err) => done({ ok: false, message: dialError(host, port, err) }));
  });
}

async function execProbe(action: any, target: ProbeTarget, timeoutMs: number): Promise<ProbeResult> {
  const command: string[] = action.command ?? [];
  const result = await target.exec(command, timeoutMs);
  if (result.timedOut) return { ok: false, message: `command ${JSON.stringify(command.join(' '))} timed out` };
  if (result.exitCode === 0) return { ok: true, message: '' };
  return { ok: false, message: result.output.trim() || `command ${JSON.stringify(command.join(' '))} exited with ${result.exitCode}` };
}

export async function runProbe(probe: any, target: ProbeTarget): Promise<ProbeResult> {
  const timeoutMs = (probe.timeoutSeconds ?? 1) * 1000;
  try {
    if (probe.httpGet) return await httpProbe(probe.httpGet, target, timeoutMs);
    if (probe.tcpSocket) return await tcpProbe(probe.tcpSocket, target, timeoutMs);
    if (probe.exec) return await execProbe(probe.exec, target, timeoutMs);
    return { ok: false, message: 'this probe type is not supported by the kubelab node agent (use httpGet, tcpSocket or exec)' };
  } catch (err) {
    return { ok: false, message: (err as Error).message };
  }
}
