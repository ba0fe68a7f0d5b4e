// The container driver, end to end: the images are built on this machine (no
// registry), the reference runs in containers on a Docker network, and the
// suite checks it through `kubelab conformance --driver container`: the api
// lab, pods that run containers (one's log read through the API server, which
// reaches the node agent across the network) and a killed node (docker kill)
// that turns NotReady. A check that needs to reach a pod's IP is skipped with
// the reason (pod IPs live inside the node containers). Afterwards nothing the
// driver labelled may be left.
// A real Kubernetes node image (kindest/node), when one is here, runs the api lab.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommand } from '../support/run-command.ts';
import { useDocker, type TestDocker } from '../support/docker.ts';
import { DRIVER_LABEL } from '../../conformance/harness/container-runtime.ts';
import { findKindNodeImage } from '../../conformance/harness/kind-node.ts';
import { readContract } from '../../conformance/harness/contract.ts';
import { suiteReaches } from '../../conformance/lib/reach.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** Image builds and container start-up on a busy two-core machine: minutes, not seconds. */
const RUN_TIMEOUT_MS = 540_000;

/** Checks beyond the api lab, each something only a working cluster passes. */
const EXTRA_CHECKS = ['pods.containers.args', 'pods.restarts.never-failed', 'failures.nodes.unreachable'];
/** Needs the pod's IP, which is inside a node's container: skipped, with the reason. */
const UNREACHABLE_CHECK = 'pods.lifecycle.running';

let docker: TestDocker;
let work: string;

beforeAll(async () => {
  docker = await useDocker();
  work = mkdtempSync(join(tmpdir(), 'kubelab-container-test-'));
}, 90_000);

afterAll(async () => {
  rmSync(work, { recursive: true, force: true });
  await docker?.stop();
});

interface Outcome { id: string; status: string; message?: string }

/** Runs the CLI's conformance command; resolves with the JSON report's checks and the output. */
async function conformance(args: string[]): Promise<{ status: number | null; checks: Outcome[]; output: string }> {
  const out = join(work, `report-${Date.now()}.json`);
  const result = await runCommand('node', [join(ROOT, 'bin/kubelab.js'), 'conformance', ...args, '--reporter', 'json', '--out', out], {
    cwd: work, env: { ...process.env, NO_COLOR: '1' }, timeout: RUN_TIMEOUT_MS,
  });
  let checks: Outcome[] = [];
  try { checks = JSON.parse(readFileSync(out, 'utf8')).checks; } catch { /* no report: the output says why */ }
  return { status: result.status, checks, output: `${result.stdout}\n${result.stderr}`.slice(-6000) };
}

async function labelled(): Promise<string[]> {
  const containers = await runCommand('docker', ['ps', '-a', '--filter', `label=${DRIVER_LABEL}`, '--format', '{{.Names}}']);
  const networks = await runCommand('docker', ['network', 'ls', '--filter', `label=${DRIVER_LABEL}`, '--format', '{{.Name}}']);
  return [...containers.stdout.split('\n'), ...networks.stdout.split('\n')].filter(Boolean);
}

describe('container driver', () => {
  it('runs the reference in containers: the api lab, pods that run containers and a killed node pass; nothing labelled is left', async (ctx) => {
    if (!docker.ok) return ctx.skip(docker.reason);
    const started = Date.now();
    // Two nodes: the killed one, and one that stays (the check picks a victim without the suite's own pods).
    const grep = `^(api\\.|${[...EXTRA_CHECKS, UNREACHABLE_CHECK].map((id) => id.replace(/\./g, '\\.')).join('|')}$)`;
    const run = await conformance(['--driver', 'container', '--grep', grep, '--nodes', '2']);
    console.log(`container driver run: ${((Date.now() - started) / 1000).toFixed(0)} s, ${run.checks.length} checks`);

    expect(run.checks.length, run.output).toBeGreaterThan(EXTRA_CHECKS.length);
    const failed = run.checks.filter((c) => c.status === 'failed');
    expect(failed, run.output).toEqual([]);
    for (const id of EXTRA_CHECKS) {
      expect(run.checks.find((c) => c.id === id), `${id} in\n${run.output}`).toMatchObject({ status: 'passed' });
    }
    expect(run.checks.find((c) => c.id === UNREACHABLE_CHECK)).toMatchObject({ status: 'skipped', message: expect.stringMatching(/not reachable from the suite's process/) });
    expect(run.checks.filter((c) => c.id.startsWith('api.') && c.status === 'passed').length).toBeGreaterThan(10);
    expect(run.status).toBe(0);
    expect(await labelled()).toEqual([]);
  }, RUN_TIMEOUT_MS + 30_000);

  it('runs the api lab against a real Kubernetes node image (kindest/node) when one is here', async (ctx) => {
    if (!docker.ok) return ctx.skip(docker.reason);
    const image = await findKindNodeImage();
    if (!image) return ctx.skip('no kindest/node image on this machine (no registry to pull it from)');
    const run = await conformance(['--driver', 'kind', '--lab', 'api']);
    expect(run.checks.filter((c) => c.status === 'passed').length, run.output).toBeGreaterThan(0);
    expect(await labelled()).toEqual([]);
  }, RUN_TIMEOUT_MS + 30_000);
});

describe('container driver: what needs no Docker', () => {
  it('reads the container section of kubelab.yaml, and says what is wrong with a bad one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kubelab-contract-'));
    const yaml = (container: string) => writeFileSync(join(dir, 'kubelab.yaml'), `name: x\ncontrolPlane: { command: [x] }\n${container}`);
    try {
      yaml('container: { image: "x:dev", dockerfile: Dockerfile }\n');
      expect(readContract(dir).container).toEqual({ image: 'x:dev', dockerfile: 'Dockerfile', context: undefined, workdir: undefined });
      yaml('container: { dockerfile: Dockerfile }\n');
      expect(() => readContract(dir)).toThrow(/container\.image must name an image/);
      yaml('');
      expect(readContract(dir).container).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('knows which addresses the suite reaches: pod and Service IPs inside node containers are out of reach, node addresses are not', () => {
    expect(suiteReaches({ driver: 'process' }, '127.5.1.3')).toBe(true);
    expect(suiteReaches({ driver: 'container' }, '127.5.1.3')).toBe(false);
    expect(suiteReaches({ driver: 'container' }, '10.120.3.11')).toBe(true);
    expect(suiteReaches({ driver: 'kind' }, '10.96.0.1')).toBe(false);
    expect(suiteReaches({ driver: 'kubeconfig' }, '10.96.0.1')).toBe(false);
    expect(suiteReaches({ driver: 'kubeconfig' }, '127.0.0.1')).toBe(true);
  });
});
