// The Docker engine as the container driver uses it, through testcontainers'
// client (testcontainers 11: it finds the engine the way every testcontainers
// user's does, DOCKER_HOST or the local socket). Its GenericContainer is not
// used: a cluster needs fixed addresses on its network, pause and kill, and a
// container that outlives a kill, which its API does not offer, so the driver
// asks the engine through the same client's Docker API.
//
// Every container and network carries the labels below, so that what a run
// made can always be found and removed (removeLabelled), even after a crash.

import { spawnSync } from 'node:child_process';
import type Dockerode from 'dockerode';
import { getContainerRuntimeClient, type ContainerRuntimeClient } from 'testcontainers';

/** On everything the container driver makes. */
export const DRIVER_LABEL = 'dev.kubelab.driver';
/** The run (one cluster) a container or network belongs to. */
export const CLUSTER_LABEL = 'dev.kubelab.cluster';

export async function runtimeClient(): Promise<ContainerRuntimeClient> {
  // No Ryuk (its image cannot be pulled: the driver removes what it made itself), and the
  // engine is this machine's (otherwise testcontainers pulls alpine to find the host).
  process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
  process.env.TESTCONTAINERS_HOST_OVERRIDE ??= '127.0.0.1';
  return getContainerRuntimeClient();
}

/**
 * A user-defined bridge network with a subnet the driver chooses, so that it can give
 * each container a fixed address (10.X.Y.0/24, picked at random; another is tried when
 * it overlaps a network that exists).
 */
export async function createNetwork(docker: Dockerode, name: string, labels: Record<string, string>): Promise<{ network: Dockerode.Network; prefix: string }> {
  let last: unknown;
  for (let attempt = 0; attempt < 8; attempt++) {
    const prefix = `10.${100 + Math.floor(Math.random() * 150)}.${Math.floor(Math.random() * 256)}`;
    try {
      const network = await docker.createNetwork({
        Name: name, Driver: 'bridge', CheckDuplicate: true, Labels: labels,
        IPAM: { Driver: 'default', Config: [{ Subnet: `${prefix}.0/24`, Gateway: `${prefix}.1` }] },
      });
      return { network, prefix };
    } catch (err) {
      last = err;
      if (!/overlap/i.test(String(err))) throw err;
    }
  }
  throw new Error(`could not create network ${name}: ${last}`);
}

/** Removes every container and network with this label (label=value), containers first. */
export async function removeLabelled(docker: Dockerode, label: string): Promise<void> {
  const containers = await docker.listContainers({ all: true, filters: { label: [label] } });
  await Promise.all(containers.map((c) => docker.getContainer(c.Id).remove({ force: true, v: true }).catch(() => undefined)));
  const networks = await docker.listNetworks({ filters: { label: [label] } });
  await Promise.all(networks.map((n) => docker.getNetwork(n.Id).remove().catch(() => undefined)));
}

/** What is left with this label: container and network names (a test asserts nothing is). */
export async function listLabelled(docker: Dockerode, label: string): Promise<string[]> {
  const containers = await docker.listContainers({ all: true, filters: { label: [label] } });
  const networks = await docker.listNetworks({ filters: { label: [label] } });
  return [...containers.map((c) => `container ${c.Names[0]?.replace(/^\//, '')}`), ...networks.map((n) => `network ${n.Name}`)];
}

/**
 * For a run cut short (Ctrl-C, an uncaught error): the process is exiting and cannot
 * wait, so the docker command line removes what carries the label, synchronously.
 */
export function removeLabelledNow(label: string): void {
  const list = (args: string[]) => (spawnSync('docker', args, { encoding: 'utf8', timeout: 20_000 }).stdout ?? '').split('\n').filter(Boolean);
  const containers = list(['ps', '-aq', '--filter', `label=${label}`]);
  if (containers.length) spawnSync('docker', ['rm', '-f', '-v', ...containers], { timeout: 30_000 });
  const networks = list(['network', 'ls', '-q', '--filter', `label=${label}`]);
  if (networks.length) spawnSync('docker', ['network', 'rm', ...networks], { timeout: 20_000 });
}
