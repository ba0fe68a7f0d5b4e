// URL paths of the Kubernetes API, built in one place.

export interface ResourceRef {
  /** '' for the core group. */
  group: string;
  version: string;
  plural: string;
}

export const PODS: ResourceRef = { group: '', version: 'v1', plural: 'pods' };
export const NODES: ResourceRef = { group: '', version: 'v1', plural: 'nodes' };
export const EVENTS: ResourceRef = { group: '', version: 'v1', plural: 'events' };
export const LEASES: ResourceRef = { group: 'coordination.k8s.io', version: 'v1', plural: 'leases' };
export const CONFIGMAPS: ResourceRef = { group: '', version: 'v1', plural: 'configmaps' };
export const SECRETS: ResourceRef = { group: '', version: 'v1', plural: 'secrets' };
export const NAMESPACES: ResourceRef = { group: '', version: 'v1', plural: 'namespaces' };
export const SERVICES: ResourceRef = { group: '', version: 'v1', plural: 'services' };
export const ENDPOINTS: ResourceRef = { group: '', version: 'v1', plural: 'endpoints' };
export const ENDPOINT_SLICES: ResourceRef = { group: 'discovery.k8s.io', version: 'v1', plural: 'endpointslices' };
export const PERSISTENT_VOLUMES: ResourceRef = { group: '', version: 'v1', plural: 'persistentvolumes' };
export const PERSISTENT_VOLUME_CLAIMS: ResourceRef = { group: '', version: 'v1', plural: 'persistentvolumeclaims' };
export const REPLICASETS: ResourceRef = { group: 'apps', version: 'v1', plural: 'replicasets' };
export const DEPLOYMENTS: ResourceRef = { group: 'apps', version: 'v1', plural: 'deployments' };
export const POD_DISRUPTION_BUDGETS: ResourceRef = { group: 'policy', version: 'v1', plural: 'poddisruptionbudgets' };

/** /api/v1/namespaces/{ns}/pods/{name}/{subresource}, or the cluster-scoped and all-namespaces forms. */
export function resourcePath(ref: ResourceRef, namespace?: string, name?: string, subresource?: string): string {
  const prefix = ref.group ? `/apis/${ref.group}/${ref.version}` : `/api/${ref.version}`;
  let path = namespace ? `${prefix}/namespaces/${encodeURIComponent(namespace)}/${ref.plural}` : `${prefix}/${ref.plural}`;
  if (name) path += `/${encodeURIComponent(name)}`;
  if (subresource) path += `/${subresource}`;
  return path;
}

/** Adds query parameters, leaving out undefined ones. */
export function withQuery(path: string, query: Record<string, string | number | boolean | undefined>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined) params.set(k, String(v));
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}
