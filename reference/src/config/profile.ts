// Timing profiles: every duration Kubernetes waits on, named after the flag it
// stands for. `real` holds Kubernetes' defaults; `fast` lets the suite finish in
// minutes. Each process reads the profile file named by KUBELAB_PROFILE.

import { readFileSync } from 'node:fs';

export interface Profile {
  name: string;
  /** kube-apiserver --etcd-compaction-interval (5m). */
  etcdCompactionIntervalSeconds: number;
  /** kubelet nodeLeaseDurationSeconds (40). */
  nodeLeaseDurationSeconds: number;
  /** kubelet --node-status-update-frequency (10s). */
  nodeStatusUpdateFrequencySeconds: number;
  /**
   * kubelet nodeStatusReportFrequency (5m): with node leases, the status is
   * written when it changes or when this long passed (the node simulator follows it).
   */
  nodeStatusReportFrequencySeconds: number;
  /** kube-controller-manager --node-monitor-period (5s). */
  nodeMonitorPeriodSeconds: number;
  /** kube-controller-manager --node-monitor-grace-period (50s since v1.32). */
  nodeMonitorGracePeriodSeconds: number;
  /** kube-controller-manager --node-startup-grace-period (60s): a new node's first status may take this long. */
  nodeStartupGracePeriodSeconds: number;
  /** kube-apiserver --default-not-ready-toleration-seconds / --default-unreachable-toleration-seconds (300). */
  defaultTolerationSeconds: number;
  /** kubelet crash-loop back-off: starts here and doubles (10s). */
  crashLoopBackOffBaseSeconds: number;
  /** ...up to this cap (5m). */
  crashLoopBackOffMaxSeconds: number;
}

export const REAL_PROFILE: Profile = {
  name: 'real',
  etcdCompactionIntervalSeconds: 300,
  nodeLeaseDurationSeconds: 40,
  nodeStatusUpdateFrequencySeconds: 10,
  nodeStatusReportFrequencySeconds: 300,
  nodeMonitorPeriodSeconds: 5,
  nodeMonitorGracePeriodSeconds: 50,
  nodeStartupGracePeriodSeconds: 60,
  defaultTolerationSeconds: 300,
  crashLoopBackOffBaseSeconds: 10,
  crashLoopBackOffMaxSeconds: 300,
};

/** Reads the profile at path (missing fields take Kubernetes' defaults); no path → the real profile. */
export function loadProfile(path: string | undefined): Profile {
  if (!path) return REAL_PROFILE;
  const fromFile = JSON.parse(readFileSync(path, 'utf8'));
  return { ...REAL_PROFILE, ...fromFile };
}
