// The resource types this API server serves, in one table.
//
// Everything that differs between kinds at the REST level lives here: the URL
// (group, version, plural), whether the kind is namespaced, what discovery says
// about it (short names, categories, verbs, subresources), which field selectors
// it supports, and whether a spec change bumps metadata.generation.
// Defaulting, validation and table columns per kind live in their own files.

export interface SubresourceType {
  name: 'status' | 'scale' | 'binding' | 'log' | 'eviction' | 'finalize';
  /** The kind a request to the subresource sends or receives. */
  responseKind: { group: string; version: string; kind: string };
  verbs: string[];
}

export interface ResourceType {
  /** API group: '' for the core group (served under /api/v1). */
  group: string;
  version: string;
  kind: string;
  /** The resource name in URLs, e.g. "pods". */
  plural: string;
  singular: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  verbs: string[];
  subresources: SubresourceType[];
  /**
   * Field selectors beyond metadata.name and metadata.namespace (which every kind has).
   * Source: pkg/apis/core/v1/conversion.go (AddFieldLabelConversionFunc) and the
   * registries' GetAttrs in kubernetes/kubernetes.
   */
  fieldSelectors: string[];
  /** Whether spec changes bump metadata.generation (Kubernetes does it for kinds whose strategy says so). */
  tracksGeneration: boolean;
}

const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
const STATUS_VERBS = ['get', 'patch', 'update'];

function statusOf(group: string, version: string, kind: string): SubresourceType {
  return { name: 'status', responseKind: { group, version, kind }, verbs: STATUS_VERBS };
}

const SCALE: SubresourceType = {
  name: 'scale',
  responseKind: { group: 'autoscaling', version: 'v1', kind: 'Scale' },
  verbs: STATUS_VERBS,
};

export const RESOURCES: ResourceType[] = [
  {
    group: '', version: 'v1', kind: 'Namespace', plural: 'namespaces', singular: 'namespace',
    namespaced: false, shortNames: ['ns'], categories: [],
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
    subresources: [
      // PUT namespaces/{name}/finalize changes spec.finalizers, and nothing else (the namespace controller's door).
      { name: 'finalize', responseKind: { group: '', version: 'v1', kind: 'Namespace' }, verbs: ['update'] },
      statusOf('', 'v1', 'Namespace'),
    ],
    fieldSelectors: ['status.phase'], tracksGeneration: false,
  },
  {
    group: '', version: 'v1', kind: 'Node', plural: 'nodes', singular: 'node',
    namespaced: false, shortNames: ['no'], categories: [], verbs: ALL_VERBS,
    subresources: [statusOf('', 'v1', 'Node')],
    fieldSelectors: ['spec.unschedulable'], tracksGeneration: false,
  },
  {
    group: '', version: 'v1', kind: 'Pod', plural: 'pods', singular: 'pod',
    namespaced: true, shortNames: ['po'], categories: ['all'], verbs: ALL_VERBS,
    subresources: [
      statusOf('', 'v1', 'Pod'),
      { name: 'binding', responseKind: { group: '', version: 'v1', kind: 'Binding' }, verbs: ['create'] },
      { name: 'eviction', responseKind: { group: 'policy', version: 'v1', kind: 'Eviction' }, verbs: ['create'] },
      { name: 'log', responseKind: { group: '', version: 'v1', kind: 'Pod' }, verbs: ['get'] },
    ],
    fieldSelectors: [
      'spec.nodeName', 'spec.restartPolicy', 'spec.schedulerName', 'spec.serviceAccountName',
      'spec.hostNetwork', 'status.phase', 'status.podIP', 'status.podIPs', 'status.nominatedNodeName',
    ],
    tracksGeneration: false,
  },
  {
    group: '', version: 'v1', kind: 'Service', plural: 'services', singular: 'service',
    namespaced: true, shortNames: ['svc'], categories: ['all'], verbs: ALL_VERBS,
    subresources: [statusOf('', 'v1', 'Service')],
    fieldSelectors: ['spec.clusterIP', 'spec.type'], tracksGeneration: false,
  },
  {
    group: '', version: 'v1', kind: 'Endpoints', plural: 'endpoints', singular: 'endpoints',
    namespaced: true, shortNames: ['ep'], categories: [], verbs: ALL_VERBS, subresources: [],
    fieldSelectors: [], tracksGeneration: false,
  },
  {
    // kubectl describe service reads a Service's endpoints from its EndpointSlices.
    group: 'discovery.k8s.io', version: 'v1', kind: 'EndpointSlice', plural: 'endpointslices', singular: 'endpointslice',
    namespaced: true, shortNames: [], categories: [], verbs: ALL_VERBS, subresources: [],
    fieldSelectors: [], tracksGeneration: false,
  },
  {
    group: '', version: 'v1', kind: 'PersistentVolume', plural: 'persistentvolumes', singular: 'persistentvolume',
    namespaced: false, shortNames: ['pv'], categories: [], verbs: ALL_VERBS,
    subresources: [statusOf('', 'v1', 'PersistentVolume')],
    fieldSelectors: [], tracksGeneration: false,
  },
  {
    group: '', version: 'v1', kind: 'PersistentVolumeClaim', plural: 'persistentvolumeclaims',
    singular: 'persistentvolumeclaim', namespaced: true, shortNames: ['pvc'], categories: [], verbs: ALL_VERBS,
    subresources: [statusOf('', 'v1', 'PersistentVolumeClaim')],
    fieldSelectors: [], tracksGeneration: false,
  },
  {
    group: '', version: 'v1', kind: 'ConfigMap', plural: 'configmaps', singular: 'configmap',
    namespaced: true, shortNames: ['cm'], categories: [], verbs: ALL_VERBS, subresources: [],
    fieldSelectors: [], tracksGeneration: false,
  },
  {
    group: '', version: 'v1', kind: 'Secret', plural: 'secrets', singular: 'secret',
    namespaced: true, shortNames: [], categories: [], verbs: ALL_VERBS, subresources: [],
    // `type` (pkg/registry/core/secret/strategy.go SelectableFields).
    fieldSelectors: ['type'], tracksGeneration: false,
  },
  {
    group: '', version: 'v1', kind: 'Event', plural: 'events', singular: 'event',
    namespaced: true, shortNames: ['ev'], categories: [], verbs: ALL_VERBS, subresources: [],
    fieldSelectors: [
      'involvedObject.kind', 'involvedObject.namespace', 'involvedObject.name', 'involvedObject.uid',
      'involvedObject.apiVersion', 'involvedObject.resourceVersion', 'involvedObject.fieldPath',
      'reason', 'reportingComponent', 'source', 'type',
    ],
    tracksGeneration: false,
  },
  {
    group: 'apps', version: 'v1', kind: 'ReplicaSet', plural: 'replicasets', singular: 'replicaset',
    namespaced: true, shortNames: ['rs'], categories: ['all'], verbs: ALL_VERBS,
    subresources: [SCALE, statusOf('apps', 'v1', 'ReplicaSet')],
    fieldSelectors: ['status.replicas'], tracksGeneration: true,
  },
  {
    group: 'apps', version: 'v1', kind: 'Deployment', plural: 'deployments', singular: 'deployment',
    namespaced: true, shortNames: ['deploy'], categories: ['all'], verbs: ALL_VERBS,
    subresources: [SCALE, statusOf('apps', 'v1', 'Deployment')],
    fieldSelectors: [], tracksGeneration: true,
  },
  {
    // Voluntary-disruption budgets, consulted by pods/eviction (`kubectl drain`); spec changes bump generation
    // so the eviction can tell a status the disruption controller computed for an older spec.
    group: 'policy', version: 'v1', kind: 'PodDisruptionBudget', plural: 'poddisruptionbudgets', singular: 'poddisruptionbudget',
    namespaced: true, shortNames: ['pdb'], categories: [], verbs: ALL_VERBS,
    subresources: [statusOf('policy', 'v1', 'PodDisruptionBudget')],
    fieldSelectors: [], tracksGeneration: true,
  },
  {
    group: 'coordination.k8s.io', version: 'v1', kind: 'Lease', plural: 'leases', singular: 'lease',
    namespaced: true, shortNames: [], categories: [], verbs: ALL_VERBS, subresources: [],
    fieldSelectors: [], tracksGeneration: false,
  },
];

/** "v1" for the core group, "apps/v1" otherwise. */
export function groupVersion(resource: Pick<ResourceType, 'group' | 'version'>): string {
  return resource.group ? `${resource.group}/${resource.version}` : resource.version;
}

/** The resource name as Kubernetes writes it in messages: "pods", "deployments.apps". */
export function qualifiedName(resource: ResourceType): string {
  return resource.group ? `${resource.plural}.${resource.group}` : resource.plural;
}

export function findResource(group: string, version: string, plural: string): ResourceType | undefined {
  return RESOURCES.find((r) => r.group === group && r.version === version && r.plural === plural);
}

export function findKind(apiVersion: string, kind: string): ResourceType | undefined {
  return RESOURCES.find((r) => groupVersion(r) === apiVersion && r.kind === kind);
}

/** The group versions served, in discovery order (the core group first). */
export function servedGroupVersions(): { group: string; version: string }[] {
  const seen = new Map<string, { group: string; version: string }>();
  for (const r of RESOURCES) seen.set(groupVersion(r), { group: r.group, version: r.version });
  return [...seen.values()];
}

/**
 * Where an object lives in the store. Kubernetes uses the same layout in etcd:
 * /registry/<resource>/<namespace>/<name>, or /registry/<resource>/<name> for
 * cluster-scoped kinds.
 */
export function storageKey(resource: ResourceType, namespace: string | undefined, name: string): string {
  return resource.namespaced ? `/registry/${resource.plural}/${namespace}/${name}` : `/registry/${resource.plural}/${name}`;
}

/** The prefix to list: one namespace, or every namespace when namespace is undefined. */
export function storagePrefix(resource: ResourceType, namespace?: string): string {
  return resource.namespaced && namespace ? `/registry/${resource.plural}/${namespace}/` : `/registry/${resource.plural}/`;
}
