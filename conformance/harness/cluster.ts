// What a check sees of a cluster, whichever driver made it.

import type { LogLine } from './managed-process.ts';

/** Disruptions a driver can cause; a check lists the ones it needs. */
export type Capability = 'kill-node' | 'pause-node' | 'stop-component' | 'restart-control-plane';

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
  stopComponent?(name: string): Promise<void>;
  startComponent?(name: string): Promise<void>;
  killNode?(name: string): Promise<void>;
  startNode?(name: string): Promise<void>;
  pauseNode?(name: string): void;
  resumeNode?(name: string): void;
}
