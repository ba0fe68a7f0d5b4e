// Which pods back a Service, and on which port: what the Endpoints and the
// EndpointSlice controllers both ask (k8s.io/endpointslice/util/controller_utils.go
// and pkg/api/v1/pod/util.go FindPort in Kubernetes).

import type { KubeObject } from '../api/types.ts';
import { hasLabels } from './selectors.ts';

/**
 * Whether the Service picks its pods with a selector. A Service without one
 * gets no endpoints from the controllers: its Endpoints are written by hand
 * (the `kubernetes` Service's by the API server). Kubernetes stores an empty
 * selector as no selector, so `{}` counts as none here too.
 */
export function hasSelector(svc: KubeObject): boolean {
  return svc.spec?.type !== 'ExternalName' && Object.keys(svc.spec?.selector ?? {}).length > 0;
}

/** The Service has a cluster IP (not headless, not ExternalName): IsServiceIPSet. */
export function isServiceIPSet(svc: KubeObject): boolean {
  const ip = svc.spec?.clusterIP;
  return !!ip && ip !== 'None';
}

/** The Service's selector matches the pod: same namespace, and every key/value of the selector among the pod's labels. */
export function selectsPod(svc: KubeObject, pod: KubeObject): boolean {
  return svc.metadata.namespace === pod.metadata.namespace && hasSelector(svc) && hasLabels(pod, svc.spec.selector);
}

/** The Services whose selector matches the pod (GetPodServiceMemberships). */
export function servicesSelecting(pod: KubeObject, services: KubeObject[]): KubeObject[] {
  return services.filter((svc) => selectsPod(svc, pod));
}

/**
 * Whether a pod appears in a Service's endpoints at all, ready or not
 * (ShouldPodBeInEndpoints): it has an IP and has not finished. A pod being
 * deleted is left out of Endpoints, unless the Service publishes not-ready
 * addresses; EndpointSlices keep it, marked terminating.
 */
export function shouldPodBeInEndpoints(pod: KubeObject, includeTerminating: boolean): boolean {
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return false;
  if (!pod.status?.podIP && !(pod.status?.podIPs ?? []).length) return false;
  if (!includeTerminating && pod.metadata.deletionTimestamp) return false;
  return true;
}

/**
 * The pod's port that a Service port's targetPort names (FindPort): a number
 * is used as it is; a name is looked up among the pod's container ports with
 * the same protocol, and a pod that has no such port is left out of this
 * Service port. Different pods may resolve one name to different numbers.
 */
export function findPort(pod: KubeObject, servicePort: { port: number; targetPort?: number | string; protocol?: string }): number | undefined {
  const target = servicePort.targetPort ?? servicePort.port;
  if (typeof target === 'number') return target;
  const protocol = servicePort.protocol ?? 'TCP';
  // Sidecars (init containers that keep running) count too, as in Kubernetes 1.29+.
  const sidecars = (pod.spec?.initContainers ?? []).filter((c: any) => c.restartPolicy === 'Always');
  for (const container of [...(pod.spec?.containers ?? []), ...sidecars]) {
    for (const port of container.ports ?? []) {
      if (port.name === target && (port.protocol ?? 'TCP') === protocol) return port.containerPort;
    }
  }
  return undefined;
}

/** The pod's IPv4 address, which is the one the endpoints carry (a single-stack cluster). */
export function podIP(pod: KubeObject): string | undefined {
  return pod.status?.podIP ?? pod.status?.podIPs?.[0]?.ip;
}

/**
 * Whether the endpoint for this pod carries its hostname (ShouldSetHostname):
 * the pod asked for a hostname and put itself in the Service's subdomain,
 * which is how a StatefulSet's pods get DNS names.
 */
export function endpointHostname(pod: KubeObject, svc: KubeObject): string | undefined {
  const hostname = pod.spec?.hostname;
  return hostname && pod.spec?.subdomain === svc.metadata.name && pod.metadata.namespace === svc.metadata.namespace ? hostname : undefined;
}
