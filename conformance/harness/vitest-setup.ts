// vitest globalSetup for the conformance project: starts the cluster the checks
// run against, hands its address to every worker, and stops it at the end.
//
// Which cluster:
//   KUBELAB_KUBECONFIG=FILE   an existing cluster (kubeconfig driver: no disruptions)
//   KUBELAB_IMPL=DIR          an implementation started from DIR/kubelab.yaml (process driver)
//   neither                   the reference, from the repository's own kubelab.yaml
//   KUBELAB_DRIVER=container  that implementation in containers, from the image its
//                             kubelab.yaml names (container driver; Docker required)
//   KUBELAB_DRIVER=kind       Kubernetes itself, from a kindest/node image on this machine
// KUBELAB_NODES (default: 3 if the implementation has a node command) and
// KUBELAB_PROFILE_NAME (default fast) shape the process driver.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import { ProcessCluster } from './process-driver.ts';
import { ContainerCluster } from './container-driver.ts';
import { dockerStatus } from './docker.ts';
import { startKindNode } from './kind-node.ts';
import { connectKubeconfig } from './kubeconfig-driver.ts';
import { startControlServer } from './control-server.ts';
import { forget, removeOnAbort } from './abort.ts';
import type { Cluster, ClusterInfo } from './cluster.ts';
import type { LogLine } from './managed-process.ts';
import { publishHarnessRecord, Ring } from '../timeline/recording.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    cluster: ClusterInfo;
    control: { url: string; secret: string };
  }
}

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** Log lines kept for failure timelines, all processes together (each process's own tail is shorter). */
const TIMELINE_LOG_LINES = 20_000;

export default async function setup(project: TestProject) {
  let cluster: Cluster;
  let dataDir: string | undefined;
  const logLines = new Ring<LogLine>(TIMELINE_LOG_LINES);
  /** What the process and container drivers both take, from the CLI's environment. */
  const clusterOptions = (dataDir: string) => ({
    implDir: process.env.KUBELAB_IMPL ?? REPO_ROOT,
    dataDir,
    nodes: process.env.KUBELAB_NODES ? Number(process.env.KUBELAB_NODES) : undefined,
    profile: process.env.KUBELAB_PROFILE_NAME ?? 'fast',
    store: process.env.KUBELAB_STORE,
    onLine: (line: LogLine) => logLines.push(line),
  });
  if (process.env.KUBELAB_KUBECONFIG) {
    cluster = await connectKubeconfig(process.env.KUBELAB_KUBECONFIG);
  } else if (process.env.KUBELAB_DRIVER === 'container' || process.env.KUBELAB_DRIVER === 'kind') {
    const docker = await dockerStatus();
    if (!docker.ok) throw new Error(`the ${process.env.KUBELAB_DRIVER} driver cannot run: ${docker.reason}`);
    dataDir = mkdtempSync(join(tmpdir(), 'kubelab-conformance-'));
    if (!process.env.KUBELAB_KEEP_DATA) removeOnAbort(dataDir);
    cluster = process.env.KUBELAB_DRIVER === 'kind' ? await startKindNode({ dataDir }) : await ContainerCluster.start(clusterOptions(dataDir));
  } else {
    dataDir = mkdtempSync(join(tmpdir(), 'kubelab-conformance-'));
    if (!process.env.KUBELAB_KEEP_DATA) removeOnAbort(dataDir);
    cluster = await ProcessCluster.start(clusterOptions(dataDir));
  }
  const control = await startControlServer(cluster);
  // The reporters draw a failed check's timeline from these (conformance/timeline/).
  publishHarnessRecord({ logs: () => logLines.toArray(), disruptions: () => control.disruptions() });
  const info: ClusterInfo = {
    apiUrl: cluster.apiUrl, token: cluster.token, caPem: cluster.caPem, kubeconfig: cluster.kubeconfig,
    nodes: cluster.nodes, components: cluster.components, provides: cluster.provides, profile: cluster.profile,
    driver: cluster.driver, implementation: cluster.implementation,
  };
  project.provide('cluster', info);
  project.provide('control', { url: control.url, secret: control.secret });

  return async () => {
    await control.close();
    await cluster.stop();
    // Bounded shutdown: a process that ignored SIGTERM was killed; say so rather than hide it.
    if (cluster instanceof ProcessCluster) for (const problem of cluster.shutdownProblems) console.warn(`kubelab: ${problem}`);
    if (dataDir && !process.env.KUBELAB_KEEP_DATA) {
      rmSync(dataDir, { recursive: true, force: true });
      forget(dataDir);
    }
  };
}
