// The simulated runtime (reference/src/kubelet/runtime/simulated-runtime.ts):
// on its own, then under a real node agent started with `--runtime simulated`,
// which must run the whole pod lifecycle without starting a process.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManagedProcess } from '../../conformance/harness/managed-process.ts';
import { ProcessCluster } from '../../conformance/harness/process-driver.ts';
import { rawRequest, type RawRequest } from '../../conformance/harness/raw-client.ts';
import { ImagePullError, type ContainerConfig, type ContainerState } from '../../reference/src/kubelet/runtime/runtime.ts';
import { SimulatedRuntime } from '../../reference/src/kubelet/runtime/simulated-runtime.ts';
import { condition, inCidr, podManifest, waitFor } from './cluster-support.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const IMAGES = join(ROOT, 'conformance', 'images');

function config(id: string): ContainerConfig {
  return { id, podUid: 'u', podNamespace: 'default', podName: 'p', containerName: 'web', image: 'kubelab/web:1', env: {}, podIP: '127.0.0.2', mounts: {} };
}

describe('the simulated runtime', () => {
  const runtime = new SimulatedRuntime({ imagesDir: IMAGES, nodeDir: tmpdir() });

  it('looks images up in the catalogue: an unknown one is an image pull error', async () => {
    await expect(runtime.pullImage('kubelab/web:1')).resolves.toMatchObject({ name: 'kubelab/web', tag: '1' });
    await expect(runtime.pullImage('kubelab/nope:1')).rejects.toBeInstanceOf(ImagePullError);
  });

  it('runs a container at once and until it is stopped, which it reports as an exit', async () => {
    const exits: [string, ContainerState][] = [];
    runtime.onExit((id, state) => exits.push([id, state]));
    await runtime.startContainer(config('u/web/0'));
    expect(runtime.containerState('u/web/0')).toMatchObject({ state: 'running', pid: 0 });
    expect(await runtime.exec('u/web/0', ['true'], 1000)).toEqual({ exitCode: 0, output: '', timedOut: false });
    await runtime.stopContainer('u/web/0', 30); // no grace to wait for: nothing runs
    expect(runtime.containerState('u/web/0')).toMatchObject({ state: 'exited', exitCode: 143, signal: 'SIGTERM' });
    expect(exits.map(([id]) => id)).toEqual(['u/web/0']);
    await runtime.removeContainer('u/web/0');
    expect(runtime.containerState('u/web/0')).toBeUndefined();
  });
});

describe('a node agent with the simulated runtime', () => {
  let cluster: ProcessCluster;
  let agent: ManagedProcess;
  let dataDir: string;
  const api = (request: RawRequest) => rawRequest(cluster, request);
  const podCIDR = '127.251.7.0/24';

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'kubelab-simulated-runtime-'));
    cluster = await ProcessCluster.start({ implDir: ROOT, dataDir, nodes: 0, profile: 'fast', store: 'memory' });
    const caFile = join(dataDir, 'agent-ca.crt');
    writeFileSync(caFile, cluster.caPem);
    const nodeDir = join(dataDir, 'sim-agent');
    mkdirSync(nodeDir);
    agent = new ManagedProcess('sim-agent', ['node', 'reference/launch.mjs', 'reference/src/kubelet/main.ts', '--runtime', 'simulated'], {
      cwd: ROOT, logFile: join(dataDir, 'sim-agent.log'),
      env: {
        KUBELAB_API_URL: cluster.apiUrl, KUBELAB_TOKEN: cluster.token, KUBELAB_CA_FILE: caFile, NODE_EXTRA_CA_CERTS: caFile,
        KUBELAB_NODE_NAME: 'sim-agent', KUBELAB_NODE_IP: '127.0.0.1', KUBELAB_POD_CIDR: podCIDR, KUBELAB_NODE_DIR: nodeDir,
        KUBELAB_IMAGES: IMAGES, KUBELAB_PROFILE: join(ROOT, 'conformance', 'profiles', 'fast.json'),
      },
    });
    agent.start();
    await waitFor('node sim-agent to be Ready', async () => condition((await api({ path: '/api/v1/nodes/sim-agent' })).json, 'Ready') === 'True', 20_000);
  });

  afterAll(async () => {
    await agent?.stop();
    await cluster?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('says which runtime it has', async () => {
    const node = (await api({ path: '/api/v1/nodes/sim-agent' })).json;
    expect(node.status.nodeInfo.containerRuntimeVersion).toBe('kubelab-simulated://1');
  });

  it('takes a pod through its lifecycle with no process: Running, Ready, an IP, then deleted', async () => {
    const manifest = podManifest('simulated', {}, { nodeName: 'sim-agent', terminationGracePeriodSeconds: 30 });
    expect((await api({ method: 'POST', path: '/api/v1/namespaces/default/pods', body: manifest })).status).toBe(201);
    const pod = await waitFor('pod simulated to be Ready', async () => {
      const got = (await api({ path: '/api/v1/namespaces/default/pods/simulated' })).json;
      return condition(got, 'Ready') === 'True' && got;
    }, 10_000);
    expect(pod.status.phase).toBe('Running');
    expect(inCidr(pod.status.podIP, podCIDR)).toBe(true);
    // Nothing listens on the pod's address: no process was started.
    const reached = await fetch(`http://${pod.status.podIP}:8080/`).then(() => true, () => false);
    expect(reached).toBe(false);

    // A 30 s grace period, yet the deletion ends at once: the containers "stop" instantly.
    const started = Date.now();
    expect((await api({ method: 'DELETE', path: '/api/v1/namespaces/default/pods/simulated' })).status).toBe(200);
    await waitFor('pod simulated to be gone', async () => (await api({ path: '/api/v1/namespaces/default/pods/simulated' })).status === 404, 10_000);
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
