// The clusters of one run (cluster-pool.ts): the main one and the extra ones the
// pool starts for exclusive checks. Each has its own data folder, its own
// control endpoint (for its disruptions) and its own log lines (for failure
// timelines).

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Cluster, ClusterInfo } from './cluster.ts';
import { startControlServer, type ControlEndpoint } from './control-server.ts';
import { pickAddressPlan, type AddressPlan } from './process-driver.ts';
import type { LogLine } from './managed-process.ts';
import { publishHarnessRecord, Ring } from '../timeline/recording.ts';

/** Log lines kept for failure timelines, all processes of a cluster together (each process's own tail is shorter). */
const TIMELINE_LOG_LINES = 20_000;

export interface PoolCluster {
  index: number;
  cluster: Cluster;
  info: ClusterInfo;
  control: ControlEndpoint;
  /** Where it keeps its state (removed at the end), if the harness made one. */
  dataDir?: string;
}

/** A cluster's log lines, collected from its start on. */
export function logCollector(): { lines: Ring<LogLine>; onLine: (line: LogLine) => void } {
  const lines = new Ring<LogLine>(TIMELINE_LOG_LINES);
  return { lines, onLine: (line) => lines.push(line) };
}

/** Wraps a started cluster: its control endpoint, and the record its failed checks' timelines read. */
export async function poolCluster(index: number, cluster: Cluster, logs: Ring<LogLine>, dataDir?: string): Promise<PoolCluster> {
  const control = await startControlServer(cluster);
  publishHarnessRecord({ logs: () => logs.toArray(), disruptions: () => control.disruptions() }, index);
  const info: ClusterInfo = {
    apiUrl: cluster.apiUrl, token: cluster.token, caPem: cluster.caPem, kubeconfig: cluster.kubeconfig,
    nodes: cluster.nodes, components: cluster.components, provides: cluster.provides, profile: cluster.profile,
    driver: cluster.driver, implementation: cluster.implementation,
  };
  return { index, cluster, info, control, dataDir };
}

/**
 * Clusters of the process driver pick their addresses in 127.0.0.0/8 at random
 * (process-driver.ts, addresses.json in the data folder). Clusters of one run
 * must not share a node, pod or Service range, so an extra cluster's plan is
 * written before it starts, with every part unlike those of the run's other clusters.
 */
export function writeDistinctAddresses(dataDir: string, others: (string | undefined)[]): void {
  const taken = others.flatMap((dir) => {
    const file = dir && join(dir, 'addresses.json');
    return file && existsSync(file) ? [JSON.parse(readFileSync(file, 'utf8')) as AddressPlan] : [];
  });
  for (let attempt = 0; attempt < 1000; attempt++) {
    const plan = pickAddressPlan();
    const clash = taken.some((t) => t.nodes === plan.nodes || t.pods === plan.pods || t.services === plan.services);
    if (clash) continue;
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(join(dataDir, 'addresses.json'), JSON.stringify(plan), { mode: 0o600 });
    return;
  }
}
