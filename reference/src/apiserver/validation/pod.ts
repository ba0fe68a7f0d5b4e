// Validation of pods and pod templates (pkg/apis/core/validation/validation.go:
// ValidatePodSpec, validateContainers, validateContainerPorts, ValidatePodUpdate).

import type { KubeObject } from '../../api/types.ts';
import type { FieldError } from '../errors.ts';
import { required, invalidValue, notSupported, duplicate, forbiddenField } from './field-errors.ts';
import { isDns1123Label, isDns1123Subdomain } from './names.ts';
import { validateLabels } from './meta.ts';
import { sortKeys } from '../../api/objects.ts';

const RESTART_POLICIES = ['Always', 'OnFailure', 'Never'];
const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'];
const PROTOCOLS = ['TCP', 'UDP', 'SCTP'];

function validatePort(value: unknown, field: string): FieldError[] {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 65535) {
    return [invalidValue(field, value, 'must be between 1 and 65535, inclusive')];
  }
  return [];
}

function validateContainer(c: any, field: string, volumeNames: Set<string>): FieldError[] {
  const errs: FieldError[] = [];
  if (!c || typeof c !== 'object') return [invalidValue(field, c, 'must be an object')];
  if (!c.name) errs.push(required(`${field}.name`));
  else for (const e of isDns1123Label(String(c.name))) errs.push(invalidValue(`${field}.name`, c.name, e));
  if (!c.image || typeof c.image !== 'string' || c.image.trim() === '') errs.push(required(`${field}.image`));
  if (c.imagePullPolicy !== undefined && !PULL_POLICIES.includes(c.imagePullPolicy)) {
    errs.push(notSupported(`${field}.imagePullPolicy`, c.imagePullPolicy, PULL_POLICIES));
  }
  const portNames = new Set<string>();
  (Array.isArray(c.ports) ? c.ports : []).forEach((p: any, i: number) => {
    const pf = `${field}.ports[${i}]`;
    errs.push(...validatePort(p?.containerPort, `${pf}.containerPort`));
    if (p?.protocol !== undefined && !PROTOCOLS.includes(p.protocol)) errs.push(notSupported(`${pf}.protocol`, p.protocol, PROTOCOLS));
    if (p?.name !== undefined) {
      if (portNames.has(p.name)) errs.push(duplicate(`${pf}.name`, p.name));
      portNames.add(p.name);
    }
  });
  (Array.isArray(c.env) ? c.env : []).forEach((e: any, i: number) => {
    if (!e?.name) errs.push(required(`${field}.env[${i}].name`));
  });
  (Array.isArray(c.volumeMounts) ? c.volumeMounts : []).forEach((m: any, i: number) => {
    const mf = `${field}.volumeMounts[${i}]`;
    if (!m?.name) errs.push(required(`${mf}.name`));
    else if (!volumeNames.has(m.name)) errs.push({ reason: 'FieldValueNotFound', field: `${mf}.name`, message: `Not found: ${JSON.stringify(m.name)}` });
    if (!m?.mountPath) errs.push(required(`${mf}.mountPath`));
  });
  return errs;
}

/** Validates a PodSpec found at `field` (spec, or spec.template.spec in a workload). */
export function validatePodSpec(spec: any, field: string): FieldError[] {
  if (!spec || typeof spec !== 'object') return [required(field)];
  const errs: FieldError[] = [];
  const volumeNames = new Set<string>();
  (Array.isArray(spec.volumes) ? spec.volumes : []).forEach((v: any, i: number) => {
    const vf = `${field}.volumes[${i}]`;
    if (!v?.name) errs.push(required(`${vf}.name`));
    else {
      for (const e of isDns1123Label(v.name)) errs.push(invalidValue(`${vf}.name`, v.name, e));
      if (volumeNames.has(v.name)) errs.push(duplicate(`${vf}.name`, v.name));
      volumeNames.add(v.name);
    }
  });
  if (!Array.isArray(spec.containers) || spec.containers.length === 0) {
    errs.push(required(`${field}.containers`));
  } else {
    const names = new Set<string>();
    const all = [...(spec.initContainers ?? []).map((c: any, i: number) => [c, `${field}.initContainers[${i}]`]),
      ...spec.containers.map((c: any, i: number) => [c, `${field}.containers[${i}]`])];
    for (const [c, cf] of all) {
      errs.push(...validateContainer(c, cf, volumeNames));
      if (c?.name && names.has(c.name)) errs.push(duplicate(`${cf}.name`, c.name));
      if (c?.name) names.add(c.name);
    }
  }
  if (spec.restartPolicy !== undefined && !RESTART_POLICIES.includes(spec.restartPolicy)) {
    errs.push(notSupported(`${field}.restartPolicy`, spec.restartPolicy, RESTART_POLICIES));
  }
  if (spec.terminationGracePeriodSeconds !== undefined &&
      (!Number.isInteger(spec.terminationGracePeriodSeconds) || spec.terminationGracePeriodSeconds < 0)) {
    errs.push(invalidValue(`${field}.terminationGracePeriodSeconds`, spec.terminationGracePeriodSeconds, 'must be greater than or equal to 0'));
  }
  if (spec.nodeName) {
    for (const e of isDns1123Subdomain(spec.nodeName)) errs.push(invalidValue(`${field}.nodeName`, spec.nodeName, e));
  }
  return errs;
}

export function validatePod(pod: KubeObject): FieldError[] {
  return validatePodSpec(pod.spec, 'spec');
}

/** Pod templates inside workloads: labels plus a pod spec. */
export function validatePodTemplate(template: any, field: string): FieldError[] {
  if (!template || typeof template !== 'object') return [required(field)];
  return [
    ...validateLabels(template.metadata?.labels, `${field}.metadata.labels`),
    ...validatePodSpec(template.spec, `${field}.spec`),
  ];
}

/**
 * A pod's spec is immutable except for container images, activeDeadlineSeconds and
 * added tolerations (ValidatePodUpdate). Binding goes through pods/binding, not an update.
 */
export function validatePodUpdate(next: KubeObject, prev: KubeObject): FieldError[] {
  const strip = (spec: any) => {
    const copy = structuredClone(spec ?? {});
    for (const c of [...(copy.containers ?? []), ...(copy.initContainers ?? [])]) delete c.image;
    delete copy.activeDeadlineSeconds;
    delete copy.tolerations;
    return JSON.stringify(sortKeys(copy));
  };
  if (strip(next.spec) !== strip(prev.spec)) {
    return [forbiddenField('spec', 'pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)')];
  }
  return [];
}

