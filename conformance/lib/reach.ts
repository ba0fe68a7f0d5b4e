// Which of a cluster's addresses the suite's own process can connect to. The
// checks that talk to a pod, a ClusterIP or a NodePort directly need this, and
// are skipped with the reason where the address is out of the suite's reach
// (never failed for it: the implementation is not at fault).
//
// - process driver: everything lives in 127.0.0.0/8 of this machine;
// - container driver: node addresses are on a Docker bridge this machine is on,
//   but pod and Service addresses (127.x) are on each node container's own loopback;
// - kind: the cluster's networks are inside its node container;
// - kubeconfig: a cluster elsewhere; only loopback addresses (a cluster run here by `kubelab up`).

import type { ClusterInfo } from '../harness/cluster.ts';

export function suiteReaches(cluster: Pick<ClusterInfo, 'driver'>, ip: string): boolean {
  switch (cluster.driver) {
    case 'process': return true;
    case 'container': return !ip.startsWith('127.');
    case 'kubeconfig': return ip.startsWith('127.');
    default: return false;
  }
}

/** Why an address is out of reach, for t.skip. */
export function outOfReach(cluster: Pick<ClusterInfo, 'driver'>, what: string, ip: string): string {
  return `${what} ${ip} is inside the cluster's network (${cluster.driver} driver), not reachable from the suite's process`;
}
