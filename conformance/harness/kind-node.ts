// The suite against Kubernetes itself: a kind node image (kindest/node), run the
// way kind runs it, with kubeadm starting a one-node cluster inside. Minimal
// support: the harness reaches the API and the checks run; no disruptions are
// offered (checks that need one are skipped with the reason), and no pod
// network is installed, so the api lab is what this run is for.
//
// The container is started with the flags kind's docker provider uses
// (sigs.k8s.io/kind pkg/cluster/internal/providers/docker/provision.go:
// --privileged, tmpfs /tmp and /run, a /var volume, /lib/modules read-only),
// then `kubeadm init` runs in it. No registry is reachable here: the image must
// already be on this machine (`docker load` it), and nothing is pulled.

import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { docker, dockerOk } from './docker.ts';
import { freePort } from './ports.ts';
import { writeKubeconfig } from './kubeconfig.ts';
import { connectKubeconfig } from './kubeconfig-driver.ts';
import { waitForApiReady } from './readiness.ts';
import { CLUSTER_LABEL, DRIVER_LABEL } from './container-runtime.ts';
import type { Cluster } from './cluster.ts';

/** A kindest/node image on this machine (any tag), or undefined. */
export async function findKindNodeImage(): Promise<string | undefined> {
  const result = await docker(['images', '--filter', 'reference=kindest/node', '--format', '{{.Repository}}:{{.Tag}}']);
  return result.status === 0 ? result.stdout.split('\n').map((l) => l.trim()).find((l) => l && !l.endsWith(':<none>')) : undefined;
}

const ADMIN = ['kubectl', '--kubeconfig=/etc/kubernetes/admin.conf'];

export async function startKindNode(options: { dataDir: string; image?: string; readyTimeoutMs?: number }): Promise<Cluster> {
  const image = options.image ?? await findKindNodeImage();
  if (!image) throw new Error('no kindest/node image on this machine (no registry to pull it from)');
  const dataDir = resolve(options.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const port = await freePort('127.0.0.1');
  const name = `kubelab-kind-${port}`;
  const exec = (args: string[]) => dockerOk(['exec', name, ...args], { timeoutMs: 300_000 });
  const stop = async () => { await docker(['rm', '-f', '-v', name]); };
  try {
    await dockerOk([
      'run', '--detach', '--tty', '--name', name, '--hostname', 'kind-control-plane', '--pull=never',
      '--label', `${DRIVER_LABEL}=kind`, '--label', `${CLUSTER_LABEL}=${name}`,
      '--privileged', '--security-opt', 'seccomp=unconfined', '--security-opt', 'apparmor=unconfined',
      '--tmpfs', '/tmp', '--tmpfs', '/run', '--volume', '/var', '--volume', '/lib/modules:/lib/modules:ro',
      '--publish', `127.0.0.1:${port}:6443`, image,
    ]);
    // kind's own start-up of a control-plane node: kubeadm, with the address the harness uses in the certificate.
    await exec(['kubeadm', 'init', '--skip-phases=preflight', '--ignore-preflight-errors=all', '--skip-token-print',
      '--apiserver-cert-extra-sans=127.0.0.1,localhost', '--pod-network-cidr=10.244.0.0/16']);
    // The suite authenticates with a bearer token: a ServiceAccount that may do anything, as an admin's kubeconfig may.
    await exec([...ADMIN, 'create', 'serviceaccount', 'kubelab', '-n', 'kube-system']);
    await exec([...ADMIN, 'create', 'clusterrolebinding', 'kubelab', '--clusterrole=cluster-admin', '--serviceaccount=kube-system:kubelab']);
    const token = (await exec([...ADMIN, 'create', 'token', 'kubelab', '-n', 'kube-system', '--duration=24h'])).trim();
    const caPem = await exec(['cat', '/etc/kubernetes/pki/ca.crt']);
    const kubeconfig = join(dataDir, 'kubeconfig');
    writeKubeconfig(kubeconfig, { server: `https://127.0.0.1:${port}`, caPem, token, name: 'kind' });
    const cluster = await connectKubeconfig(kubeconfig);
    await waitForApiReady(cluster, { phase: 'start-up', timeoutMs: options.readyTimeoutMs ?? 120_000, tail: () => '  (see docker logs of the kind node)' });
    return { ...cluster, driver: 'kind', implementation: image, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
