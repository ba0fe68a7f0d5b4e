// What a check sees of a cluster, whichever driver made it.

import type { LogLine } from './managed-process.ts';

/**
 * Disruptions a driver can cause; a check lists the ones it needs. Each names a
 * harness operation (the control endpoint's action of the same name; `stop-x`
 * comes with its `start-x` or `resume-x`):
 *
 * - `kill-node`: SIGKILL the node process; its containers die with it (a power cut);
 * - `stop-node`: SIGSTOP the node process, `resume-node` SIGCONT (a hung node whose containers keep running;
 *   the container driver pauses the node's whole container, its pods' processes with it);
 * - `restart-node`: SIGTERM the node process, start it again and wait until its Lease is renewed and it is Ready;
 * - `stop-component`: stop one named control-plane component (and `start-component`);
 * - `stop-control-plane`: SIGTERM the control plane and keep it down (and `start-control-plane`);
 * - `restart-control-plane`: SIGTERM the control plane and start it again on the same data;
 * - `crash-control-plane`: SIGKILL the control plane and start it again on the same data;
 * - `kill-container`: SIGKILL one container's process, found through the node agent's debug endpoint
 *   (GET /debug/containers, defined in conformance/README.md; kill-container.ts).
 */
export type Capability =
  | 'kill-node' | 'stop-node' | 'restart-node'
  | 'stop-component' | 'stop-control-plane' | 'restart-control-plane' | 'crash-control-plane'
  | 'kill-container';

export interface ClusterInfo {
  apiUrl: string;
  token: string;
  caPem: string;
  kubeconfig: string;
  /** Names of the node processes (empty for a cluster the harness did not start). */
  nodes: string[];
  components: string[];
  provides: Capability[];
  profile: Record<string, unknown>;
  driver: string;
  implementation: string;
}

export interface Cluster extends ClusterInfo {
  logs(): LogLine[];
  stop(): Promise<void>;
  restartControlPlane?(): Promise<void>;
  crashControlPlane?(): Promise<void>;
  stopControlPlane?(): Promise<void>;
  startControlPlane?(): Promise<void>;
  stopComponent?(name: string): Promise<void>;
  startComponent?(name: string): Promise<void>;
  killNode?(name: string): Promise<void>;
  startNode?(name: string): Promise<void>;
  stopNode?(name: string): void | Promise<void>;
  resumeNode?(name: string): void | Promise<void>;
  restartNode?(name: string): Promise<void>;
  killContainer?(target: { namespace: string; pod: string; container: string }): Promise<void>;
}

/**
 * Boots a cluster; if booting fails half-way, stops whatever it started
 * before passing the error on, so a failed start-up leaves no process or
 * container behind.
 */
export async function startedOrStopped<C extends Cluster>(cluster: C, boot: () => Promise<void>): Promise<C> {
  try {
    await boot();
  } catch (err) {
    await cluster.stop();
    throw err;
  }
  return cluster;
}
