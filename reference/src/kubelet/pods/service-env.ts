// The Service environment variables every container starts with: the oldest
// way a program finds a Service, from before cluster DNS, in the style of
// Docker links (pkg/kubelet/envvars/envvars.go FromServices and
// pkg/kubelet/kubelet_pods.go getServiceEnvVarMap in Kubernetes).
//
// For a Service `redis-primary` with cluster IP 10.0.0.11 and port 6379 named `redis`:
//
//   REDIS_PRIMARY_SERVICE_HOST=10.0.0.11
//   REDIS_PRIMARY_SERVICE_PORT=6379
//   REDIS_PRIMARY_SERVICE_PORT_REDIS=6379
//   REDIS_PRIMARY_PORT=tcp://10.0.0.11:6379
//   REDIS_PRIMARY_PORT_6379_TCP=tcp://10.0.0.11:6379
//   REDIS_PRIMARY_PORT_6379_TCP_PROTO=tcp
//   REDIS_PRIMARY_PORT_6379_TCP_PORT=6379
//   REDIS_PRIMARY_PORT_6379_TCP_ADDR=10.0.0.11
//
// Which Services: those of the pod's namespace that have a cluster IP and
// exist when the container starts (a Service made later is not seen until the
// container starts again), unless the pod says enableServiceLinks: false; and
// always the `kubernetes` Service of `default`, so a program can find the API.

import type { KubeObject } from '../../api/types.ts';
import { isNotFound, type ApiClient } from '../../client/api-client.ts';
import { SERVICES, resourcePath } from '../../client/paths.ts';

/** The Services whose variables Kubernetes puts in the container (masterServices = {"kubernetes"}). */
const MASTER_SERVICES = new Set(['kubernetes']);

function hasClusterIP(svc: KubeObject): boolean {
  const ip = svc.spec?.clusterIP;
  return !!ip && ip !== 'None';
}

/** `redis-primary` → `REDIS_PRIMARY` (makeEnvVariableName). */
function envName(name: string): string {
  return name.toUpperCase().replaceAll('-', '_');
}

/**
 * The Services a pod's containers see (getServiceEnvVarMap): the `kubernetes`
 * Service of `default` always, and the ones of the pod's namespace when service
 * links are on. A Service of the pod's own namespace wins over a master Service
 * of the same name.
 */
export function servicesForPod(pod: KubeObject, services: KubeObject[]): KubeObject[] {
  const namespace = pod.metadata.namespace;
  const links = pod.spec?.enableServiceLinks !== false;
  const chosen = new Map<string, KubeObject>();
  for (const svc of services.filter(hasClusterIP)) {
    const name = svc.metadata.name!;
    if (svc.metadata.namespace === 'default' && MASTER_SERVICES.has(name)) {
      if (!chosen.has(name)) chosen.set(name, svc);
    } else if (svc.metadata.namespace === namespace && links) {
      chosen.set(name, svc);
    }
  }
  return [...chosen.values()];
}

/** The variables for these Services (FromServices). */
export function serviceEnvVars(services: KubeObject[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const svc of services) {
    if (!hasClusterIP(svc) || !(svc.spec?.ports ?? []).length) continue;
    const prefix = envName(svc.metadata.name!);
    const ip: string = svc.spec.clusterIP;
    const ports: any[] = svc.spec.ports;

    env[`${prefix}_SERVICE_HOST`] = ip;
    // The first port has the old name; named ports are also listed by name.
    env[`${prefix}_SERVICE_PORT`] = String(ports[0].port);
    for (const p of ports) if (p.name) env[`${prefix}_SERVICE_PORT_${envName(p.name)}`] = String(p.port);

    // Docker link variables (makeLinkVariables).
    ports.forEach((p, i) => {
      const protocol: string = p.protocol ?? 'TCP';
      const url = `${protocol.toLowerCase()}://${ip}:${p.port}`;
      if (i === 0) env[`${prefix}_PORT`] = url;
      const portPrefix = `${prefix}_PORT_${p.port}_${protocol.toUpperCase()}`;
      env[portPrefix] = url;
      env[`${portPrefix}_PROTO`] = protocol.toLowerCase();
      env[`${portPrefix}_PORT`] = String(p.port);
      env[`${portPrefix}_ADDR`] = ip;
    });
  }
  return env;
}

/**
 * Reads the Services a container of this pod sees, now, and returns their
 * variables. The kubelet reads them from its Service informer; asking the API
 * server at each container start gives the same answer.
 */
export async function readServiceEnv(client: ApiClient, pod: KubeObject): Promise<Record<string, string>> {
  const namespace = pod.metadata.namespace!;
  const services: KubeObject[] = [];
  if (pod.spec?.enableServiceLinks !== false) {
    services.push(...(await client.get<{ items: KubeObject[] }>(resourcePath(SERVICES, namespace))).items);
  }
  for (const name of MASTER_SERVICES) {
    try {
      services.push(await client.get<KubeObject>(resourcePath(SERVICES, 'default', name)));
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
  return serviceEnvVars(servicesForPod(pod, services));
}
