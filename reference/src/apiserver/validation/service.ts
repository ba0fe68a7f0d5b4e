// Validation of Services (pkg/apis/core/validation/validation.go: ValidateService).

import type { KubeObject } from '../../api/types.ts';
import type { FieldError } from '../errors.ts';
import { required, invalidValue, notSupported, duplicate, immutable } from './field-errors.ts';
import { isDns1123Label } from './names.ts';
import { validateLabels } from './meta.ts';

const TYPES = ['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'];
const PROTOCOLS = ['TCP', 'UDP', 'SCTP'];

function inPortRange(value: unknown): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 65535;
}

export function validateService(svc: KubeObject): FieldError[] {
  const spec = svc.spec;
  if (!spec || typeof spec !== 'object') return [required('spec')];
  const errs: FieldError[] = [];
  if (spec.type !== undefined && !TYPES.includes(spec.type)) errs.push(notSupported('spec.type', spec.type, TYPES));
  const ports = Array.isArray(spec.ports) ? spec.ports : [];
  if (ports.length === 0 && spec.type !== 'ExternalName' && spec.clusterIP !== 'None') errs.push(required('spec.ports'));
  const seen = new Set<string>();
  const names = new Set<string>();
  ports.forEach((p: any, i: number) => {
    const f = `spec.ports[${i}]`;
    if (ports.length > 1 && !p?.name) errs.push(required(`${f}.name`));
    if (p?.name) {
      // A port name is an RFC 1123 label (validateServicePort), so `kubectl create service --tcp=8080:80`'s "8080-80" is valid.
      for (const e of isDns1123Label(p.name)) errs.push(invalidValue(`${f}.name`, p.name, e));
      if (names.has(p.name)) errs.push(duplicate(`${f}.name`, p.name));
      names.add(p.name);
    }
    if (!inPortRange(p?.port)) errs.push(invalidValue(`${f}.port`, p?.port, 'must be between 1 and 65535, inclusive'));
    if (p?.protocol !== undefined && !PROTOCOLS.includes(p.protocol)) errs.push(notSupported(`${f}.protocol`, p.protocol, PROTOCOLS));
    const tp = p?.targetPort;
    if (typeof tp === 'number' && !inPortRange(tp)) errs.push(invalidValue(`${f}.targetPort`, tp, 'must be between 1 and 65535, inclusive'));
    if (typeof tp === 'string' && !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(tp)) errs.push(invalidValue(`${f}.targetPort`, tp, 'must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)'));
    if (p?.nodePort !== undefined && spec.type !== 'NodePort' && spec.type !== 'LoadBalancer') {
      errs.push({ reason: 'FieldValueForbidden', field: `${f}.nodePort`, message: 'Forbidden: may not be used when `type` is \'ClusterIP\'' });
    }
    const key = `${p?.port}/${p?.protocol ?? 'TCP'}`;
    if (seen.has(key)) errs.push(duplicate(`spec.ports[${i}]`, { port: p?.port, protocol: p?.protocol ?? 'TCP' }));
    seen.add(key);
  });
  if (spec.selector !== undefined) errs.push(...validateLabels(spec.selector, 'spec.selector'));
  return errs;
}

/** spec.clusterIP cannot change once allocated (ValidateServiceUpdate). */
export function validateServiceUpdate(next: KubeObject, prev: KubeObject): FieldError[] {
  const before = prev.spec?.clusterIP;
  const after = next.spec?.clusterIP;
  if (before && after !== undefined && after !== '' && after !== before) return [immutable('spec.clusterIP', after)];
  return [];
}
