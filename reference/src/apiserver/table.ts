// Server-side printing: `kubectl get` asks for a meta.k8s.io/v1 Table and prints
// the cells as given, so the columns here are the columns students see.
//
// The columns and their contents follow pkg/printers/internalversion/printers.go
// in kubernetes/kubernetes; `priority: 1` columns appear only with `-o wide`.

import type { KubeObject } from '../api/types.ts';
import type { ResourceType } from './resources.ts';
import { labelSelectorToString } from '../api/labels.ts';

interface Column {
  name: string;
  type: 'string' | 'integer' | 'date';
  priority?: number;
  description: string;
  format?: string;
  cell: (obj: KubeObject, now: number) => string | number;
}

/** duration.HumanDuration (k8s.io/apimachinery/pkg/util/duration): 45s, 3m20s, 5h10m, 3d4h, 2y10d. */
export function humanDuration(seconds: number): string {
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${Math.floor(seconds)}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) {
    const s = Math.floor(seconds) % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) return hours % 24 === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d${hours % 24}h`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  const years = Math.floor(hours / 24 / 365);
  if (hours < 24 * 365 * 8) {
    const days = Math.floor(hours / 24) % 365;
    return days === 0 ? `${years}y` : `${years}y${days}d`;
  }
  return `${years}y`;
}

function age(timestamp: string | undefined | null, now: number): string {
  if (!timestamp) return '<unknown>';
  return humanDuration((now - Date.parse(timestamp)) / 1000);
}

const NAME: Column = { name: 'Name', type: 'string', format: 'name', description: 'Name must be unique within a namespace.', cell: (o) => o.metadata.name ?? '' };
const AGE: Column = { name: 'Age', type: 'string', description: 'CreationTimestamp is a timestamp representing the server time when this object was created.', cell: (o, now) => age(o.metadata.creationTimestamp, now) };

/** The STATUS column of `kubectl get pods` (printPod). */
function podStatus(pod: KubeObject): string {
  let reason: string = pod.status?.reason || pod.status?.phase || 'Unknown';
  for (const cs of pod.status?.containerStatuses ?? []) {
    if (cs.state?.waiting?.reason) reason = cs.state.waiting.reason;
    else if (cs.state?.terminated?.reason) reason = cs.state.terminated.reason;
    else if (cs.state?.terminated) reason = cs.state.terminated.signal ? `Signal:${cs.state.terminated.signal}` : `ExitCode:${cs.state.terminated.exitCode}`;
  }
  if (pod.metadata.deletionTimestamp) reason = pod.status?.reason === 'NodeLost' ? 'Unknown' : 'Terminating';
  return reason;
}

function podReady(pod: KubeObject): string {
  const statuses = pod.status?.containerStatuses ?? [];
  const ready = statuses.filter((c: any) => c.ready).length;
  return `${ready}/${(pod.spec?.containers ?? []).length}`;
}

function podRestarts(pod: KubeObject): string {
  const restarts = (pod.status?.containerStatuses ?? []).reduce((n: number, c: any) => n + (c.restartCount ?? 0), 0);
  return String(restarts);
}

function servicePorts(svc: KubeObject): string {
  const ports = (svc.spec?.ports ?? []).map((p: any) => `${p.port}${p.nodePort ? `:${p.nodePort}` : ''}/${p.protocol ?? 'TCP'}`);
  return ports.length ? ports.join(',') : '<none>';
}

function mapToString(map: Record<string, string> | undefined): string {
  const entries = Object.entries(map ?? {});
  return entries.length ? entries.map(([k, v]) => `${k}=${v}`).join(',') : '<none>';
}

function containerNames(template: any): string {
  return (template?.spec?.containers ?? []).map((c: any) => c.name).join(',');
}

function containerImages(template: any): string {
  return (template?.spec?.containers ?? []).map((c: any) => c.image).join(',');
}

function nodeStatus(node: KubeObject): string {
  const ready = (node.status?.conditions ?? []).find((c: any) => c.type === 'Ready');
  let status = !ready ? 'Unknown' : ready.status === 'True' ? 'Ready' : ready.status === 'False' ? 'NotReady' : 'Unknown';
  if (node.spec?.unschedulable) status += ',SchedulingDisabled';
  return status;
}

function nodeRoles(node: KubeObject): string {
  const roles = Object.keys(node.metadata.labels ?? {})
    .filter((k) => k.startsWith('node-role.kubernetes.io/'))
    .map((k) => k.slice('node-role.kubernetes.io/'.length));
  return roles.length ? roles.join(',') : '<none>';
}

function nodeAddress(node: KubeObject, type: string): string {
  return (node.status?.addresses ?? []).find((a: any) => a.type === type)?.address ?? '<none>';
}

function endpointsList(ep: KubeObject): string {
  const all: string[] = [];
  for (const subset of ep.subsets ?? []) {
    for (const addr of subset.addresses ?? []) {
      for (const port of subset.ports ?? [{}]) all.push(port.port ? `${addr.ip}:${port.port}` : addr.ip);
    }
  }
  if (!all.length) return '<none>';
  return all.length > 3 ? `${all.slice(0, 3).join(',')} + ${all.length - 3} more...` : all.join(',');
}

/** kubectl's formatDiscoveryPorts / formatDiscoveryEndpoints: the first three, then "+ N more...". */
function firstThree(list: string[]): string {
  if (!list.length) return '<unset>';
  return list.length > 3 ? `${list.slice(0, 3).join(',')} + ${list.length - 3} more...` : list.join(',');
}

function involvedObject(ev: KubeObject): string {
  const io = ev.involvedObject ?? {};
  return `${String(io.kind ?? '').toLowerCase()}/${io.name ?? ''}`;
}

const s = (description: string) => description;

const COLUMNS: Record<string, Column[]> = {
  Pod: [
    NAME,
    { name: 'Ready', type: 'string', description: s('The aggregate readiness state of this pod for accepting traffic.'), cell: podReady },
    { name: 'Status', type: 'string', description: s('The aggregate status of the containers in this pod.'), cell: podStatus },
    { name: 'Restarts', type: 'string', description: s('The number of times the containers in this pod have been restarted.'), cell: podRestarts },
    AGE,
    { name: 'IP', type: 'string', priority: 1, description: s('IP address allocated to the pod.'), cell: (p) => p.status?.podIP ?? '<none>' },
    { name: 'Node', type: 'string', priority: 1, description: s('Name of the Node this pod is assigned to.'), cell: (p) => p.spec?.nodeName ?? '<none>' },
    { name: 'Nominated Node', type: 'string', priority: 1, description: s('Name of the node nominated by the scheduler.'), cell: (p) => p.status?.nominatedNodeName ?? '<none>' },
    { name: 'Readiness Gates', type: 'string', priority: 1, description: s('Pod readiness gates.'), cell: (p) => (p.spec?.readinessGates?.length ? String(p.spec.readinessGates.length) : '<none>') },
  ],
  Namespace: [NAME, { name: 'Status', type: 'string', description: s('The status of the namespace'), cell: (n) => n.status?.phase ?? '' }, AGE],
  Node: [
    NAME,
    { name: 'Status', type: 'string', description: s('The status of the node'), cell: nodeStatus },
    { name: 'Roles', type: 'string', description: s('The roles of the node'), cell: nodeRoles },
    AGE,
    { name: 'Version', type: 'string', description: s('Kubelet Version reported by the node.'), cell: (n) => n.status?.nodeInfo?.kubeletVersion ?? '' },
    { name: 'Internal-IP', type: 'string', priority: 1, description: s('List of internal IPs in the node.'), cell: (n) => nodeAddress(n, 'InternalIP') },
    { name: 'External-IP', type: 'string', priority: 1, description: s('List of external IPs in the node.'), cell: (n) => nodeAddress(n, 'ExternalIP') },
    { name: 'OS-Image', type: 'string', priority: 1, description: s('OS Image reported by the node.'), cell: (n) => n.status?.nodeInfo?.osImage ?? '<unknown>' },
    { name: 'Kernel-Version', type: 'string', priority: 1, description: s('Kernel Version reported by the node.'), cell: (n) => n.status?.nodeInfo?.kernelVersion ?? '<unknown>' },
    { name: 'Container-Runtime', type: 'string', priority: 1, description: s('Container Runtime Version reported by the node.'), cell: (n) => n.status?.nodeInfo?.containerRuntimeVersion ?? '<unknown>' },
  ],
  Service: [
    NAME,
    { name: 'Type', type: 'string', description: s('The type of the service.'), cell: (v) => v.spec?.type ?? '' },
    { name: 'Cluster-IP', type: 'string', description: s('The cluster IP of the service.'), cell: (v) => v.spec?.clusterIP ?? '<none>' },
    { name: 'External-IP', type: 'string', description: s('The external IP of the service.'), cell: (v) => (v.spec?.externalIPs ?? []).join(',') || '<none>' },
    { name: 'Port(s)', type: 'string', description: s('The ports of the service.'), cell: servicePorts },
    AGE,
    { name: 'Selector', type: 'string', priority: 1, description: s('The selector of the service.'), cell: (v) => mapToString(v.spec?.selector) },
  ],
  Endpoints: [NAME, { name: 'Endpoints', type: 'string', description: s('Endpoints of the service.'), cell: endpointsList }, AGE],
  EndpointSlice: [
    NAME,
    { name: 'AddressType', type: 'string', description: s('Type of address carried by this EndpointSlice.'), cell: (e) => e.addressType ?? '' },
    { name: 'Ports', type: 'string', description: s('Ports allowed by this EndpointSlice.'), cell: (e) => firstThree((e.ports ?? []).map((p: any) => String(p.port ?? p.name ?? '*'))) },
    { name: 'Endpoints', type: 'string', description: s('Endpoints in this EndpointSlice.'), cell: (e) => firstThree((e.endpoints ?? []).flatMap((x: any) => x.addresses ?? [])) },
    AGE,
  ],
  PersistentVolume: [
    NAME,
    { name: 'Capacity', type: 'string', description: s('Capacity of the volume.'), cell: (v) => v.spec?.capacity?.storage ?? '' },
    { name: 'Access Modes', type: 'string', description: s('Access modes of the volume.'), cell: (v) => accessModes(v.spec?.accessModes) },
    { name: 'Reclaim Policy', type: 'string', description: s('Reclaim policy of the volume.'), cell: (v) => v.spec?.persistentVolumeReclaimPolicy ?? '' },
    { name: 'Status', type: 'string', description: s('Phase of the volume.'), cell: (v) => (v.metadata.deletionTimestamp ? 'Terminating' : v.status?.phase ?? '') },
    { name: 'Claim', type: 'string', description: s('The claim bound to the volume.'), cell: (v) => (v.spec?.claimRef ? `${v.spec.claimRef.namespace}/${v.spec.claimRef.name}` : '') },
    { name: 'StorageClass', type: 'string', description: s('Storage class of the volume.'), cell: storageClass },
    { name: 'VolumeAttributesClass', type: 'string', description: s('Volume attributes class of the volume.'), cell: () => '<unset>' },
    { name: 'Reason', type: 'string', description: s('Reason for the phase.'), cell: (v) => v.status?.reason ?? '' },
    AGE,
    { name: 'VolumeMode', type: 'string', priority: 1, description: s('Volume mode.'), cell: (v) => v.spec?.volumeMode ?? '<unset>' },
  ],
  PersistentVolumeClaim: [
    NAME,
    { name: 'Status', type: 'string', description: s('Phase of the claim.'), cell: (v) => (v.metadata.deletionTimestamp ? 'Terminating' : v.status?.phase ?? '') },
    { name: 'Volume', type: 'string', description: s('The volume bound to the claim.'), cell: (v) => v.spec?.volumeName ?? '' },
    // Capacity and access modes are the bound volume's, shown once spec.volumeName is set (printPersistentVolumeClaim).
    { name: 'Capacity', type: 'string', description: s('Capacity of the bound volume.'), cell: (v) => (v.spec?.volumeName ? v.status?.capacity?.storage ?? '' : '') },
    { name: 'Access Modes', type: 'string', description: s('Access modes of the bound volume.'), cell: (v) => (v.spec?.volumeName ? accessModes(v.status?.accessModes) : '') },
    { name: 'StorageClass', type: 'string', description: s('Storage class of the claim.'), cell: storageClass },
    { name: 'VolumeAttributesClass', type: 'string', description: s('Volume attributes class of the claim.'), cell: () => '<unset>' },
    AGE,
    { name: 'VolumeMode', type: 'string', priority: 1, description: s('Volume mode.'), cell: (v) => v.spec?.volumeMode ?? '<unset>' },
  ],
  ConfigMap: [NAME, { name: 'Data', type: 'integer', description: s('Number of data entries.'), cell: (c) => Object.keys(c.data ?? {}).length + Object.keys(c.binaryData ?? {}).length }, AGE],
  // Only how many keys: a table never shows a Secret's values.
  Secret: [
    NAME,
    { name: 'Type', type: 'string', description: s('Used to facilitate programmatic handling of secret data.'), cell: (c) => c.type ?? '' },
    { name: 'Data', type: 'integer', description: s('Number of data entries.'), cell: (c) => Object.keys(c.data ?? {}).length },
    AGE,
  ],
  Event: [
    { name: 'Last Seen', type: 'string', description: s('Time of the last occurrence.'), cell: (e, now) => age(e.lastTimestamp ?? e.eventTime ?? e.metadata.creationTimestamp, now) },
    { name: 'Type', type: 'string', description: s('Type of this event (Normal, Warning).'), cell: (e) => e.type ?? '' },
    { name: 'Reason', type: 'string', description: s('Why the action was taken.'), cell: (e) => e.reason ?? '' },
    { name: 'Object', type: 'string', description: s('The object this event is about.'), cell: involvedObject },
    { name: 'Message', type: 'string', description: s('A human-readable description of the status of this operation.'), cell: (e) => e.message ?? '' },
    { ...NAME, priority: 1 },
  ],
  ReplicaSet: [
    NAME,
    { name: 'Desired', type: 'integer', description: s('Number of desired pods.'), cell: (r) => r.spec?.replicas ?? 0 },
    { name: 'Current', type: 'integer', description: s('Number of created pods.'), cell: (r) => r.status?.replicas ?? 0 },
    { name: 'Ready', type: 'integer', description: s('Number of ready pods.'), cell: (r) => r.status?.readyReplicas ?? 0 },
    AGE,
    { name: 'Containers', type: 'string', priority: 1, description: s('Names of each container in the template.'), cell: (r) => containerNames(r.spec?.template) },
    { name: 'Images', type: 'string', priority: 1, description: s('Images referenced by each container in the template.'), cell: (r) => containerImages(r.spec?.template) },
    { name: 'Selector', type: 'string', priority: 1, description: s('Selector for pods.'), cell: (r) => labelSelectorToString(r.spec?.selector ?? {}) },
  ],
  Deployment: [
    NAME,
    { name: 'Ready', type: 'string', description: s('Number of the pod with ready state'), cell: (d) => `${d.status?.readyReplicas ?? 0}/${d.spec?.replicas ?? 0}` },
    { name: 'Up-to-date', type: 'string', description: s('Total number of non-terminated pods targeted by this deployment that have the desired template spec.'), cell: (d) => d.status?.updatedReplicas ?? 0 },
    { name: 'Available', type: 'string', description: s('Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.'), cell: (d) => d.status?.availableReplicas ?? 0 },
    AGE,
    { name: 'Containers', type: 'string', priority: 1, description: s('Names of each container in the template.'), cell: (d) => containerNames(d.spec?.template) },
    { name: 'Images', type: 'string', priority: 1, description: s('Images referenced by each container in the template.'), cell: (d) => containerImages(d.spec?.template) },
    { name: 'Selector', type: 'string', priority: 1, description: s('Label selector for pods.'), cell: (d) => labelSelectorToString(d.spec?.selector ?? {}) },
  ],
  // N/A for the field the budget does not set (printPodDisruptionBudget in pkg/printers/internalversion/printers.go).
  PodDisruptionBudget: [
    NAME,
    { name: 'Min Available', type: 'string', description: s('The minimum number of pods that must be available.'), cell: (p) => String(p.spec?.minAvailable ?? 'N/A') },
    { name: 'Max Unavailable', type: 'string', description: s('The maximum number of pods that may be unavailable.'), cell: (p) => String(p.spec?.maxUnavailable ?? 'N/A') },
    { name: 'Allowed Disruptions', type: 'integer', description: s('Calculated number of pods that may be disrupted at this time.'), cell: (p) => p.status?.disruptionsAllowed ?? 0 },
    AGE,
  ],
  Lease: [NAME, { name: 'Holder', type: 'string', description: s('The holder of the lease.'), cell: (l) => l.spec?.holderIdentity ?? '' }, AGE],
};

/** Always in this order, each once, whatever the order in the object (GetAccessModesAsString). */
function accessModes(modes: string[] | undefined): string {
  const short: [string, string][] = [['ReadWriteOnce', 'RWO'], ['ReadOnlyMany', 'ROX'], ['ReadWriteMany', 'RWX'], ['ReadWriteOncePod', 'RWOP']];
  return short.filter(([mode]) => (modes ?? []).includes(mode)).map(([, abbreviation]) => abbreviation).join(',');
}

/** The beta annotation still wins over spec.storageClassName (GetPersistentVolumeClass). */
function storageClass(obj: KubeObject): string {
  return obj.metadata.annotations?.['volume.beta.kubernetes.io/storage-class'] ?? obj.spec?.storageClassName ?? '';
}

/** True when the Accept header asks for a meta.k8s.io Table. */
export function wantsTable(accept: string | undefined): boolean {
  return !!accept && /as=Table/.test(accept) && /g=meta\.k8s\.io/.test(accept);
}

/** PartialObjectMetadata: what a Table row carries as `object` (kubectl reads the namespace from it). */
function partialMetadata(obj: KubeObject) {
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata };
}

export function toTable(resource: ResourceType, objects: KubeObject[], listMeta: Record<string, unknown>, withColumns = true) {
  const columns = COLUMNS[resource.kind] ?? [NAME, AGE];
  const now = Date.now();
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: listMeta,
    ...(withColumns ? {
      columnDefinitions: columns.map((c) => ({
        name: c.name, type: c.type, format: c.format ?? '', description: c.description, priority: c.priority ?? 0,
      })),
    } : {}),
    rows: objects.map((obj) => ({ cells: columns.map((c) => c.cell(obj, now)), object: partialMetadata(obj) })),
  };
}

