// The proxy's table: which addresses to listen on, and where each one sends
// its connections. Computed from scratch from the Services and Endpoints in
// the informers' caches, every time either changes (kube-proxy builds its
// rules the same way, from its ServicePort and Endpoints maps).
//
// For every TCP port of every Service with a cluster IP:
//   <clusterIP>:<port>      on every node (only one proxy holds it at a time: listener.ts)
//   <nodeIP>:<nodePort>     when the Service is NodePort or LoadBalancer
// both sending to the ready addresses of the Service's Endpoints, on the
// endpoint port whose name is the Service port's name.
//
// Headless Services (clusterIP: None) and ExternalName Services get nothing:
// clients reach their pods directly, by DNS.

import type { KubeObject } from '../api/types.ts';
import type { Backend } from './listener.ts';

export interface ListenerSpec {
  host: string;
  port: number;
  /** "namespace/name:portName", for log lines. */
  name: string;
  backends: Backend[];
}

/** A listener's identity in the table: its address. */
export function listenerKey(spec: Pick<ListenerSpec, 'host' | 'port'>): string {
  return `${spec.host}:${spec.port}`;
}

// LAB(services) begin: building the endpoint table of one Service port
/**
 * The ready endpoints of one Service port: every address in `addresses` (never
 * `notReadyAddresses`) of every subset that has a port with the Service port's
 * name and protocol, on that port's number (the resolved targetPort).
 */
export function backendsFor(endpoints: KubeObject | undefined, servicePort: { name?: string; protocol?: string }): Backend[] {
  const backends: Backend[] = [];
  for (const subset of endpoints?.subsets ?? []) {
    const port = (subset.ports ?? []).find((p: any) =>
      (p.name ?? '') === (servicePort.name ?? '') && (p.protocol ?? 'TCP') === (servicePort.protocol ?? 'TCP'));
    if (!port) continue;
    for (const address of subset.addresses ?? []) backends.push({ ip: address.ip, port: port.port });
  }
  // A fixed order, so the same endpoints never look like a change.
  return backends.sort((a, b) => (a.ip === b.ip ? a.port - b.port : a.ip < b.ip ? -1 : 1));
}
// LAB end

/** Every listener this node's proxy should have, given the Services and Endpoints (keyed "namespace/name"). */
export function desiredListeners(services: KubeObject[], endpoints: (key: string) => KubeObject | undefined, nodeIP: string): ListenerSpec[] {
  const specs: ListenerSpec[] = [];
  for (const svc of services) {
    const clusterIP = svc.spec?.clusterIP;
    if (!clusterIP || clusterIP === 'None' || svc.spec?.type === 'ExternalName') continue;
    const key = `${svc.metadata.namespace}/${svc.metadata.name}`;
    for (const servicePort of svc.spec?.ports ?? []) {
      if ((servicePort.protocol ?? 'TCP') !== 'TCP') continue; // UDP and SCTP are not proxied here
      const backends = backendsFor(endpoints(key), servicePort);
      const name = servicePort.name ? `${key}:${servicePort.name}` : key;
      specs.push({ host: clusterIP, port: servicePort.port, name, backends });
      if (servicePort.nodePort) specs.push({ host: nodeIP, port: servicePort.nodePort, name: `${name} (NodePort)`, backends });
    }
  }
  return specs;
}
