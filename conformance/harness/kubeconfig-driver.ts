// The kubeconfig driver: an existing cluster (a student's, or a real Kubernetes),
// reached through a kubeconfig. The harness did not start it, so it cannot break
// it: checks that need a disruption are skipped with the reason.

import { resolve } from 'node:path';
import type { Cluster } from './cluster.ts';
import { readKubeconfig } from './read-kubeconfig.ts';

export async function connectKubeconfig(file: string): Promise<Cluster> {
  const path = resolve(file);
  const credentials = readKubeconfig(path);
  if (!credentials.token) throw new Error(`${path}: the current context's user has no token; the suite authenticates with a bearer token`);
  const caPem = credentials.ca ?? '';
  return {
    driver: 'kubeconfig', implementation: credentials.server, apiUrl: credentials.server, token: credentials.token, caPem, kubeconfig: path,
    nodes: [], components: [], provides: [], profile: {},
    logs: () => [],
    stop: async () => undefined,
  };
}
