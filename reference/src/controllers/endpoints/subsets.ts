// The subsets of a Service's Endpoints object, computed from its pods
// (pkg/controller/endpoint/endpoints_controller.go syncService and
// pkg/api/v1/endpoints/util.go RepackSubsets in Kubernetes).
//
//   subsets:
//   - addresses:          [ready pods: {ip, nodeName, targetRef}]
//     notReadyAddresses:  [pods that run but are not ready]
//     ports:              [{name, port, protocol}]   (targetPort resolved)
//
// Pods that offer the same ports share one subset. A pod whose container does
// not declare a named targetPort is missing from that port, so it lands in a
// subset of its own with the ports it does have.

import type { KubeObject } from '../../api/types.ts';
import { isPodReady } from '../pods.ts';
import { endpointHostname, findPort, podIP, shouldPodBeInEndpoints } from '../service-pods.ts';

export interface EndpointAddress {
  ip: string;
  hostname?: string;
  nodeName?: string;
  /**
   * Which pod the address is. Kubernetes stopped filling targetRef.resourceVersion
   * in 1.24 (kubernetes/kubernetes#108450): with it every pod status write
   * rewrote the Endpoints.
   */
  targetRef: { kind: 'Pod'; namespace: string; name: string; uid: string };
}

export interface EndpointPort {
  name?: string;
  port: number;
  protocol: string;
  appProtocol?: string;
}

export interface EndpointSubset {
  addresses?: EndpointAddress[];
  notReadyAddresses?: EndpointAddress[];
  ports?: EndpointPort[];
}

function toAddress(pod: KubeObject, svc: KubeObject): EndpointAddress {
  const address: EndpointAddress = {
    ip: podIP(pod)!,
    nodeName: pod.spec?.nodeName,
    targetRef: { kind: 'Pod', namespace: pod.metadata.namespace!, name: pod.metadata.name!, uid: pod.metadata.uid! },
  };
  const hostname = endpointHostname(pod, svc);
  return hostname ? { ...address, hostname } : address;
}

function toEndpointPort(servicePort: any, port: number): EndpointPort {
  const ep: EndpointPort = { name: servicePort.name, port, protocol: servicePort.protocol ?? 'TCP' };
  if (!ep.name) delete ep.name;
  if (servicePort.appProtocol) ep.appProtocol = servicePort.appProtocol;
  return ep;
}

/** Addresses in a fixed order (by IP, then pod uid), so that equal sets compare equal. */
function byIPThenUid(a: EndpointAddress, b: EndpointAddress): number {
  return a.ip < b.ip ? -1 : a.ip > b.ip ? 1 : a.targetRef.uid < b.targetRef.uid ? -1 : a.targetRef.uid > b.targetRef.uid ? 1 : 0;
}

const portKey = (p: EndpointPort) => JSON.stringify([p.name ?? '', p.port, p.protocol, p.appProtocol ?? '']);

// LAB(services) begin: which pods a Service's Endpoints list, ready or not, on which ports
/** The Endpoints subsets for a Service with a selector, given the pods its selector matches. */
export function endpointSubsets(svc: KubeObject, pods: KubeObject[]): EndpointSubset[] {
  const publishNotReady = svc.spec?.publishNotReadyAddresses === true;
  const servicePorts: any[] = svc.spec?.ports ?? [];

  // Every (endpoint port → the pods that offer it, ready or not).
  const byPort = new Map<string, { port: EndpointPort; members: Map<string, { address: EndpointAddress; ready: boolean }> }>();
  const offer = (port: EndpointPort, address: EndpointAddress, ready: boolean) => {
    const key = portKey(port);
    if (!byPort.has(key)) byPort.set(key, { port, members: new Map() });
    byPort.get(key)!.members.set(`${address.ip}/${address.targetRef.uid}`, { address, ready });
  };

  const headlessWithoutPorts: { address: EndpointAddress; ready: boolean }[] = [];
  for (const pod of pods) {
    // No IP yet, finished, or being deleted (a terminating pod stays when the Service publishes not-ready addresses).
    if (!shouldPodBeInEndpoints(pod, publishNotReady)) continue;
    const address = toAddress(pod, svc);
    const ready = publishNotReady || isPodReady(pod);
    if (servicePorts.length === 0) {
      // A headless Service may have no ports: its endpoints are just addresses.
      if (svc.spec?.clusterIP === 'None') headlessWithoutPorts.push({ address, ready });
      continue;
    }
    for (const servicePort of servicePorts) {
      const port = findPort(pod, servicePort);
      if (port === undefined) continue; // this pod does not offer the named port
      offer(toEndpointPort(servicePort, port), address, ready);
    }
  }

  if (headlessWithoutPorts.length) return [subsetOf(headlessWithoutPorts, [])];

  // Repack: ports offered by exactly the same pods (with the same readiness) share a subset.
  const groups = new Map<string, { members: { address: EndpointAddress; ready: boolean }[]; ports: EndpointPort[] }>();
  for (const { port, members } of byPort.values()) {
    const list = [...members.values()].sort((a, b) => byIPThenUid(a.address, b.address));
    const key = list.map((m) => `${m.address.ip}/${m.address.targetRef.uid}/${m.ready}`).join(',');
    if (!groups.has(key)) groups.set(key, { members: list, ports: [] });
    groups.get(key)!.ports.push(port);
  }
  const subsets = [...groups.values()].map((g) => subsetOf(g.members, g.ports.sort((a, b) => (portKey(a) < portKey(b) ? -1 : 1))));
  // A fixed order of subsets too, so an unchanged Service never causes a write.
  return subsets.sort((a, b) => (JSON.stringify(a.ports) < JSON.stringify(b.ports) ? -1 : 1));
}
// LAB end

function subsetOf(members: { address: EndpointAddress; ready: boolean }[], ports: EndpointPort[]): EndpointSubset {
  const subset: EndpointSubset = {};
  const ready = members.filter((m) => m.ready).map((m) => m.address).sort(byIPThenUid);
  const notReady = members.filter((m) => !m.ready).map((m) => m.address).sort(byIPThenUid);
  // Empty lists are left out, as Kubernetes' JSON leaves them out (omitempty).
  if (ready.length) subset.addresses = ready;
  if (notReady.length) subset.notReadyAddresses = notReady;
  if (ports.length) subset.ports = ports;
  return subset;
}
