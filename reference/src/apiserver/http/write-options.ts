// The options every write takes in its query (dryRun, fieldValidation), checked before
// the write runs: a value the server does not know is an error, never ignored, so that
// `dryRun=true` cannot write for real.
//
// Kubernetes: each handler decodes CreateOptions / UpdateOptions / PatchOptions /
// DeleteOptions and validates them (ValidateDryRun and ValidateFieldValidation in
// k8s.io/apimachinery/pkg/apis/meta/v1/validation/validation.go), answering
// 422 Invalid with the options' kind, e.g.
// `CreateOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value: "true": supported values: "All"`.

import { invalidOptions, type FieldError } from '../errors.ts';
import { notSupported } from '../validation/field-errors.ts';

const OPTIONS_KIND: Record<string, string> = { POST: 'CreateOptions', PUT: 'UpdateOptions', PATCH: 'PatchOptions', DELETE: 'DeleteOptions' };
const FIELD_VALIDATION = ['Ignore', 'Strict', 'Warn'];

/** dryRun holds only "All" (the one value Kubernetes defines). */
export function dryRunErrors(values: unknown[]): FieldError[] {
  return values.filter((v) => v !== 'All').map((v) => notSupported('dryRun', v, ['All']));
}

/** Throws 422 when a write's query carries a dryRun or fieldValidation value Kubernetes does not define. */
export function checkWriteOptions(method: string, query: URLSearchParams): void {
  const kind = OPTIONS_KIND[method];
  if (!kind) return;
  const errors = dryRunErrors(query.getAll('dryRun'));
  const directive = query.get('fieldValidation');
  if (method !== 'DELETE' && directive !== null && directive !== '' && !FIELD_VALIDATION.includes(directive)) {
    errors.push(notSupported('fieldValidation', directive, FIELD_VALIDATION));
  }
  if (errors.length) throw invalidOptions(kind, errors);
}
