// Integer query parameters (limit, timeoutSeconds, gracePeriodSeconds), read as
// Kubernetes reads them: base-10 digits with an optional sign, nothing else.
//
// kube-apiserver decodes query parameters into ListOptions / DeleteOptions with
// strconv.ParseInt(s, 10, 64) (Convert_Slice_string_To_int64 in
// k8s.io/apimachinery/pkg/runtime/conversion.go); a value that does not parse is
// a 400 BadRequest. JavaScript's Number() would take "0x10", "1e3" or "" instead.

import { badRequest } from '../errors.ts';

/** The parameter as an integer, undefined when absent; 400 when it is not a base-10 integer. */
export function integerParam(query: URLSearchParams, name: string): number | undefined {
  const raw = query.get(name);
  if (raw === null) return undefined;
  const value = Number(raw);
  if (!/^[+-]?\d+$/.test(raw) || !Number.isSafeInteger(value)) {
    throw badRequest(`${name}: Invalid value: "${raw}": strconv.ParseInt: parsing "${raw}": invalid syntax`);
  }
  return value;
}
