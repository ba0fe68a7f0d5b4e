// A standard kubeconfig, so kubectl and every Kubernetes client can reach the cluster.

import { writeFileSync } from 'node:fs';
import { stringify } from 'yaml';

export function writeKubeconfig(file: string, options: { server: string; caPem: string; token: string; name?: string }): void {
  const name = options.name ?? 'kubelab';
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster: { server: options.server, 'certificate-authority-data': Buffer.from(options.caPem).toString('base64') } }],
    users: [{ name: `${name}-admin`, user: { token: options.token } }],
    contexts: [{ name, context: { cluster: name, user: `${name}-admin`, namespace: 'default' } }],
    'current-context': name,
    preferences: {},
  };
  writeFileSync(file, stringify(config), { mode: 0o600 });
}
