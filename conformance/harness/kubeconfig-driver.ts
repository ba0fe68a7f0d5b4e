// The kubeconfig driver: an existing cluster (a student's, or a real Kubernetes),
// reached through a kubeconfig. The harness did not start it, so it cannot break
// it: checks that need a disruption are skipped with the reason.

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import type { Cluster } from './cluster.ts';

export async function connectKubeconfig(file: string): Promise<Cluster> {
  const path = resolve(file);
  const config = parse(readFileSync(path, 'utf8'));
  const contextName = config['current-context'];
  const context = (config.contexts ?? []).find((c: any) => c.name === contextName)?.context;
  if (!context) throw new Error(`${path}: current-context "${contextName}" is not among its contexts`);
  const cluster = (config.clusters ?? []).find((c: any) => c.name === context.cluster)?.cluster;
  const user = (config.users ?? []).find((u: any) => u.name === context.user)?.user ?? {};
  if (!cluster?.server) throw new Error(`${path}: cluster "${context.cluster}" has no server`);
  if (!user.token) throw new Error(`${path}: user "${context.user}" has no token; the suite authenticates with a bearer token`);
  const caPem = cluster['certificate-authority-data']
    ? Buffer.from(cluster['certificate-authority-data'], 'base64').toString('utf8')
    : cluster['certificate-authority'] ? readFileSync(resolve(cluster['certificate-authority']), 'utf8') : '';
  return {
    driver: 'kubeconfig', implementation: cluster.server, apiUrl: cluster.server, token: user.token, caPem, kubeconfig: path,
    nodes: [], components: [], provides: [], profile: {},
    logs: () => [],
    stop: async () => undefined,
  };
}
