// Helpers for the node agent's integration tests: a one-node reference cluster
// started through the harness, and small waits and lookups.

import http from 'node:http';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ProcessCluster } from '../../conformance/harness/process-driver.ts';
import { rawRequest, type RawRequest, type RawResponse } from '../../conformance/harness/raw-client.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface TestCluster {
  cluster: ProcessCluster;
  dataDir: string;
  nodeDir: string;
  api(request: RawRequest): Promise<RawResponse>;
  stop(): Promise<void>;
}

export async function startCluster(): Promise<TestCluster> {
  const dataDir = mkdtempSync(join(tmpdir(), 'kubelab-kubelet-'));
  const cluster = await ProcessCluster.start({ implDir: ROOT, dataDir, nodes: 1, profile: 'fast', store: 'memory' });
  let stopped = false;
  return {
    cluster, dataDir, nodeDir: join(dataDir, 'nodes', 'node-1'),
    api: (request) => rawRequest(cluster, request),
    async stop() {
      if (stopped) return;
      stopped = true;
      await cluster.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls until check returns something truthy; the error shows the last value seen. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined | false>, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    const value = await check().catch((err) => { last = err; return undefined; });
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}${last ? ` (last: ${last})` : ''}`);
    await sleep(100);
  }
}

export function podManifest(name: string, container: Record<string, unknown>, spec: Record<string, unknown> = {}) {
  return {
    apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { app: name } },
    spec: { nodeName: 'node-1', containers: [{ name: 'web', image: 'kubelab/web:1', ...container }], ...spec },
  };
}

export async function createPod(tc: TestCluster, manifest: any, namespace = 'default'): Promise<any> {
  const res = await tc.api({ method: 'POST', path: `/api/v1/namespaces/${namespace}/pods`, body: manifest });
  if (res.status !== 201) throw new Error(`creating pod ${manifest.metadata.name}: ${res.status} ${res.text}`);
  return res.json;
}

export async function getPod(tc: TestCluster, name: string, namespace = 'default'): Promise<any> {
  const res = await tc.api({ path: `/api/v1/namespaces/${namespace}/pods/${name}` });
  return res.status === 200 ? res.json : undefined;
}

export function condition(pod: any, type: string): string | undefined {
  return pod?.status?.conditions?.find((c: any) => c.type === type)?.status;
}

/** The pids of a pod's running containers, from the agent's records (<node dir>/containers/). */
export function containerPids(tc: TestCluster, podUid: string): number[] {
  const dir = join(tc.nodeDir, 'containers');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.startsWith(`${podUid}_`))
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')).pid as number);
}

/** Whether the process runs; a zombie (dead, not yet reaped by its new parent) does not. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return !existsSync('/proc/self'); // no /proc: trust kill(0)
  }
}

/** A plain HTTP request (to a pod IP). */
export function httpRequest(method: string, url: string, body?: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, timeout: 3000 }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${url}: no answer within 3 s`)));
    req.on('error', reject);
    req.end(body);
  });
}

export function httpGet(url: string): Promise<{ status: number; text: string }> {
  return httpRequest('GET', url);
}

/** Whether an IPv4 address lies in a CIDR. */
export function inCidr(ip: string, cidr: string): boolean {
  const toNumber = (a: string) => a.split('.').reduce((n, part) => n * 256 + Number(part), 0);
  const [base, bits] = cidr.split('/');
  const size = 2 ** (32 - Number(bits));
  return Math.floor(toNumber(ip) / size) === Math.floor(toNumber(base) / size);
}
