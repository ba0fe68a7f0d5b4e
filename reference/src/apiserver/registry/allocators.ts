// Service ClusterIPs and NodePorts: picked from the ranges the cluster was given
// (KUBELAB_SERVICE_CIDR, KUBELAB_NODEPORT_RANGE), never twice.
//
// Kubernetes keeps allocation bitmaps in etcd; here the used values are found by
// listing the Services, under a lock so that two creates cannot take the same value.

import type { KubeObject } from '../../api/types.ts';

export interface ServiceRanges {
  /** e.g. "127.96.0.0/16" */
  serviceCIDR: string;
  /** e.g. "30000-32767" */
  nodePortRange: string;
}

function ipToInt(ip: string): number {
  return ip.split('.').reduce((acc, part) => acc * 256 + Number(part), 0);
}

function intToIp(n: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');
}

export function parseCidr(cidr: string): { first: number; size: number } {
  const [base, bits] = cidr.split('/');
  const size = 2 ** (32 - Number(bits));
  const first = Math.floor(ipToInt(base) / size) * size;
  return { first, size };
}

export function cidrContains(cidr: string, ip: string): boolean {
  const { first, size } = parseCidr(cidr);
  const n = ipToInt(ip);
  return /^\d+\.\d+\.\d+\.\d+$/.test(ip) && n >= first && n < first + size;
}

export function parsePortRange(range: string): { min: number; max: number } {
  const [min, max] = range.split('-').map(Number);
  return { min, max };
}

/** The first address of the range is the `kubernetes` Service's, as in Kubernetes. */
export function firstServiceIP(serviceCIDR: string): string {
  return intToIp(parseCidr(serviceCIDR).first + 1);
}

export function freeClusterIP(ranges: ServiceRanges, services: KubeObject[]): string | undefined {
  const { first, size } = parseCidr(ranges.serviceCIDR);
  const used = new Set(services.map((s) => s.spec?.clusterIP).filter(Boolean));
  // Skip the network address; start at a random offset so IPs do not look sequential.
  const start = 1 + Math.floor(Math.random() * (size - 2));
  for (let i = 0; i < size - 2; i++) {
    const candidate = intToIp(first + 1 + ((start - 1 + i) % (size - 2)));
    if (!used.has(candidate)) return candidate;
  }
  return undefined;
}

export function freeNodePort(ranges: ServiceRanges, services: KubeObject[], taken: Set<number> = new Set()): number | undefined {
  const { min, max } = parsePortRange(ranges.nodePortRange);
  const used = new Set<number>(taken);
  for (const s of services) for (const p of s.spec?.ports ?? []) if (p.nodePort) used.add(p.nodePort);
  const span = max - min + 1;
  const start = Math.floor(Math.random() * span);
  for (let i = 0; i < span; i++) {
    const candidate = min + ((start + i) % span);
    if (!used.has(candidate)) return candidate;
  }
  return undefined;
}
