// EndpointSlice validation (pkg/apis/discovery/validation/validation.go,
// ValidateEndpointSlice and ValidateEndpointSliceUpdate), reduced to what a
// client is likely to get wrong: the address type, and endpoints without a
// usable address.

import type { KubeObject } from '../../api/types.ts';
import type { FieldError } from '../errors.ts';
import { immutable, invalidValue, notSupported, required } from './field-errors.ts';

const ADDRESS_TYPES = ['IPv4', 'IPv6', 'FQDN'];
/** An endpoint carries at most this many addresses (maxAddresses). */
const MAX_ADDRESSES = 100;
/** A slice carries at most this many endpoints (maxEndpoints). */
const MAX_ENDPOINTS = 1000;

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

export function validateEndpointSlice(slice: KubeObject): FieldError[] {
  const errors: FieldError[] = [];
  const addressType = slice.addressType;
  if (!addressType) errors.push(required('addressType'));
  else if (!ADDRESS_TYPES.includes(addressType)) errors.push(notSupported('addressType', addressType, ADDRESS_TYPES));

  const endpoints: any[] = slice.endpoints ?? [];
  if (endpoints.length > MAX_ENDPOINTS) errors.push({ reason: 'FieldValueTooMany', field: 'endpoints', message: `Too many: ${endpoints.length}: must have at most ${MAX_ENDPOINTS} items` });
  endpoints.forEach((endpoint, i) => {
    const field = `endpoints[${i}].addresses`;
    const addresses: unknown[] = endpoint?.addresses ?? [];
    if (addresses.length === 0) errors.push(required(field, 'must contain at least 1 address'));
    if (addresses.length > MAX_ADDRESSES) errors.push({ reason: 'FieldValueTooMany', field, message: `Too many: ${addresses.length}: must have at most ${MAX_ADDRESSES} items` });
    addresses.forEach((address, j) => {
      if (addressType === 'IPv4' && (typeof address !== 'string' || !IPV4.test(address))) {
        errors.push(invalidValue(`${field}[${j}]`, address, 'must be a valid IPv4 address'));
      }
    });
  });
  return errors;
}

export function validateEndpointSliceUpdate(next: KubeObject, prev: KubeObject): FieldError[] {
  return next.addressType !== prev.addressType ? [immutable('addressType', next.addressType)] : [];
}
