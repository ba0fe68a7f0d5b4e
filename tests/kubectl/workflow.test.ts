// The whole workflow the course teaches, with the real kubectl against a
// reference cluster with two nodes and every controller: a Deployment is
// applied and rolled out, scaled, updated to a new image, exposed as a Service
// and reached through its ClusterIP, rolled back, and its namespace deleted
// with everything in it.

import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KUBECTL, kubectlSession, kubectlTitle } from './support.ts';

const kubectl = kubectlSession({ name: 'workflow', nodes: 2, store: 'memory', timeoutMs: 90_000 });
const { ok, writeManifest } = kubectl;

/** GET / through an address, answered by some pod: `{pod, version, …}`. */
function whoAnswers(host: string, port: number): Promise<{ pod: string; version: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host, port, path: '/', timeout: 3000, agent: false }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => {
        try {
          resolve(JSON.parse(body));
        } catch (err) {
          reject(err);
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error('no answer within 3 s')));
    req.on('error', reject);
  });
}

/** Asks the Service `times` times; returns the pods and versions that answered. */
async function sample(ip: string, port: number, times: number): Promise<{ pods: Set<string>; versions: Set<string> }> {
  const pods = new Set<string>();
  const versions = new Set<string>();
  for (let i = 0; i < times; i++) {
    const answer = await whoAnswers(ip, port);
    pods.add(answer.pod);
    versions.add(String(answer.version));
  }
  return { pods, versions };
}

const NS = 'shop';
const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: ${NS}
spec:
  replicas: 3
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: web
        image: kubelab/web:1
        ports: [{containerPort: 8080}]
        readinessProbe:
          httpGet: {path: /ready, port: 8080}
          periodSeconds: 1
`;

describe.skipIf(!KUBECTL)(kubectlTitle('the deployment workflow with kubectl'), () => {
  let manifest: string;

  beforeAll(async () => {
    await kubectl.start();
    manifest = writeManifest('web.yaml', DEPLOYMENT);
  }, 60_000);

  afterAll(() => kubectl.stop());

  it('runs from apply to namespace deletion', async () => {
    await ok('create', 'namespace', NS);
    expect(await ok('apply', '-f', manifest)).toContain('deployment.apps/web created');
    expect(await ok('rollout', 'status', '-n', NS, 'deployment/web', '--timeout=60s')).toContain('deployment "web" successfully rolled out');
    // Applying the same manifest again changes nothing.
    expect(await ok('apply', '-f', manifest)).toContain('deployment.apps/web unchanged');

    await ok('scale', '-n', NS, 'deployment/web', '--replicas=4');
    await ok('rollout', 'status', '-n', NS, 'deployment/web', '--timeout=60s');
    expect((await ok('get', '-n', NS, 'pods', '-l', 'app=web', '--no-headers')).trim().split('\n')).toHaveLength(4);

    expect(await ok('expose', '-n', NS, 'deployment', 'web', '--port=80', '--target-port=8080')).toContain('service/web exposed');
    const ip = (await ok('get', '-n', NS, 'service', 'web', '-o', 'jsonpath={.spec.clusterIP}')).trim();
    expect(ip).toMatch(/^127\./);
    // Through the ClusterIP, every pod of the four answers in turn (round-robin), all with version 1.
    const before = await sample(ip, 80, 12);
    expect(before.pods.size).toBe(4);
    expect([...before.versions]).toEqual(['1']);

    expect(await ok('set', 'image', '-n', NS, 'deployment/web', 'web=kubelab/web:2')).toContain('image updated');
    await ok('rollout', 'status', '-n', NS, 'deployment/web', '--timeout=90s');
    const history = await ok('rollout', 'history', '-n', NS, 'deployment/web');
    expect(history).toMatch(/^1\s/m);
    expect(history).toMatch(/^2\s/m);
    await expect.poll(async () => [...(await sample(ip, 80, 8)).versions], { timeout: 10_000 }).toEqual(['2']);

    expect(await ok('rollout', 'undo', '-n', NS, 'deployment/web')).toContain('rolled back');
    await ok('rollout', 'status', '-n', NS, 'deployment/web', '--timeout=90s');
    await expect.poll(async () => [...(await sample(ip, 80, 8)).versions], { timeout: 10_000 }).toEqual(['1']);
    // The old ReplicaSet came back as revision 3; revision 1 is gone from the history.
    const after = await ok('rollout', 'history', '-n', NS, 'deployment/web');
    expect(after).toMatch(/^2\s/m);
    expect(after).toMatch(/^3\s/m);
    expect(after).not.toMatch(/^1\s/m);

    const started = Date.now();
    expect(await ok('delete', 'namespace', NS, '--timeout=60s')).toContain(`namespace "${NS}" deleted`);
    expect(Date.now() - started).toBeLessThan(60_000);
    const gone = await kubectl.run(['get', 'namespace', NS]);
    expect(gone.stderr).toContain('NotFound');
    expect((await ok('get', 'pods', '-A', '-l', 'app=web', '--no-headers')).trim()).toBe('');
  }, 240_000);
});
