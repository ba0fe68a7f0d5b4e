// The real kubectl against the reference API server: what a student types, and
// what kubectl needs from the server for it to work.
//
// Covers: version, api-resources, get (tables, -o wide, -o yaml/json, -w, get all,
// several types at once), create namespace (a protobuf body since kubectl 1.32),
// create -f, create configmap, create secret generic, create service clusterip
// (protobuf too), get secret -o yaml (base64 data), run,
// expose, apply (client-side, twice, with a strategic merge patch; and
// --server-side), scale (the scale subresource), label, annotate, set image,
// patch --type=json|merge, edit, explain (OpenAPI v3), describe,
// --dry-run=server, the errors kubectl prints, delete and delete -f.
//
// The server is started as the graders start it (conformance/harness/process-driver.ts,
// memory store) but with no nodes, so pods stay Pending: the rollout commands,
// which need running pods, are in workflow.test.ts.

import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { KUBECTL, kubectlSession, kubectlTitle } from './support.ts';

/** Every kubectl process is killed after this. */
const SPAWN_TIMEOUT_MS = 20_000;

const kubectl = kubectlSession({ name: 'kubectl', nodes: 0, store: 'memory', timeoutMs: SPAWN_TIMEOUT_MS });
const { ok, fails, getJson, writeManifest: manifest } = kubectl;

/** A table as kubectl prints it: the header's column names, and each row's cells (columns are 2+ spaces apart). */
function table(text: string): { columns: string[]; rows: string[][] } {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const split = (l: string) => l.trim().split(/\s{2,}/);
  return { columns: split(lines[0] ?? ''), rows: lines.slice(1).map(split) };
}

/** The blocks `kubectl get a,b` and `get all` print, one per resource type, separated by blank lines. */
function sections(text: string): string[] {
  return text.split(/\n\s*\n/).filter((s) => s.trim() !== '');
}

function deploymentYaml(o: { name: string; replicas: number; image: string; env?: Record<string, string> }): string {
  const envLines = Object.entries(o.env ?? {})
    .map(([k, v]) => `        - name: ${k}\n          value: "${v}"\n`)
    .join('');
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${o.name}
  labels:
    app: ${o.name}
spec:
  replicas: ${o.replicas}
  selector:
    matchLabels:
      app: ${o.name}
  template:
    metadata:
      labels:
        app: ${o.name}
    spec:
      containers:
      - name: ${o.name}
        image: ${o.image}
        ports:
        - containerPort: 80
${envLines ? `        env:\n${envLines}` : ''}`;
}

async function waitFor(what: string, condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.skipIf(!KUBECTL)(kubectlTitle('real kubectl against the reference API server'), () => {
  let webYaml: string;

  beforeAll(async () => {
    // These tests look at Deployments exactly as stored: no deployment controller
    // (tests/kubectl/deployments.test.ts runs rollouts). Children inherit this env.
    process.env.KUBELAB_CONTROLLERS = '*,-deployment';
    await kubectl.start();
    webYaml = manifest('web.yaml', deploymentYaml({ name: 'web', replicas: 2, image: 'kubelab/web:1', env: { A: '1', B: '2' } }));
  });

  afterAll(() => kubectl.stop());

  describe('discovery and version', () => {
    it('version: the server reports v1.32, so the kubectl dispatcher runs kubectl 1.32', async () => {
      const out = await ok('version');
      expect(out).toMatch(/Client Version: v1\.32/);
      expect(out).toMatch(/Server Version: v1\.32\./);
    });

    it('api-resources: needs verbs and shortNames in discovery', async () => {
      const { columns, rows } = table(await ok('api-resources'));
      expect(columns).toEqual(['NAME', 'SHORTNAMES', 'APIVERSION', 'NAMESPACED', 'KIND']);
      expect(rows).toContainEqual(['pods', 'po', 'v1', 'true', 'Pod']);
      expect(rows).toContainEqual(['namespaces', 'ns', 'v1', 'false', 'Namespace']);
      expect(rows).toContainEqual(['deployments', 'deploy', 'apps/v1', 'true', 'Deployment']);
      expect(rows).toContainEqual(['services', 'svc', 'v1', 'true', 'Service']);
    });

    it('get nope: an unknown resource type fails cleanly', async () => {
      expect(await fails('get', 'nope')).toContain(`the server doesn't have a resource type "nope"`);
    });
  });

  describe('namespaces', () => {
    it('get ns: the system namespaces, in a Table with the STATUS column', async () => {
      const { columns, rows } = table(await ok('get', 'ns'));
      expect(columns).toEqual(['NAME', 'STATUS', 'AGE']);
      for (const ns of ['default', 'kube-node-lease', 'kube-public', 'kube-system']) {
        expect(rows.find((r) => r[0] === ns)?.[1], ns).toBe('Active');
      }
    });

    it('create namespace dev: kubectl 1.32 sends the Namespace as protobuf', async () => {
      expect(await ok('create', 'namespace', 'dev')).toContain('namespace/dev created');
      const ns = await getJson('namespace', 'dev');
      expect(ns.status.phase).toBe('Active');
      expect(ns.metadata.labels['kubernetes.io/metadata.name']).toBe('dev');
      expect(await fails('create', 'namespace', 'dev')).toContain('Error from server (AlreadyExists): namespaces "dev" already exists');
    });
  });

  describe('deployments', () => {
    it('create -f: the manifest is POSTed as JSON after the OpenAPI fieldValidation check', async () => {
      expect(await ok('create', '-f', webYaml)).toContain('deployment.apps/web created');
      expect(await fails('create', '-f', webYaml)).toContain('Error from server (AlreadyExists)');
    });

    it('get deploy: the Table columns of a Deployment', async () => {
      const { columns, rows } = table(await ok('get', 'deploy'));
      expect(columns).toEqual(['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE']);
      // No controllers run here: nothing is ready or up to date.
      expect(rows.find((r) => r[0] === 'web')?.slice(0, 4)).toEqual(['web', '0/2', '0', '0']);
      expect(table(await ok('get', 'deploy', '-o', 'wide')).columns).toEqual(
        ['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE', 'CONTAINERS', 'IMAGES', 'SELECTOR']);
    });

    it('get deploy web -o yaml: the server filled in the defaults and the metadata', async () => {
      const d = parseYaml(await ok('get', 'deploy', 'web', '-o', 'yaml'));
      expect(d.metadata).toMatchObject({ name: 'web', namespace: 'default', generation: 1 });
      expect(d.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
      expect(d.metadata.resourceVersion).toMatch(/^\d+$/);
      expect(d.metadata.creationTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      expect(d.spec).toMatchObject({
        replicas: 2,
        revisionHistoryLimit: 10,
        progressDeadlineSeconds: 600,
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      });
      expect(d.spec.template.spec).toMatchObject({
        restartPolicy: 'Always', dnsPolicy: 'ClusterFirst', schedulerName: 'default-scheduler', terminationGracePeriodSeconds: 30,
      });
      expect(d.spec.template.spec.containers[0]).toMatchObject({
        name: 'web', imagePullPolicy: 'IfNotPresent', terminationMessagePath: '/dev/termination-log',
        terminationMessagePolicy: 'File', ports: [{ containerPort: 80, protocol: 'TCP' }],
      });
    });

    it('scale: a merge patch on the scale subresource', async () => {
      expect(await ok('scale', 'deployment', 'web', '--replicas=5')).toContain('deployment.apps/web scaled');
      const d = await getJson('deploy', 'web');
      expect(d.spec.replicas).toBe(5);
      expect(d.metadata.generation).toBe(2); // a spec change bumps the generation
    });

    it('label and annotate: merge patches on metadata', async () => {
      expect(await ok('label', 'deployment', 'web', 'tier=frontend')).toContain('deployment.apps/web labeled');
      expect(await ok('annotate', 'deployment', 'web', 'owner=team-a')).toContain('deployment.apps/web annotated');
      const { rows } = table(await ok('get', 'deploy', '-l', 'tier=frontend', '--show-labels'));
      expect(rows.map((r) => r[0])).toEqual(['web']);
      expect(rows[0].at(-1)).toBe('app=web,tier=frontend');
      const d = await getJson('deploy', 'web');
      expect(d.metadata.annotations.owner).toBe('team-a');
      expect(d.metadata.generation).toBe(2); // metadata changes do not
    });

    it('set image: a strategic merge patch that merges containers by name', async () => {
      expect(await ok('set', 'image', 'deployment/web', 'web=kubelab/web:2')).toContain('deployment.apps/web image updated');
      const c = (await getJson('deploy', 'web')).spec.template.spec.containers;
      expect(c).toHaveLength(1);
      expect(c[0]).toMatchObject({ name: 'web', image: 'kubelab/web:2', env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }] });
    });

    it('patch --type=json and --type=merge', async () => {
      const jsonPatch = '[{"op":"replace","path":"/spec/template/spec/containers/0/image","value":"kubelab/web:3"}]';
      expect(await ok('patch', 'deployment', 'web', '--type=json', '-p', jsonPatch)).toContain('deployment.apps/web patched');
      expect(await ok('patch', 'deployment', 'web', '--type=merge', '-p', '{"metadata":{"labels":{"tier":"backend"}}}')).toContain('deployment.apps/web patched');
      const d = await getJson('deploy', 'web');
      expect(d.spec.template.spec.containers[0].image).toBe('kubelab/web:3');
      expect(d.metadata.labels).toEqual({ app: 'web', tier: 'backend' });
      // A JSON patch that cannot apply is a 422, which kubectl prints as "The request is invalid".
      const bad = await fails('patch', 'deployment', 'web', '--type=json', '-p', '[{"op":"remove","path":"/spec/nothing"}]');
      expect(bad).toContain('The request is invalid');
    });

    it('edit: kubectl GETs, runs KUBE_EDITOR on the YAML, then sends the difference as a patch', async () => {
      const editor = join(kubectl.workDir, 'editor.sh');
      writeFileSync(editor, `#!/bin/sh\nsed -i 's/replicas: 5/replicas: 4/' "$1"\n`, { mode: 0o755 });
      const run = await kubectl.run(['edit', 'deployment', 'web'], { env: { KUBE_EDITOR: editor } });
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toContain('deployment.apps/web edited');
      expect((await getJson('deploy', 'web')).spec.replicas).toBe(4);
    });

    it('describe deployment: typed GETs (protobuf Accept) plus events and replicasets', async () => {
      const out = await ok('describe', 'deployment', 'web');
      expect(out).toMatch(/^Name:\s+web$/m);
      expect(out).toMatch(/^Namespace:\s+default$/m);
      expect(out).toMatch(/^Labels:\s+app=web$/m);
      expect(out).toMatch(/^Annotations:\s+owner: team-a$/m);
      expect(out).toMatch(/^Replicas:\s+4 desired \| 0 updated \| 0 total \| 0 available \| 0 unavailable$/m);
      expect(out).toMatch(/^StrategyType:\s+RollingUpdate$/m);
      expect(out).toMatch(/^\s+Image:\s+kubelab\/web:3$/m);
      expect(out).toMatch(/^Events:\s+<none>$/m);
    });
  });

  describe('apply', () => {
    it('apply -f twice with changes in between: a three-way strategic merge patch', async () => {
      const v1 = manifest('api-v1.yaml', deploymentYaml({ name: 'api', replicas: 2, image: 'kubelab/api:1', env: { A: '1', B: '2' } }));
      expect(await ok('apply', '-f', v1)).toContain('deployment.apps/api created');
      expect(await ok('apply', '-f', v1)).toContain('deployment.apps/api unchanged');

      // replicas 2 → 3, a new image, env A removed: kubectl sends
      // `"env":[{"$patch":"delete","name":"A"}]` with $setElementOrder directives.
      const v2 = manifest('api-v2.yaml', deploymentYaml({ name: 'api', replicas: 3, image: 'kubelab/api:2', env: { B: '2' } }));
      expect(await ok('apply', '-f', v2)).toContain('deployment.apps/api configured');
      const d = await getJson('deploy', 'api');
      expect(d.spec.replicas).toBe(3);
      expect(d.spec.template.spec.containers).toHaveLength(1);
      expect(d.spec.template.spec.containers[0]).toMatchObject({ name: 'api', image: 'kubelab/api:2', ports: [{ containerPort: 80, protocol: 'TCP' }] });
      expect(d.spec.template.spec.containers[0].env).toEqual([{ name: 'B', value: '2' }]);
      // Defaults survive a patch.
      expect(d.spec.template.spec.containers[0].imagePullPolicy).toBe('IfNotPresent');
      const lastApplied = JSON.parse(d.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']);
      expect(lastApplied.spec.replicas).toBe(3);
      expect(lastApplied.metadata.namespace).toBe('default');
    });

    it('apply --server-side: an apply patch (the manifest as JSON) that creates, then merges', async () => {
      const v1 = manifest('cache-v1.yaml', deploymentYaml({ name: 'cache', replicas: 1, image: 'kubelab/cache:1' }));
      expect(await ok('apply', '--server-side', '-f', v1)).toContain('deployment.apps/cache serverside-applied');
      const v2 = manifest('cache-v2.yaml', deploymentYaml({ name: 'cache', replicas: 2, image: 'kubelab/cache:2' }));
      expect(await ok('apply', '--server-side', '-f', v2)).toContain('deployment.apps/cache serverside-applied');
      const d = await getJson('deploy', 'cache');
      expect(d.spec.replicas).toBe(2);
      expect(d.spec.template.spec.containers[0].image).toBe('kubelab/cache:2');
      expect(d.metadata.annotations?.['kubectl.kubernetes.io/last-applied-configuration']).toBeUndefined();
    });
  });

  describe('configmaps and services', () => {
    it('create configmap: a protobuf body', async () => {
      expect(await ok('create', 'configmap', 'settings', '--from-literal=color=blue', '--from-literal=size=L')).toContain('configmap/settings created');
      expect((await getJson('cm', 'settings')).data).toEqual({ color: 'blue', size: 'L' });
    });

    it('create service clusterip: a protobuf body; the server allocates the cluster IP', async () => {
      expect(await ok('create', 'service', 'clusterip', 'backend', '--tcp=8080:80')).toContain('service/backend created');
      const svc = await getJson('svc', 'backend');
      expect(svc.spec.type).toBe('ClusterIP');
      expect(svc.spec.clusterIP).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
      expect(svc.spec.selector).toEqual({ app: 'backend' });
      // kubectl names the port "8080-80": a valid port name (an RFC 1123 label may start with a digit).
      expect(svc.spec.ports).toEqual([{ name: '8080-80', port: 8080, protocol: 'TCP', targetPort: 80 }]);
    });

    it('expose deployment: the selector comes from the deployment', async () => {
      expect(await ok('expose', 'deployment', 'web', '--port=80')).toContain('service/web exposed');
      const svc = await getJson('svc', 'web');
      expect(svc.metadata.namespace).toBe('default');
      expect(svc.spec.selector).toEqual({ app: 'web' });
      expect(svc.spec.ports).toEqual([{ port: 80, protocol: 'TCP', targetPort: 80 }]);
    });

    it('get svc: the Table columns of a Service', async () => {
      const { columns, rows } = table(await ok('get', 'svc'));
      expect(columns).toEqual(['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE']);
      const byName = Object.fromEntries(rows.map((r) => [r[0], r]));
      expect(byName.kubernetes.slice(1, 2)).toEqual(['ClusterIP']);
      expect(byName.kubernetes[4]).toBe('443/TCP');
      expect(byName.web[1]).toBe('ClusterIP');
      expect(byName.web[3]).toBe('<none>');
      expect(byName.web[4]).toBe('80/TCP');
      expect(byName.backend[4]).toBe('8080/TCP');
    });
  });

  describe('secrets', () => {
    const b64 = (text: string) => Buffer.from(text).toString('base64');

    it('create secret generic: a protobuf body; get -o yaml shows the values base64-encoded', async () => {
      expect(await ok('create', 'secret', 'generic', 'db', '--from-literal=user=admin', '--from-literal=password=hunter2')).toContain('secret/db created');
      const secret = parseYaml(await ok('get', 'secret', 'db', '-o', 'yaml'));
      expect(secret).toMatchObject({ apiVersion: 'v1', kind: 'Secret', type: 'Opaque', data: { user: b64('admin'), password: b64('hunter2') } });
    });

    it('create -f with stringData: accepted by strict field validation, stored as data only', async () => {
      const file = manifest('token.yaml', 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: token\ntype: example.com/token\nstringData:\n  token: abc123\n');
      expect(await ok('create', '-f', file)).toContain('secret/token created');
      const secret = await getJson('secret', 'token');
      expect(secret.data).toEqual({ token: b64('abc123') });
      expect(secret.stringData).toBeUndefined();
    });

    it('get secrets: NAME, TYPE, DATA and AGE, and no value in sight', async () => {
      const out = await ok('get', 'secrets');
      const { columns, rows } = table(out);
      expect(columns).toEqual(['NAME', 'TYPE', 'DATA', 'AGE']);
      expect(rows.find((r) => r[0] === 'db')?.slice(1, 3)).toEqual(['Opaque', '2']);
      expect(rows.find((r) => r[0] === 'token')?.slice(1, 3)).toEqual(['example.com/token', '1']);
      expect(out).not.toContain(b64('hunter2'));
    });

    it('describe secret: the size of each value, never the value', async () => {
      const out = await ok('describe', 'secret', 'db');
      expect(out).toMatch(/^Type:\s+Opaque$/m);
      expect(out).toMatch(/^password:\s+7 bytes$/m);
      expect(out).not.toContain('hunter2');
    });

    it('create -f of a kubernetes.io/tls Secret without tls.key: the server names the missing key', async () => {
      const file = manifest('half-tls.yaml', `apiVersion: v1\nkind: Secret\nmetadata:\n  name: half\ntype: kubernetes.io/tls\ndata:\n  tls.crt: ${b64('cert')}\n`);
      expect(await fails('create', '-f', file)).toContain('Secret "half" is invalid: data[tls.key]: Required value');
    });
  });

  describe('pods', () => {
    it('run, then get pods -o wide: a Pending pod with no node', async () => {
      expect(await ok('run', 'box', '--image=kubelab/box:1')).toContain('pod/box created');
      const { columns, rows } = table(await ok('get', 'pods', '-o', 'wide'));
      expect(columns).toEqual(['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE', 'IP', 'NODE', 'NOMINATED NODE', 'READINESS GATES']);
      const box = rows.find((r) => r[0] === 'box');
      expect(box?.slice(0, 4)).toEqual(['box', '0/1', 'Pending', '0']);
      expect(box?.slice(5)).toEqual(['<none>', '<none>', '<none>', '<none>']);
    });

    it('get po,deploy and get all: one table per type, names prefixed with the type', async () => {
      const [pods, deploys] = sections(await ok('get', 'po,deploy'));
      expect(table(pods).columns).toEqual(['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE']);
      expect(table(pods).rows.map((r) => r[0])).toContain('pod/box');
      expect(table(deploys).columns).toEqual(['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE']);
      expect(table(deploys).rows.map((r) => r[0])).toEqual(expect.arrayContaining(['deployment.apps/web', 'deployment.apps/api']));

      // `all` is a category: discovery must list it for pods, services, deployments…
      const all = sections(await ok('get', 'all')).map(table);
      const names = all.flatMap((t) => t.rows.map((r) => r[0]));
      expect(names).toEqual(expect.arrayContaining(['pod/box', 'service/kubernetes', 'service/web', 'deployment.apps/web']));
      expect(all.map((t) => t.columns[1])).toEqual(expect.arrayContaining(['READY', 'TYPE']));
    });

    it('get pods -w: a list, then a watch from its resourceVersion, one row per event', async () => {
      await ok('run', 'first', '--image=kubelab/box:1', '--labels=watch=me');
      const watcher = spawn(KUBECTL!, ['get', 'pods', '-l', 'watch=me', '-w', '--request-timeout=20s'], { env: kubectl.env, stdio: ['ignore', 'pipe', 'pipe'] });
      const killer = setTimeout(() => watcher.kill('SIGKILL'), SPAWN_TIMEOUT_MS);
      let out = '';
      watcher.stdout.on('data', (d) => (out += d));
      try {
        // The header and `first` come from the list; `second` can only come from the watch.
        await waitFor('the list', () => /^first\s/m.test(out));
        // A pod no scheduler serves: its only rows are the ADDED and the DELETED one.
        await ok('run', 'second', '--image=kubelab/box:1', '--labels=watch=me', '--overrides={"apiVersion":"v1","spec":{"schedulerName":"no-scheduler"}}');
        await waitFor('the ADDED row for second', () => /^second\s+0\/1\s+Pending/m.test(out));
        await ok('delete', 'pod', 'second');
        await waitFor('the DELETED row for second', () => out.match(/^second\s/gm)?.length === 2);
      } finally {
        clearTimeout(killer);
        watcher.kill('SIGTERM');
      }
      expect(table(out).columns).toEqual(['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE']);
      await ok('delete', 'pod', 'first');
    });

    it('delete pod: immediate, since no node has to stop it', async () => {
      const started = Date.now();
      expect(await ok('delete', 'pod', 'box')).toContain('pod "box" deleted');
      expect(Date.now() - started).toBeLessThan(5000);
      expect(await fails('get', 'pod', 'box')).toContain('Error from server (NotFound): pods "box" not found');
      expect(await fails('delete', 'pod', 'box')).toContain('Error from server (NotFound): pods "box" not found');
    });
  });

  describe('explain, dry runs and errors', () => {
    it('explain pod.spec.containers: schemas from the OpenAPI v3 document', async () => {
      const out = await ok('explain', 'pod.spec.containers');
      expect(out).toMatch(/^KIND:\s+Pod$/m);
      expect(out).toMatch(/^VERSION:\s+v1$/m);
      expect(out).toMatch(/^FIELD: containers <\[\]Container>$/m);
      expect(out).toMatch(/^\s+image\s+<string>$/m);
      expect(out).toMatch(/^\s+name\s+<string> -required-$/m);
    });

    it('create -f --dry-run=server: validated and defaulted, not stored', async () => {
      const dry = manifest('dry.yaml', deploymentYaml({ name: 'dry', replicas: 1, image: 'kubelab/web:1' }));
      expect(await ok('create', '-f', dry, '--dry-run=server')).toContain('deployment.apps/dry created (server dry run)');
      const out = parseYaml(await ok('create', '-f', dry, '--dry-run=server', '-o', 'yaml'));
      expect(out.spec.strategy.type).toBe('RollingUpdate');
      expect(await fails('get', 'deploy', 'dry')).toContain('Error from server (NotFound): deployments.apps "dry" not found');
    });

    it('create of an invalid object: the Status message lists the field errors', async () => {
      const bad = manifest('bad.yaml', 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: Bad_Name\nspec:\n  containers: []\n');
      const err = await fails('create', '-f', bad);
      expect(err).toContain('The Pod "Bad_Name" is invalid');
      expect(err).toContain('metadata.name: Invalid value: "Bad_Name"');
      expect(err).toContain('spec.containers: Required value');
    });

    it('create -f with an unknown field: fieldValidation=Strict makes the server refuse it', async () => {
      const typo = manifest('typo.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: typo\ndatta:\n  a: b\n');
      expect(await fails('create', '-f', typo)).toContain('unknown field "datta"');
    });
  });

  describe('delete', () => {
    it('delete -f: DELETE with a DeleteOptions body, then a GET that must 404', async () => {
      expect(await ok('delete', '-f', webYaml)).toContain('deployment.apps "web" deleted');
      expect(await fails('get', 'deploy', 'web')).toContain('Error from server (NotFound): deployments.apps "web" not found');
      expect(await fails('delete', '-f', webYaml)).toContain('Error from server (NotFound)');
    });

    it('delete namespace: kubectl waits until the namespace controller has emptied and removed it', async () => {
      expect(await ok('delete', 'namespace', 'dev', '--timeout=30s')).toContain('namespace "dev" deleted');
      expect(await fails('get', 'namespace', 'dev')).toContain('Error from server (NotFound): namespaces "dev" not found');
    });
  });
});
