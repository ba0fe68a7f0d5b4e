// The few fields of Kubernetes objects the live view reads. Objects arrive as
// JSON from the API; every field is optional because a student's implementation
// may leave any of them out, and the view must still draw what it has.

export interface OwnerReference {
  apiVersion?: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
}

export interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    generation?: number;
    creationTimestamp?: string;
    deletionTimestamp?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: OwnerReference[];
    managedFields?: unknown;
  };
  spec?: any;
  status?: any;
  [field: string]: any;
}

/** The kinds the view follows, each with its API path (all namespaces). */
export const RESOURCES = {
  Node: '/api/v1/nodes',
  Pod: '/api/v1/pods',
  ReplicaSet: '/apis/apps/v1/replicasets',
  Deployment: '/apis/apps/v1/deployments',
  Service: '/api/v1/services',
  Endpoints: '/api/v1/endpoints',
  Event: '/api/v1/events',
} as const;

export type Kind = keyof typeof RESOURCES;

export const KINDS = Object.keys(RESOURCES) as Kind[];

/** "namespace/name", or "name" for cluster-scoped objects (client-go's MetaNamespaceKeyFunc). */
export function keyOf(obj: KubeObject): string {
  return obj.metadata.namespace ? `${obj.metadata.namespace}/${obj.metadata.name}` : obj.metadata.name;
}
