// Validation of Deployments and ReplicaSets (pkg/apis/apps/validation/validation.go).

import type { KubeObject, LabelSelector } from '../../api/types.ts';
import type { FieldError } from '../errors.ts';
import { jsonEqual } from '../../api/objects.ts';
import { required, invalidValue, notSupported, immutable } from './field-errors.ts';
import { validateLabels } from './meta.ts';
import { validatePodTemplate } from './pod.ts';
import { matchesLabels, selectorFromLabelSelector } from '../../api/labels.ts';

const SELECTOR_OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist'];

function nonNegativeInt(value: unknown, field: string): FieldError[] {
  if (value === undefined) return [];
  if (typeof value !== 'number' || !Number.isInteger(value)) return [invalidValue(field, value, 'must be an integer')];
  if (value < 0) return [invalidValue(field, value, 'must be greater than or equal to 0')];
  return [];
}

/** metav1 LabelSelector validation (apimachinery/pkg/apis/meta/v1/validation). */
export function validateLabelSelector(sel: LabelSelector, field: string): FieldError[] {
  const errs = validateLabels(sel.matchLabels, `${field}.matchLabels`);
  (sel.matchExpressions ?? []).forEach((req, i) => {
    const f = `${field}.matchExpressions[${i}]`;
    if (!SELECTOR_OPERATORS.includes(req.operator)) errs.push(notSupported(`${f}.operator`, req.operator, SELECTOR_OPERATORS));
    const hasValues = Array.isArray(req.values) && req.values.length > 0;
    if ((req.operator === 'In' || req.operator === 'NotIn') && !hasValues) {
      errs.push(required(`${f}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
    }
    if ((req.operator === 'Exists' || req.operator === 'DoesNotExist') && hasValues) {
      errs.push({ reason: 'FieldValueForbidden', field: `${f}.values`, message: "Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'" });
    }
  });
  return errs;
}

/** The part Deployments and ReplicaSets share: replicas, selector, template, and that the selector selects the template. */
function validateWorkloadSpec(obj: KubeObject): FieldError[] {
  const spec = obj.spec;
  if (!spec || typeof spec !== 'object') return [required('spec')];
  const errs = [...nonNegativeInt(spec.replicas, 'spec.replicas'), ...nonNegativeInt(spec.minReadySeconds, 'spec.minReadySeconds')];
  const selector: LabelSelector | undefined = spec.selector;
  if (!selector) {
    errs.push(required('spec.selector'));
  } else if (!selector.matchLabels && !(selector.matchExpressions ?? []).length) {
    errs.push(invalidValue('spec.selector', selector, 'empty selector is invalid for deployment'));
  } else {
    const selectorErrs = validateLabelSelector(selector, 'spec.selector');
    errs.push(...selectorErrs);
    if (selectorErrs.length === 0) {
      const labels = spec.template?.metadata?.labels ?? {};
      if (!matchesLabels(selectorFromLabelSelector(selector), labels)) {
        errs.push(invalidValue('spec.template.metadata.labels', labels, '`selector` does not match template `labels`'));
      }
    }
  }
  errs.push(...validatePodTemplate(spec.template, 'spec.template'));
  const restartPolicy = spec.template?.spec?.restartPolicy;
  if (restartPolicy !== undefined && restartPolicy !== 'Always') {
    errs.push(notSupported('spec.template.spec.restartPolicy', restartPolicy, ['Always']));
  }
  return errs;
}

/** maxSurge/maxUnavailable: an int ≥ 0 or a percentage; not both zero (ValidateRollingUpdateDeployment). */
function validateStrategy(strategy: any): FieldError[] {
  if (!strategy) return [];
  const types = ['Recreate', 'RollingUpdate'];
  if (strategy.type !== undefined && !types.includes(strategy.type)) return [notSupported('spec.strategy.type', strategy.type, types)];
  const ru = strategy.rollingUpdate;
  if (!ru) return [];
  if (strategy.type === 'Recreate') {
    return [{ reason: 'FieldValueForbidden', field: 'spec.strategy.rollingUpdate', message: "Forbidden: may not be specified when strategy `type` is 'Recreate'" }];
  }
  const errs: FieldError[] = [];
  const isZero = (v: unknown) => v === 0 || v === '0%';
  for (const key of ['maxSurge', 'maxUnavailable']) {
    const v = ru[key];
    if (v === undefined) continue;
    const field = `spec.strategy.rollingUpdate.${key}`;
    if (typeof v === 'number') errs.push(...nonNegativeInt(v, field));
    else if (typeof v !== 'string' || !/^\d+%$/.test(v)) errs.push(invalidValue(field, v, "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')"));
    else if (key === 'maxUnavailable' && parseInt(v, 10) > 100) errs.push(invalidValue(field, v, 'must not be greater than 100%'));
  }
  if (isZero(ru.maxSurge ?? '25%') && isZero(ru.maxUnavailable ?? '25%')) {
    errs.push(invalidValue('spec.strategy.rollingUpdate.maxUnavailable', ru.maxUnavailable, 'may not be 0 when `maxSurge` is 0'));
  }
  return errs;
}

export function validateDeployment(obj: KubeObject): FieldError[] {
  return [
    ...validateWorkloadSpec(obj),
    ...validateStrategy(obj.spec?.strategy),
    ...nonNegativeInt(obj.spec?.revisionHistoryLimit, 'spec.revisionHistoryLimit'),
    ...validateProgressDeadline(obj.spec),
  ];
}

/** progressDeadlineSeconds ≥ 0 and > minReadySeconds: a pod must be able to become available in time (ValidateDeploymentSpec). */
function validateProgressDeadline(spec: any): FieldError[] {
  const deadline = spec?.progressDeadlineSeconds;
  if (deadline === undefined || deadline === null) return [];
  const errs = nonNegativeInt(deadline, 'spec.progressDeadlineSeconds');
  if (!errs.length && deadline <= (spec.minReadySeconds ?? 0)) {
    errs.push(invalidValue('spec.progressDeadlineSeconds', deadline, 'must be greater than minReadySeconds'));
  }
  return errs;
}

export function validateReplicaSet(obj: KubeObject): FieldError[] {
  return validateWorkloadSpec(obj);
}

/** spec.selector is immutable in apps/v1 (ValidateDeploymentUpdate, ValidateReplicaSetUpdate). */
export function validateSelectorUnchanged(next: KubeObject, prev: KubeObject): FieldError[] {
  if (!jsonEqual(next.spec?.selector, prev.spec?.selector)) return [immutable('spec.selector', next.spec?.selector)];
  return [];
}
