// How many clusters a run may use and how many checks share one: read from the
// environment by the harness (vitest-setup.ts) and by the file order (file-order.ts).

/**
 * How many clusters a run may use: where the harness starts the implementation
 * as processes, KUBELAB_CLUSTERS, by default 3 (the main one, and up to two for
 * the checks that need a cluster to themselves); otherwise 1 (an existing
 * cluster, or containers, which cost more to start).
 */
export function clusterLimit(driver: string): number {
  if (driver !== 'process') return 1;
  const n = Number(process.env.KUBELAB_CLUSTERS);
  return Number.isInteger(n) && n >= 1 ? n : 3;
}

/**
 * How many checks may share the main cluster at once (KUBELAB_SHARED_CHECKS,
 * default 8). Checks mostly wait, so a few at once cost little; many at once
 * load the API server with their requests and watches and slow every one of them.
 */
export function sharedCheckLimit(): number {
  const n = Number(process.env.KUBELAB_SHARED_CHECKS);
  return Number.isInteger(n) && n >= 1 ? n : 8;
}
