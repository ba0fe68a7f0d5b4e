// Deleting with the real kubectl against a reference cluster (one node, every
// controller): `kubectl delete namespace` empties the namespace and returns
// once it is gone; `kubectl delete rs` takes the pods with it, or leaves them
// behind with --cascade=orphan; a terminating namespace takes no new objects
// and says in `kubectl describe` what it is waiting for.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KUBECTL, kubectlSession, kubectlTitle } from './support.ts';

const kubectl = kubectlSession({ name: 'namespaces', nodes: 1, store: 'memory', timeoutMs: 30_000 });
const { ok, getJson: json, writeManifest } = kubectl;

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
  return writeManifest(`${name}.yaml`, `apiVersion: apps/v1
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
}

/** Waits for `count` Running pods with label app=<name> in the namespace; returns them. */
async function runningPods(namespace: string, name: string, count: number): Promise<any[]> {
  return until(`${count} running pods of ${name}`, async () => {
    const pods = (await json('pods', '-n', namespace, '-l', `app=${name}`)).items;
    return pods.length === count && pods.every((p: any) => p.status.phase === 'Running' && !p.metadata.deletionTimestamp) ? pods : undefined;
  });
}

describe.skipIf(!KUBECTL)(kubectlTitle('kubectl delete: namespaces and cascading'), () => {
  beforeAll(() => kubectl.start(), 60_000);

  afterAll(() => kubectl.stop());

  it('delete namespace: returns within a few seconds, and the namespace and everything in it are gone', async () => {
    await ok('create', 'namespace', 'shop');
    await ok('apply', '-n', 'shop', '-f', replicaSetYaml('web', 2));
    await ok('create', 'configmap', 'settings', '-n', 'shop', '--from-literal=color=blue');
    await runningPods('shop', 'web', 2);

    const run = await kubectl.run(['delete', 'namespace', 'shop']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('namespace "shop" deleted');
    expect(run.ms).toBeLessThan(8000);
    expect((await kubectl.run(['get', 'namespace', 'shop'])).stderr).toContain('namespaces "shop" not found');
    for (const kind of ['pods', 'replicasets', 'configmaps']) {
      const left = await kubectl.run(['get', kind, '-n', 'shop']);
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
    const hold = writeManifest('hold.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: hold\n  finalizers: ["example.com/hold"]\n');
    await ok('create', '-n', 'held', '-f', hold);
    await ok('delete', 'namespace', 'held', '--wait=false');

    const refused = await kubectl.run(['create', 'configmap', 'late', '-n', 'held', '--from-literal=a=b']);
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

    const refusedDefault = await kubectl.run(['delete', 'namespace', 'default']);
    expect(refusedDefault.code).not.toBe(0);
    expect(refusedDefault.stderr).toContain('Error from server (Forbidden): namespaces "default" is forbidden: this namespace may not be deleted');
  }, 60_000);
});
