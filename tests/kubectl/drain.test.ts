// Real kubectl draining a node of the reference while a PodDisruptionBudget
// guards the pods: `kubectl drain` cordons the node, then evicts each pod
// through pods/eviction and retries every 5 s while the budget answers 429
// (k8s.io/kubectl/pkg/drain). The Deployment's pods are first put on one node
// (the other cordoned), so the second eviction must wait until the first pod's
// replacement is Ready on the other node.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KUBECTL, kubectlSession, kubectlTitle } from './support.ts';

const kubectl = kubectlSession({ name: 'kubectl-drain', nodes: 2, store: 'memory', timeoutMs: 20_000 });
const { ok, getJson, writeManifest } = kubectl;

async function eventually(what: string, probe: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** The pods with app=web that are not being deleted, with their nodes and readiness. */
async function webPods(): Promise<{ name: string; node: string; ready: boolean }[]> {
  const list = await getJson('pods', '-l', 'app=web');
  return list.items.filter((p: any) => !p.metadata.deletionTimestamp).map((p: any) => ({
    name: p.metadata.name,
    node: p.spec.nodeName ?? '',
    ready: (p.status.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True'),
  }));
}

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: web
        image: kubelab/web:1
`;

describe.skipIf(!KUBECTL)(kubectlTitle('kubectl drain against the reference'), () => {
  beforeAll(() => kubectl.start(), 90_000);

  afterAll(() => kubectl.stop());

  it('drains a node pod by pod within the budget; the pods come back on the other node', { timeout: 150_000 }, async () => {
    const nodes: string[] = (await getJson('nodes')).items.map((n: any) => n.metadata.name).sort();
    expect(nodes).toHaveLength(2);
    const [drained, other] = nodes;

    // Both pods on the node to drain: the other one is cordoned while they are placed.
    await ok('cordon', other);
    expect(await ok('apply', '-f', writeManifest('web.yaml', DEPLOYMENT))).toContain('deployment.apps/web created');
    await eventually('2 ready pods', async () => {
      const pods = await webPods();
      return pods.length === 2 && pods.every((p) => p.ready && p.node === drained);
    }, 60_000);
    await ok('uncordon', other);

    // `kubectl create pdb` sends the budget as protobuf.
    expect(await ok('create', 'pdb', 'web', '--selector=app=web', '--min-available=1')).toContain('poddisruptionbudget.policy/web created');
    await eventually('the budget allows one disruption', async () => (await getJson('pdb', 'web')).status?.disruptionsAllowed === 1);
    const columns = (await ok('get', 'pdb', 'web')).split('\n')[1].trim().split(/\s{2,}/);
    expect(columns.slice(0, 4)).toEqual(['web', '1', 'N/A', '1']);

    const run = await kubectl.run(['drain', drained, '--ignore-daemonsets', '--delete-emptydir-data', '--timeout=60s'], { timeoutMs: 90_000 });
    const output = `${run.stdout}${run.stderr}`;
    expect(run.code, output).toBe(0);
    expect(output).toContain(`node/${drained} cordoned`);
    expect(output).toContain(`node/${drained} drained`);
    // The second pod had to wait for the first one's replacement.
    expect(output).toContain("Cannot evict pod as it would violate the pod's disruption budget.");

    await eventually('2 ready pods on the other node', async () => {
      const pods = await webPods();
      return pods.length === 2 && pods.every((p) => p.ready && p.node === other);
    }, 60_000);
    const node = await getJson('node', drained);
    expect(node.spec.unschedulable).toBe(true);

    await ok('uncordon', drained);
    expect((await getJson('node', drained)).spec.unschedulable).toBeUndefined();
  });
});
