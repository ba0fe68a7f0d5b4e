// Service-specific steps of a write: give a new Service its ClusterIP and NodePorts,
// and keep them across updates (pkg/registry/core/service/storage in Kubernetes).

import type { KubeObject } from '../../api/types.ts';
import { findKind, storagePrefix } from '../resources.ts';
import { invalid } from '../errors.ts';
import { invalidValue } from '../validation/field-errors.ts';
import { decode } from './codec.ts';
import { cidrContains, freeClusterIP, freeNodePort, parsePortRange, type ServiceRanges } from './allocators.ts';
import type { Registry } from './registry.ts';

export type { ServiceRanges };

const SERVICE = findKind('v1', 'Service')!;

/** One allocation at a time, so two Services never get the same address or port. */
let allocationLock: Promise<unknown> = Promise.resolve();

function serialized<T>(work: () => Promise<T>): Promise<T> {
  const run = allocationLock.then(work, work);
  allocationLock = run.catch(() => undefined);
  return run;
}

async function allServices(registry: Registry): Promise<KubeObject[]> {
  const { items } = await registry.store.list(storagePrefix(SERVICE));
  return items.map((kv) => decode(kv));
}

function needsNodePorts(svc: KubeObject): boolean {
  return svc.spec?.type === 'NodePort' || svc.spec?.type === 'LoadBalancer';
}

async function allocate(registry: Registry, svc: KubeObject, previous?: KubeObject): Promise<void> {
  const spec = svc.spec;
  const name = svc.metadata.name!;
  const others = (await allServices(registry)).filter((s) => s.metadata.uid !== svc.metadata.uid);
  const ranges: ServiceRanges = registry.ranges;

  if (spec.type === 'ExternalName') {
    delete spec.clusterIP;
  } else if (previous?.spec?.clusterIP && !spec.clusterIP) {
    spec.clusterIP = previous.spec.clusterIP;
  } else if (!spec.clusterIP) {
    const ip = freeClusterIP(ranges, others);
    if (!ip) throw invalid(SERVICE, name, [invalidValue('spec.clusterIPs', [], `failed to allocate IP: range ${ranges.serviceCIDR} is full`)]);
    spec.clusterIP = ip;
  } else if (spec.clusterIP !== 'None' && !previous) {
    if (!cidrContains(ranges.serviceCIDR, spec.clusterIP)) {
      throw invalid(SERVICE, name, [invalidValue('spec.clusterIPs', [spec.clusterIP], `failed to allocate IP ${spec.clusterIP}: the provided IP (${spec.clusterIP}) is not in the valid range. The range of valid IPs is ${ranges.serviceCIDR}`)]);
    }
    if (others.some((s) => s.spec?.clusterIP === spec.clusterIP)) {
      throw invalid(SERVICE, name, [invalidValue('spec.clusterIPs', [spec.clusterIP], `failed to allocate IP ${spec.clusterIP}: provided IP is already allocated`)]);
    }
  }
  if (spec.clusterIP) spec.clusterIPs = [spec.clusterIP];
  else delete spec.clusterIPs;

  const { min, max } = parsePortRange(ranges.nodePortRange);
  const taken = new Set<number>();
  (spec.ports ?? []).forEach((port: any, i: number) => {
    if (!needsNodePorts(svc)) {
      delete port.nodePort;
      return;
    }
    const before = previous?.spec?.ports?.find((p: any) => p.port === port.port && (p.protocol ?? 'TCP') === (port.protocol ?? 'TCP'));
    if (!port.nodePort && before?.nodePort) port.nodePort = before.nodePort;
    if (port.nodePort) {
      const field = `spec.ports[${i}].nodePort`;
      if (port.nodePort < min || port.nodePort > max) {
        throw invalid(SERVICE, name, [invalidValue(field, port.nodePort, `provided port is not in the valid range. The range of valid ports is ${min}-${max}`)]);
      }
      if (port.nodePort !== before?.nodePort && others.some((s) => (s.spec?.ports ?? []).some((p: any) => p.nodePort === port.nodePort))) {
        throw invalid(SERVICE, name, [invalidValue(field, port.nodePort, 'provided port is already allocated')]);
      }
    } else {
      port.nodePort = freeNodePort(ranges, others, taken);
    }
    taken.add(port.nodePort);
  });
}

export function prepareServiceCreate(registry: Registry, svc: KubeObject): Promise<void> {
  return serialized(() => allocate(registry, svc));
}

export function prepareServiceUpdate(registry: Registry, svc: KubeObject, previous: KubeObject): Promise<void> {
  return serialized(() => allocate(registry, svc, previous));
}
