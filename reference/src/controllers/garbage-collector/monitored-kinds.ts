// The kinds the garbage collector watches: the kinds whose objects carry
// ownerReferences in practice, and the kinds that own them.
//
// Kubernetes' collector watches every kind the server serves that can be
// listed, watched and deleted, rediscovered every 30 s
// (pkg/controller/garbagecollector/garbagecollector.go GetDeletableResources),
// except events (DefaultIgnoredResources: the most written kind, never
// anyone's owner, and gone on their own after an hour). Here the list is
// written out, so that a student sees what is watched:
//   - pods are owned by ReplicaSets, ReplicaSets by Deployments, and
//     EndpointSlices by Services;
//   - Services, Endpoints, ConfigMaps, Secrets and PersistentVolumeClaims are
//     owned by whatever made them (an operator, a StatefulSet in Kubernetes,
//     or a user who set ownerReferences).
// Not watched: events (as in Kubernetes), leases (owned by Nodes, which are
// not watched here either), and the cluster-scoped kinds. An owner of a kind
// that is not watched is still found, by a GET; its dependents are collected
// when they are next looked at, not the moment it goes.

import {
  CONFIGMAPS, DEPLOYMENTS, ENDPOINT_SLICES, ENDPOINTS, PERSISTENT_VOLUME_CLAIMS, PODS, REPLICASETS, SECRETS, SERVICES, type ResourceRef,
} from '../../client/paths.ts';

export const MONITORED_KINDS: ResourceRef[] = [
  PODS, REPLICASETS, DEPLOYMENTS, SERVICES, ENDPOINTS, ENDPOINT_SLICES, CONFIGMAPS, SECRETS, PERSISTENT_VOLUME_CLAIMS,
];

/** "pods", "replicasets.apps": the name a queue key starts with. */
export function qualifiedResource(ref: ResourceRef): string {
  return ref.group ? `${ref.plural}.${ref.group}` : ref.plural;
}
