// Validation of PodDisruptionBudgets (ValidatePodDisruptionBudgetSpec in
// pkg/apis/policy/validation/validation.go).

import type { KubeObject } from '../../api/types.ts';
import type { FieldError } from '../errors.ts';
import { invalidValue, notSupported } from './field-errors.ts';
import { validateLabelSelector } from './apps.ts';

const EVICTION_POLICIES = ['IfHealthyBudget', 'AlwaysAllow'];

/** An int >= 0 or a "N%" string with N <= 100 (ValidatePositiveIntOrPercent, IsNotMoreThan100Percent). */
function intOrPercent(value: unknown, field: string): FieldError[] {
  if (value === undefined || value === null) return [];
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) return [invalidValue(field, value, 'must be an integer')];
    return value < 0 ? [invalidValue(field, value, 'must be greater than or equal to 0')] : [];
  }
  if (typeof value !== 'string' || !/^[0-9]+%$/.test(value)) {
    return [invalidValue(field, value, "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')")];
  }
  return parseInt(value, 10) > 100 ? [invalidValue(field, value, 'must not be greater than 100%')] : [];
}

export function validatePodDisruptionBudget(pdb: KubeObject): FieldError[] {
  const spec = pdb.spec ?? {};
  const errs: FieldError[] = [];
  // A budget says how many pods must stay, or how many may go: never both.
  if (spec.minAvailable != null && spec.maxUnavailable != null) {
    errs.push(invalidValue('spec', spec, 'minAvailable and maxUnavailable cannot be both set'));
  }
  errs.push(...intOrPercent(spec.minAvailable, 'spec.minAvailable'), ...intOrPercent(spec.maxUnavailable, 'spec.maxUnavailable'));
  if (spec.selector) errs.push(...validateLabelSelector(spec.selector, 'spec.selector'));
  if (spec.unhealthyPodEvictionPolicy !== undefined && !EVICTION_POLICIES.includes(spec.unhealthyPodEvictionPolicy)) {
    errs.push(notSupported('spec.unhealthyPodEvictionPolicy', spec.unhealthyPodEvictionPolicy, EVICTION_POLICIES));
  }
  return errs;
}
