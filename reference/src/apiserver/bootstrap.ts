// What exists in every cluster before anyone writes: the four system namespaces,
// and the `kubernetes` Service in `default` that points at the API server itself.

import type { KubeObject } from '../api/types.ts';
import { ApiError } from './errors.ts';
import { findKind } from './resources.ts';
import { firstServiceIP } from './registry/allocators.ts';
import type { Registry } from './registry/registry.ts';

const NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

async function createIfMissing(registry: Registry, kind: string, namespace: string | undefined, obj: KubeObject): Promise<void> {
  const resource = findKind(obj.apiVersion, kind)!;
  try {
    await registry.create(resource, namespace, obj);
  } catch (err) {
    if (!(err instanceof ApiError && err.status.reason === 'AlreadyExists')) throw err;
  }
}

export async function bootstrap(registry: Registry, apiHost: string, apiPort: number): Promise<void> {
  for (const name of NAMESPACES) {
    await createIfMissing(registry, 'Namespace', undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  }
  await createIfMissing(registry, 'Service', 'default', {
    apiVersion: 'v1', kind: 'Service',
    metadata: { name: 'kubernetes', labels: { component: 'apiserver', provider: 'kubernetes' } },
    spec: { clusterIP: firstServiceIP(registry.ranges.serviceCIDR), ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: apiPort }] },
  });
  await createIfMissing(registry, 'Endpoints', 'default', {
    apiVersion: 'v1', kind: 'Endpoints',
    metadata: { name: 'kubernetes', labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } },
    subsets: [{ addresses: [{ ip: apiHost }], ports: [{ name: 'https', port: apiPort, protocol: 'TCP' }] }],
  });
  // The API server writes its own EndpointSlice too (pkg/controlplane/reconcilers): `kubectl describe` reads slices.
  await createIfMissing(registry, 'EndpointSlice', 'default', {
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
    metadata: { name: 'kubernetes', labels: { 'kubernetes.io/service-name': 'kubernetes' } },
    addressType: 'IPv4',
    endpoints: [{ addresses: [apiHost], conditions: { ready: true } }],
    ports: [{ name: 'https', port: apiPort, protocol: 'TCP' }],
  });
}
