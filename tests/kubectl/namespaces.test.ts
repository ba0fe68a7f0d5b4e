// Deleting with the real kubectl against a reference cluster (one node, every
// controller): `kubectl delete namespace` empties the namespace and returns
// once it is gone; `kubectl delete rs` takes the pods with it, or leaves them
// behind with --cascade=orphan; a terminating namespace takes no new objects
// and says in `kubectl describe` what it is waiting for.
//
// kubectl keeps a discovery cache in $HOME/.kube/cache; the test gets its own
// HOME. On a machine without kubectl the suite is skipped, and its title says why.

import { spawn } from 'node:child_process';
import { accessSync, constants, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProcessCluster } from '../../conformance/harness/process-driver.ts';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const KUBECTL = (process.env.PATH ?? '').split(delimiter).filter(Boolean).map((d) => join(d, 'kubectl')).find((file) => {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
});

let cluster: ProcessCluster;
let workDir: string;
let env: NodeJS.ProcessEnv;

function kubectl(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(KUBECTL!, [...args, '--request-timeout=10s'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: Date.now() - started });
    });
  });
}

async function ok(...args: string[]): Promise<string> {
  const run = await kubectl(...args);
  expect(run.code, `kubectl ${args.join(' ')} failed:\n${run.stderr}${run.stdout}`).toBe(0);
  return run.stdout;
}

async function json(...args: string[]): Promise<any> {
  return JSON.parse(await ok('get', ...args, '-o', 'json'));
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function replicaSetYaml(name: string, replicas: number): string {
  const file = join(workDir, `${name}.yaml`);
  writeFileSync(file, `apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: ${name}
spec:
  replicas: ${replicas}
  selector:
    matchLabels:
      app: ${name}
  template:
    metadata:
      labels:
        app: ${name}
    spec:
      terminationGracePeriodSeconds: 5
      containers:
      - name: web
        image: kubelab/web:1
`);
  return file;
}

/** Waits for `count` Running pods with label app=<name> in the namespace; returns them. */
async function runningPods(namespace: string, name: string, count: number): Promise<any[]> {
  return until(`${count} running pods of ${name}`, async () => {
    const pods = (await json('pods', '-n', namespace, '-l', `app=${name}`)).items;
    return pods.length === count && pods.every((p: any) => p.status.phase === 'Running' && !p.metadata.deletionTimestamp) ? pods : undefined;
  });
}

describe.skipIf(!KUBECTL)(`kubectl delete: namespaces and cascading${KUBECTL ? '' : ' (skipped: kubectl is not on PATH)'}`, () => {
  beforeAll(async () => {
    workDir = mkdtempSync(join(tmpdir(), 'kubelab-namespaces-'));
    const home = join(workDir, 'home');
    mkdirSync(home);
    cluster = await ProcessCluster.start({ implDir: REPO_ROOT, dataDir: join(workDir, 'cluster'), nodes: 1, profile: 'fast', store: 'memory' });
    env = { PATH: process.env.PATH, HOME: home, KUBECONFIG: cluster.kubeconfig, LANG: 'C' };
  }, 60_000);

  afterAll(async () => {
    await cluster?.stop();
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  it('delete namespace: returns within a few seconds, and the namespace and everything in it are gone', async () => {
    await ok('create', 'namespace', 'shop');
    await ok('apply', '-n', 'shop', '-f', replicaSetYaml('web', 2));
    await ok('create', 'configmap', 'settings', '-n', 'shop', '--from-literal=color=blue');
    await runningPods('shop', 'web', 2);

    const run = await kubectl('delete', 'namespace', 'shop');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('namespace "shop" deleted');
    expect(run.ms).toBeLessThan(8000);
    expect((await kubectl('get', 'namespace', 'shop')).stderr).toContain('namespaces "shop" not found');
    for (const kind of ['pods', 'replicasets', 'configmaps']) {
      const left = await kubectl('get', kind, '-n', 'shop');
      expect(left.stderr, kind).toContain('No resources found in shop namespace.');
    }
  }, 60_000);

  it('delete rs --cascade=orphan: the pods stay, with no ownerReferences; delete rs: the pods go too', async () => {
    await ok('create', 'namespace', 'cascade');
    await ok('apply', '-n', 'cascade', '-f', replicaSetYaml('kept', 2));
    const before = await runningPods('cascade', 'kept', 2);
    expect((await ok('delete', 'rs', 'kept', '-n', 'cascade', '--cascade=orphan'))).toContain('replicaset.apps "kept" deleted');
    await new Promise((r) => setTimeout(r, 1000));
    const after = (await json('pods', '-n', 'cascade', '-l', 'app=kept')).items;
    expect(after.map((p: any) => p.metadata.name).sort()).toEqual(before.map((p: any) => p.metadata.name).sort());
    for (const p of after) {
      expect(p.metadata.ownerReferences, p.metadata.name).toBeUndefined();
      expect(p.metadata.deletionTimestamp, p.metadata.name).toBeUndefined();
    }

    await ok('apply', '-n', 'cascade', '-f', replicaSetYaml('gone', 1));
    await runningPods('cascade', 'gone', 1);
    await ok('delete', 'rs', 'gone', '-n', 'cascade');
    await until('the pods of rs gone deleted', async () => ((await json('pods', '-n', 'cascade', '-l', 'app=gone')).items.length === 0 ? true : undefined));
    await ok('delete', 'namespace', 'cascade');
  }, 60_000);

  it('a terminating namespace refuses new objects and describes what holds it; the immortal ones cannot be deleted', async () => {
    await ok('create', 'namespace', 'held');
    const hold = join(workDir, 'hold.yaml');
    writeFileSync(hold, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: hold\n  finalizers: ["example.com/hold"]\n');
    await ok('create', '-n', 'held', '-f', hold);
    await ok('delete', 'namespace', 'held', '--wait=false');

    const refused = await kubectl('create', 'configmap', 'late', '-n', 'held', '--from-literal=a=b');
    expect(refused.code).not.toBe(0);
    // `kubectl create configmap` words it "error: failed to create configmap: …"; the server's message follows.
    expect(refused.stderr).toContain('configmaps "late" is forbidden: unable to create new content in namespace held because it is being terminated');

    const described = await until('the remaining finalizer in the conditions', async () => {
      const text = await ok('describe', 'namespace', 'held');
      return text.includes('example.com/hold in 1 resource instances') ? text : undefined;
    });
    expect(described).toMatch(/Status:\s+Terminating/);

    await ok('patch', 'configmap', 'hold', '-n', 'held', '--type=merge', '-p', '{"metadata":{"finalizers":null}}');
    await ok('wait', '--for=delete', 'namespace/held', '--timeout=15s');

    const refusedDefault = await kubectl('delete', 'namespace', 'default');
    expect(refusedDefault.code).not.toBe(0);
    expect(refusedDefault.stderr).toContain('Error from server (Forbidden): namespaces "default" is forbidden: this namespace may not be deleted');
  }, 60_000);
});
