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
// KUBELAB_CLUSTERS (default 3 with the process driver, else 1): how many clusters
// the run may use; beyond the main one, the pool starts them for the checks that
// need a cluster to themselves (cluster-pool.ts). KUBELAB_SHARED_CHECKS (default 8):
// how many checks share the main cluster at once. KUBELAB_EXCLUSIVE_FILES (set by the
// CLI): how many selected files have such checks, so as many extra clusters start at once.

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
import { forget, removeOnAbort } from './abort.ts';
import type { Cluster, ClusterInfo } from './cluster.ts';
import type { LogLine } from './managed-process.ts';
import { ClusterPool } from './cluster-pool.ts';
import { startLeaseServer } from './lease-server.ts';
import { logCollector, poolCluster, writeDistinctAddresses, type PoolCluster } from './pool-clusters.ts';
import { clusterLimit, sharedCheckLimit } from './run-limits.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The main cluster: the one shared checks run on (the pool may start more, cluster-pool.ts). */
    cluster: ClusterInfo;
    control: { url: string; secret: string };
    /** The pool's lease endpoint (lease-server.ts): every check asks it for a cluster. */
    pool: { url: string; secret: string };
  }
}

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** A data folder for one cluster, removed if the run is aborted. */
function newDataDir(): string {
  const dataDir = mkdtempSync(join(tmpdir(), 'kubelab-conformance-'));
  if (!process.env.KUBELAB_KEEP_DATA) removeOnAbort(dataDir);
  return dataDir;
}

export default async function setup(project: TestProject) {
  let cluster: Cluster;
  let dataDir: string | undefined;
  const logs = logCollector();
  /** What the process and container drivers both take, from the CLI's environment. */
  const clusterOptions = (dataDir: string, onLine: (line: LogLine) => void) => ({
    implDir: process.env.KUBELAB_IMPL ?? REPO_ROOT,
    dataDir,
    nodes: process.env.KUBELAB_NODES ? Number(process.env.KUBELAB_NODES) : undefined,
    profile: process.env.KUBELAB_PROFILE_NAME ?? 'fast',
    store: process.env.KUBELAB_STORE,
    onLine,
  });
  if (process.env.KUBELAB_KUBECONFIG) {
    cluster = await connectKubeconfig(process.env.KUBELAB_KUBECONFIG);
  } else if (process.env.KUBELAB_DRIVER === 'container' || process.env.KUBELAB_DRIVER === 'kind') {
    const docker = await dockerStatus();
    if (!docker.ok) throw new Error(`the ${process.env.KUBELAB_DRIVER} driver cannot run: ${docker.reason}`);
    dataDir = newDataDir();
    cluster = process.env.KUBELAB_DRIVER === 'kind' ? await startKindNode({ dataDir }) : await ContainerCluster.start(clusterOptions(dataDir, logs.onLine));
  } else {
    dataDir = newDataDir();
    cluster = await ProcessCluster.start(clusterOptions(dataDir, logs.onLine));
  }
  const main = await poolCluster(0, cluster, logs.lines, dataDir);

  // Extra clusters, for the checks that need one to themselves (cluster-pool.ts): the process driver's only.
  const members: PoolCluster[] = [main];
  const starting = new Set<Promise<unknown>>();
  let closing = false;
  const startExtra = async (index: number): Promise<PoolCluster> => {
    if (closing) throw new Error('the run is ending');
    const dir = newDataDir();
    writeDistinctAddresses(dir, members.map((m) => m.dataDir));
    const extraLogs = logCollector();
    let started: ProcessCluster;
    try {
      started = await ProcessCluster.start(clusterOptions(dir, extraLogs.onLine));
    } catch (err) {
      rmSync(dir, { recursive: true, force: true });
      forget(dir);
      throw err;
    }
    const extra = await poolCluster(index, started, extraLogs.lines, dir);
    members.push(extra);
    return extra;
  };
  const pool = new ClusterPool<PoolCluster>(main, {
    limit: clusterLimit(cluster.driver) - 1,
    start: (index) => {
      const started = startExtra(index);
      starting.add(started);
      void started.finally(() => starting.delete(started)).catch(() => undefined);
      return started;
    },
    onStartFailed: (index, err) => console.warn(`kubelab: extra cluster ${index} did not start (${err.message}); the checks that need a cluster to themselves take turns on the others`),
  }, sharedCheckLimit());
  // The CLI counts the selected files with exclusive checks: their clusters start now, while the workers load.
  pool.prestart(Number(process.env.KUBELAB_EXCLUSIVE_FILES ?? 0));
  const leases = await startLeaseServer(pool, (m) => ({ cluster: m.info, control: { url: m.control.url, secret: m.control.secret } }));

  project.provide('cluster', main.info);
  project.provide('control', { url: main.control.url, secret: main.control.secret });
  project.provide('pool', { url: leases.url, secret: leases.secret });

  return async () => {
    closing = true;
    await leases.close();
    await Promise.allSettled([...starting]);
    await Promise.all(members.map(async (m) => {
      await m.control.close();
      await m.cluster.stop();
      // Bounded shutdown: a process that ignored SIGTERM was killed; say so rather than hide it.
      if (m.cluster instanceof ProcessCluster) for (const problem of m.cluster.shutdownProblems) console.warn(`kubelab: ${problem}`);
      if (m.dataDir && !process.env.KUBELAB_KEEP_DATA) {
        rmSync(m.dataDir, { recursive: true, force: true });
        forget(m.dataDir);
      }
    }));
  };
}
