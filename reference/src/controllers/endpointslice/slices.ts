// The EndpointSlices a Service should have, and the writes that get there
// (staging/src/k8s.io/endpointslice/reconciler.go and utils.go in Kubernetes,
// much reduced).
//
// An EndpointSlice holds up to 100 endpoints that offer the same ports:
//
//   addressType: IPv4
//   endpoints:  [{addresses: [ip], conditions: {ready, serving, terminating}, nodeName, targetRef}]
//   ports:      [{name, port, protocol}]
//
// Unlike Endpoints, slices keep a pod that is being deleted, with
// terminating: true and ready: false, so that a proxy can drain it.
// A Service whose selector matches nothing keeps one empty slice (a placeholder).

import type { KubeObject } from '../../api/types.ts';
import { jsonEqual } from '../../api/objects.ts';
import { controllerReference } from '../owners.ts';
import { isPodReady } from '../pods.ts';
import { endpointHostname, findPort, isServiceIPSet, podIP, shouldPodBeInEndpoints } from '../service-pods.ts';

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
export const MANAGED_BY_LABEL = 'endpointslice.kubernetes.io/managed-by';
export const MANAGED_BY = 'endpointslice-controller.k8s.io';
const HEADLESS_LABEL = 'service.kubernetes.io/headless';
/** --max-endpoints-per-slice (default 100). */
export const MAX_ENDPOINTS_PER_SLICE = 100;

export interface SliceEndpoint {
  addresses: string[];
  conditions: { ready: boolean; serving: boolean; terminating: boolean };
  hostname?: string;
  nodeName?: string;
  targetRef: { kind: 'Pod'; namespace: string; name: string; uid: string };
}

export interface SlicePort {
  name: string;
  port: number;
  protocol: string;
  appProtocol?: string;
}

/** What to write: new slices, changed slices (with their resourceVersion), slices to delete. */
export interface SlicePlan {
  create: KubeObject[];
  update: KubeObject[];
  delete: KubeObject[];
}

/** A pod as an endpoint (podToEndpoint): ready only if serving and not terminating, unless the Service publishes not-ready addresses. */
function toEndpoint(pod: KubeObject, svc: KubeObject): SliceEndpoint {
  const serving = isPodReady(pod);
  const terminating = !!pod.metadata.deletionTimestamp;
  const ready = svc.spec?.publishNotReadyAddresses === true || (serving && !terminating);
  const endpoint: SliceEndpoint = {
    addresses: [podIP(pod)!],
    conditions: { ready, serving, terminating },
    targetRef: { kind: 'Pod', namespace: pod.metadata.namespace!, name: pod.metadata.name!, uid: pod.metadata.uid! },
  };
  const hostname = endpointHostname(pod, svc);
  if (hostname) endpoint.hostname = hostname;
  if (pod.spec?.nodeName) endpoint.nodeName = pod.spec.nodeName;
  return endpoint;
}

/** The ports this pod offers for the Service (getEndpointPorts): ports whose named targetPort it lacks are left out. */
function portsOf(pod: KubeObject, svc: KubeObject): SlicePort[] {
  const ports: SlicePort[] = [];
  for (const sp of svc.spec?.ports ?? []) {
    const port = findPort(pod, sp);
    if (port === undefined) continue;
    ports.push({ name: sp.name ?? '', port, protocol: sp.protocol ?? 'TCP', ...(sp.appProtocol ? { appProtocol: sp.appProtocol } : {}) });
  }
  return ports;
}

const portsKey = (ports: SlicePort[]) => JSON.stringify(ports);

/** The endpoints of the Service, grouped by the ports they offer; one empty group when there are none. */
export function endpointGroups(svc: KubeObject, pods: KubeObject[]): { ports: SlicePort[]; endpoints: SliceEndpoint[] }[] {
  const groups = new Map<string, { ports: SlicePort[]; endpoints: SliceEndpoint[] }>();
  for (const pod of pods) {
    if (!shouldPodBeInEndpoints(pod, true)) continue;
    const ports = portsOf(pod, svc);
    if (ports.length === 0 && (svc.spec?.ports ?? []).length > 0) continue; // offers none of the Service's ports
    const key = portsKey(ports);
    if (!groups.has(key)) groups.set(key, { ports, endpoints: [] });
    groups.get(key)!.endpoints.push(toEndpoint(pod, svc));
  }
  if (groups.size === 0) return [{ ports: [], endpoints: [] }]; // the placeholder
  const byAddress = (a: SliceEndpoint, b: SliceEndpoint) =>
    a.addresses[0] < b.addresses[0] ? -1 : a.addresses[0] > b.addresses[0] ? 1 : a.targetRef.uid < b.targetRef.uid ? -1 : 1;
  for (const group of groups.values()) group.endpoints.sort(byAddress);
  return [...groups.values()].sort((a, b) => (portsKey(a.ports) < portsKey(b.ports) ? -1 : 1));
}

/** The slice's labels: the Service's own, then the reserved ones (setEndpointSliceLabels). */
export function sliceLabels(svc: KubeObject): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(svc.metadata.labels ?? {})) {
    if (k !== SERVICE_NAME_LABEL && k !== MANAGED_BY_LABEL && k !== HEADLESS_LABEL) labels[k] = v;
  }
  labels[SERVICE_NAME_LABEL] = svc.metadata.name!;
  labels[MANAGED_BY_LABEL] = MANAGED_BY;
  if (!isServiceIPSet(svc)) labels[HEADLESS_LABEL] = '';
  return labels;
}

function chunks<T>(list: T[], size: number): T[][] {
  if (list.length === 0) return [[]];
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

/**
 * The writes that turn `existing` (the slices this controller made for the
 * Service) into the slices the Service should have. Existing slices with the
 * same ports are reused in name order, so a small change updates one slice
 * instead of replacing them all.
 */
export function planSlices(svc: KubeObject, pods: KubeObject[], existing: KubeObject[]): SlicePlan {
  const plan: SlicePlan = { create: [], update: [], delete: [] };
  const labels = sliceLabels(svc);
  const owned = existing.filter((s) => (s.metadata.ownerReferences ?? []).some((r) => r.uid === svc.metadata.uid));
  // A slice owned by an older Service of the same name is not ours to keep.
  plan.delete.push(...existing.filter((s) => !owned.includes(s)));
  const unused = new Map<string, KubeObject[]>();
  for (const slice of [...owned].sort((a, b) => (a.metadata.name! < b.metadata.name! ? -1 : 1))) {
    const key = portsKey(slice.ports ?? []);
    unused.set(key, [...(unused.get(key) ?? []), slice]);
  }

  for (const group of endpointGroups(svc, pods)) {
    const reusable = unused.get(portsKey(group.ports)) ?? [];
    for (const endpoints of chunks(group.endpoints, MAX_ENDPOINTS_PER_SLICE)) {
      const slice = reusable.shift();
      if (!slice) {
        plan.create.push(newSlice(svc, labels, group.ports, endpoints));
      } else if (!jsonEqual(slice.endpoints ?? [], endpoints) || !jsonEqual(slice.metadata.labels ?? {}, labels) || slice.addressType !== 'IPv4') {
        plan.update.push({ ...slice, metadata: { ...slice.metadata, labels }, addressType: 'IPv4', endpoints, ports: group.ports });
      }
    }
  }
  for (const rest of unused.values()) plan.delete.push(...rest);
  return plan;
}

function newSlice(svc: KubeObject, labels: Record<string, string>, ports: SlicePort[], endpoints: SliceEndpoint[]): KubeObject {
  return {
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
    metadata: {
      generateName: `${svc.metadata.name}-`,
      namespace: svc.metadata.namespace,
      labels,
      ownerReferences: [controllerReference(svc, 'v1', 'Service')],
    },
    addressType: 'IPv4',
    endpoints,
    ports,
  };
}
