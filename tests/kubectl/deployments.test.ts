// Real kubectl rolling Deployments out on the reference: apply, rollout status,
// scale, set image, rollout history, undo (also --to-revision), pause and
// resume, restart, and a rollout that exceeds its progress deadline.
//
// The cluster is started as the graders start it (conformance/harness/process-driver.ts)
// with one node, so pods really run and become ready. `rollout undo` is done by
// kubectl itself: it reads the ReplicaSets, then JSON-patches the Deployment's
// template back (k8s.io/kubectl/pkg/polymorphichelpers/rollback.go); the controller
// must then reuse the old ReplicaSet under a new revision number.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KUBECTL, kubectlSession, kubectlTitle } from './support.ts';

const kubectl = kubectlSession({ name: 'kubectl-rollout', nodes: 1, store: 'memory', timeoutMs: 20_000 });
const { ok, fails, getJson, writeManifest } = kubectl;

/** How long a `rollout status` (which waits up to 60 s) may run before it is killed. */
const ROLLOUT_STATUS_TIMEOUT_MS = 70_000;

/** `kubectl rollout status`, which waits (a watch) until the rollout is complete. */
async function rolledOut(name: string): Promise<string> {
  const run = await kubectl.run(['rollout', 'status', `deployment/${name}`, '--timeout=60s'], { timeoutMs: ROLLOUT_STATUS_TIMEOUT_MS });
  expect(run.code, `rollout status ${name}:\n${run.stderr}${run.stdout}`).toBe(0);
  expect(run.stdout).toContain(`deployment "${name}" successfully rolled out`);
  return run.stdout;
}

function table(text: string): { columns: string[]; rows: string[][] } {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const split = (l: string) => l.trim().split(/\s{2,}/);
  return { columns: split(lines[0] ?? ''), rows: lines.slice(1).map(split) };
}

/** The images of the pods with label app=<name> that are not being deleted. */
async function podImages(name: string): Promise<string[]> {
  const list = await getJson('pods', '-l', `app=${name}`);
  return list.items.filter((p: any) => !p.metadata.deletionTimestamp).map((p: any) => p.spec.containers[0].image).sort();
}

/** REVISION numbers that `kubectl rollout history` lists. */
async function revisions(name: string): Promise<string[]> {
  const out = await ok('rollout', 'history', `deployment/${name}`);
  return out.split('\n').map((l) => l.trim().split(/\s+/)[0]).filter((r) => /^\d+$/.test(r));
}

async function eventually(what: string, probe: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

function deploymentYaml(name: string, replicas: number, image: string, extra = ''): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  labels:
    app: ${name}
spec:
  replicas: ${replicas}${extra}
  selector:
    matchLabels:
      app: ${name}
  template:
    metadata:
      labels:
        app: ${name}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: web
        image: ${image}
`;
}

describe.skipIf(!KUBECTL)(kubectlTitle('kubectl rollouts against the reference'), () => {
  beforeAll(() => kubectl.start(), 90_000);

  afterAll(() => kubectl.stop());

  it('apply, then rollout status: one ReplicaSet web-<hash>, three available pods', { timeout: 90_000 }, async () => {
    const file = writeManifest('web.yaml', deploymentYaml('web', 3, 'kubelab/web:1'));
    expect(await ok('apply', '-f', file)).toContain('deployment.apps/web created');
    await rolledOut('web');

    const deploy = table(await ok('get', 'deploy', 'web'));
    expect(deploy.rows[0].slice(0, 4)).toEqual(['web', '3/3', '3', '3']);
    const rs = table(await ok('get', 'rs', '-l', 'app=web'));
    expect(rs.columns.slice(0, 4)).toEqual(['NAME', 'DESIRED', 'CURRENT', 'READY']);
    expect(rs.rows).toHaveLength(1);
    expect(rs.rows[0][0]).toMatch(/^web-[bcdfghjklmnpqrstvwxz2456789]+$/);
    expect(rs.rows[0].slice(1, 4)).toEqual(['3', '3', '3']);
    const pods = table(await ok('get', 'pods', '-l', 'app=web'));
    expect(pods.rows).toHaveLength(3);
    for (const row of pods.rows) expect(row[0].startsWith(`${rs.rows[0][0]}-`)).toBe(true);

    const described = await ok('describe', 'deployment', 'web');
    expect(described).toMatch(/^Replicas:\s+3 desired \| 3 updated \| 3 total \| 3 available \| 0 unavailable$/m);
    expect(described).toMatch(new RegExp(`^NewReplicaSet:\\s+${rs.rows[0][0]} \\(3/3 replicas created\\)$`, 'm'));
    expect(described).toMatch(/Available\s+True\s+MinimumReplicasAvailable/);
    expect(described).toMatch(new RegExp(`ScalingReplicaSet\\s+.*Scaled up replica set ${rs.rows[0][0]} from 0 to 3`));
  });

  it('scale: the same ReplicaSet gets the new size, no new revision', { timeout: 90_000 }, async () => {
    expect(await ok('scale', 'deployment', 'web', '--replicas=4')).toContain('deployment.apps/web scaled');
    await rolledOut('web');
    expect(await podImages('web')).toEqual(Array(4).fill('kubelab/web:1'));
    expect(await revisions('web')).toEqual(['1']);
  });

  it('set image, then rollout status: a second ReplicaSet, every pod on web:2, two revisions', { timeout: 90_000 }, async () => {
    expect(await ok('set', 'image', 'deployment/web', 'web=kubelab/web:2')).toContain('deployment.apps/web image updated');
    await rolledOut('web');
    expect(await podImages('web')).toEqual(Array(4).fill('kubelab/web:2'));
    expect(await revisions('web')).toEqual(['1', '2']);
    const rs = await getJson('rs', '-l', 'app=web');
    expect(rs.items).toHaveLength(2);
    const byRevision = Object.fromEntries(rs.items.map((r: any) => [r.metadata.annotations['deployment.kubernetes.io/revision'], r.spec.replicas]));
    expect(byRevision).toEqual({ 1: 0, 2: 4 });
    const out = await ok('rollout', 'history', 'deployment/web', '--revision=2');
    expect(out).toContain('Image:\tkubelab/web:2');
    // The Deployment's annotations reach its current ReplicaSet: CHANGE-CAUSE in the history.
    await ok('annotate', 'deployment/web', 'kubernetes.io/change-cause=set image to web:2');
    await eventually('CHANGE-CAUSE of revision 2', async () => /^2\s+set image to web:2$/m.test(await ok('rollout', 'history', 'deployment/web')));
  });

  it('rollout undo: back to web:1 with the old ReplicaSet renumbered 3; --to-revision=2 gives revision 4', { timeout: 120_000 }, async () => {
    const before = (await getJson('rs', '-l', 'app=web')).items.map((r: any) => r.metadata.name).sort();
    expect(await ok('rollout', 'undo', 'deployment/web')).toContain('deployment.apps/web rolled back');
    await rolledOut('web');
    expect(await podImages('web')).toEqual(Array(4).fill('kubelab/web:1'));
    expect(await revisions('web')).toEqual(['2', '3']);
    const after = await getJson('rs', '-l', 'app=web');
    expect(after.items.map((r: any) => r.metadata.name).sort()).toEqual(before); // reused, not recreated
    const reused = after.items.find((r: any) => r.metadata.annotations['deployment.kubernetes.io/revision'] === '3');
    expect(reused.metadata.annotations['deployment.kubernetes.io/revision-history']).toBe('1');
    expect((await getJson('deploy', 'web')).metadata.annotations['deployment.kubernetes.io/revision']).toBe('3');

    expect(await ok('rollout', 'undo', 'deployment/web', '--to-revision=2')).toContain('deployment.apps/web rolled back');
    await rolledOut('web');
    expect(await podImages('web')).toEqual(Array(4).fill('kubelab/web:2'));
    expect(await revisions('web')).toEqual(['3', '4']);
    expect(await fails('rollout', 'undo', 'deployment/web', '--to-revision=9')).toContain('unable to find specified revision 9 in history');
    expect(await ok('rollout', 'undo', 'deployment/web', '--to-revision=4')).toContain('skipped rollback (current template already matches revision 4)');
  });

  it('pause: a template change makes no ReplicaSet and undo is refused; resume rolls it out', { timeout: 120_000 }, async () => {
    expect(await ok('rollout', 'pause', 'deployment/web')).toContain('deployment.apps/web paused');
    await eventually('Progressing Unknown DeploymentPaused', async () => {
      const d = await getJson('deploy', 'web');
      return d.status.conditions?.some((c: any) => c.type === 'Progressing' && c.status === 'Unknown' && c.reason === 'DeploymentPaused');
    });
    expect(await ok('set', 'env', 'deployment/web', 'COLOUR=blue')).toContain('deployment.apps/web env updated');
    await new Promise((r) => setTimeout(r, 1000));
    expect((await getJson('rs', '-l', 'app=web')).items).toHaveLength(2);
    expect(await revisions('web')).toEqual(['3', '4']);
    expect(await fails('rollout', 'undo', 'deployment/web')).toContain("you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume' and try again");

    expect(await ok('rollout', 'resume', 'deployment/web')).toContain('deployment.apps/web resumed');
    await rolledOut('web');
    const pods = (await getJson('pods', '-l', 'app=web')).items.filter((p: any) => !p.metadata.deletionTimestamp);
    expect(pods.map((p: any) => p.spec.containers[0].env)).toEqual(Array(4).fill([{ name: 'COLOUR', value: 'blue' }]));
    expect(await revisions('web')).toEqual(['3', '4', '5']);
  });

  it('rollout restart: new pods from a new ReplicaSet whose template carries restartedAt', { timeout: 120_000 }, async () => {
    const podsBefore = (await getJson('pods', '-l', 'app=web')).items.map((p: any) => p.metadata.name);
    expect(await ok('rollout', 'restart', 'deployment/web')).toContain('deployment.apps/web restarted');
    await rolledOut('web');
    const d = await getJson('deploy', 'web');
    expect(d.spec.template.metadata.annotations['kubectl.kubernetes.io/restartedAt']).toMatch(/^\d{4}-\d\d-\d\dT/);
    const podsAfter = (await getJson('pods', '-l', 'app=web')).items.filter((p: any) => !p.metadata.deletionTimestamp);
    expect(podsAfter).toHaveLength(4);
    for (const p of podsAfter) {
      expect(podsBefore).not.toContain(p.metadata.name);
      expect(p.metadata.annotations['kubectl.kubernetes.io/restartedAt']).toBe(d.spec.template.metadata.annotations['kubectl.kubernetes.io/restartedAt']);
    }
    expect(await revisions('web')).toEqual(['3', '4', '5', '6']);
  });

  it('rollout status fails once a rollout exceeds its progress deadline', { timeout: 90_000 }, async () => {
    const file = writeManifest('stuck.yaml', deploymentYaml('stuck', 1, 'kubelab/web:1', '\n  progressDeadlineSeconds: 3'));
    expect(await ok('apply', '-f', file)).toContain('deployment.apps/stuck created');
    await rolledOut('stuck');
    await ok('set', 'image', 'deployment/stuck', 'web=kubelab/nope:1');
    const run = await kubectl.run(['rollout', 'status', 'deployment/stuck', '--timeout=60s'], { timeoutMs: ROLLOUT_STATUS_TIMEOUT_MS });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('error: deployment "stuck" exceeded its progress deadline');
    const d = await getJson('deploy', 'stuck');
    expect(d.status.conditions.find((c: any) => c.type === 'Progressing')).toMatchObject({ status: 'False', reason: 'ProgressDeadlineExceeded' });
    // The old pod keeps serving: a stuck rollout takes nothing away (maxUnavailable 0 of 1).
    expect(await podImages('stuck')).toEqual(['kubelab/nope:1', 'kubelab/web:1']);
  });
});
