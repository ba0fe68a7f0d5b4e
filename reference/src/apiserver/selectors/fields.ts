// Field selectors: the `?fieldSelector=` query string.
//
// Much simpler than label selectors: only `=`, `==` and `!=`, joined by commas
// (AND), and each kind accepts a fixed list of fields. Parsing follows
// k8s.io/apimachinery/pkg/fields/selector.go; the list of fields per kind and
// the error for an unknown one come from the AddFieldLabelConversionFunc calls
// in pkg/apis/core/v1/conversion.go and from DefaultMetaV1FieldSelectorConversion
// in k8s.io/apimachinery/pkg/runtime/conversion.go.

import { SelectorError } from '../../api/labels.ts';

export { SelectorError };

export type FieldOperator = '=' | '==' | '!=';

export interface FieldRequirement {
  /** A dotted path into the object, e.g. `spec.nodeName` (after aliases are applied). */
  field: string;
  operator: FieldOperator;
  /** The wanted value; may be empty (`spec.nodeName=` selects unscheduled pods). */
  value: string;
}

/** Every kind accepts these two (DefaultMetaV1FieldSelectorConversion). */
const ALWAYS_ALLOWED = ['metadata.name', 'metadata.namespace'];

/**
 * Booleans Kubernetes always sets when it builds the selectable fields, so a
 * missing one reads as "false" rather than "": pod spec.hostNetwork
 * (pkg/registry/core/pod/strategy.go ToSelectableFields) and node
 * spec.unschedulable (pkg/registry/core/node/strategy.go NodeToSelectableFields).
 */
const FALSE_WHEN_MISSING = ['spec.hostNetwork', 'spec.unschedulable'];

/** Splits on commas that are not escaped with a backslash (splitTerms). */
function splitTerms(selector: string): string[] {
  const terms: string[] = [];
  let start = 0;
  let escaped = false;
  for (let i = 0; i < selector.length; i++) {
    const ch = selector[i];
    if (escaped) escaped = false;
    else if (ch === '\\') escaped = true;
    else if (ch === ',') {
      terms.push(selector.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(selector.slice(start));
  return terms;
}

/** Splits one term at the first operator; `!=` and `==` win over `=` at the same position (splitTerm). */
function splitTerm(term: string): { field: string; operator: FieldOperator; rawValue: string } | null {
  for (let i = 0; i < term.length; i++) {
    for (const operator of ['!=', '==', '='] as const) {
      if (term.startsWith(operator, i)) {
        return { field: term.slice(0, i), operator, rawValue: term.slice(i + operator.length) };
      }
    }
  }
  return null;
}

/** Values may escape `\`, `,` and `=` with a backslash; an unescaped `=` is an error (UnescapeValue). */
function unescapeValue(raw: string): string {
  let out = '';
  let escaped = false;
  for (const ch of raw) {
    if (escaped) {
      if (ch !== '\\' && ch !== ',' && ch !== '=') {
        throw new SelectorError(`invalid field selector: invalid escape sequence: \\${ch}`);
      }
      out += ch;
      escaped = false;
    } else if (ch === '\\') {
      escaped = true;
    } else if (ch === ',' || ch === '=') {
      throw new SelectorError(`invalid field selector: unescaped character in value: ${ch}`);
    } else {
      out += ch;
    }
  }
  if (escaped) throw new SelectorError('invalid field selector: invalid escape sequence: \\');
  return out;
}

/**
 * Parses `?fieldSelector=`, e.g. `spec.nodeName=node1,status.phase!=Failed`.
 *
 * @param extraFields the fields this kind accepts besides metadata.name and
 *   metadata.namespace (ResourceType.fieldSelectors).
 * @param aliases legacy names rewritten before checking, e.g. for pods
 *   `{ 'spec.host': 'spec.nodeName' }` (pkg/apis/core/v1/conversion.go).
 * @throws SelectorError for a term without an operator, a bad escape, or a field the kind does not know.
 */
export function parseFieldSelector(
  selector: string,
  extraFields: string[] = [],
  aliases: Record<string, string> = {},
): FieldRequirement[] {
  const allowed = [...ALWAYS_ALLOWED, ...extraFields];
  const requirements: FieldRequirement[] = [];
  // Kubernetes sorts the terms; the order never changes the result, only the error reported first.
  for (const term of splitTerms(selector).sort()) {
    if (term === '') continue;
    const parts = splitTerm(term);
    if (!parts) throw new SelectorError(`invalid selector: '${selector}'; can't understand '${term}'`);
    const value = unescapeValue(parts.rawValue);
    const field = aliases[parts.field] ?? parts.field;
    if (!allowed.includes(field)) {
      const only = allowed.map((f) => JSON.stringify(f)).join(', ');
      throw new SelectorError(`${JSON.stringify(parts.field)} is not a known field selector: only ${only}`);
    }
    requirements.push({ field, operator: parts.operator, value });
  }
  return requirements;
}

/** Reads a dotted path; a missing step gives undefined. */
function readPath(obj: unknown, path: string): unknown {
  let current: unknown = obj;
  for (const step of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[step];
  }
  return current;
}

/** Scalars as strings (true → "true", 3 → "3"); missing or non-scalar → "". */
function asString(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return '';
}

/**
 * The values a field has on an object. Usually one string; `status.podIPs` is
 * a list of `{ip}` and gives one entry per address, so `status.podIPs=10.0.0.5`
 * matches a pod that has that address among several.
 */
export function fieldValues(obj: unknown, field: string): string[] {
  const value = readPath(obj, field);
  if (field === 'status.podIPs') {
    const ips = Array.isArray(value) ? value.map((entry) => asString(readPath(entry, 'ip'))) : [];
    return ips.length > 0 ? ips : [''];
  }
  if (value === undefined && FALSE_WHEN_MISSING.includes(field)) return ['false'];
  return [asString(value)];
}

/** Whether the object satisfies every requirement. An empty list matches everything. */
export function matchesFields(requirements: FieldRequirement[], obj: unknown): boolean {
  return requirements.every((req) => {
    const found = fieldValues(obj, req.field).includes(req.value);
    return req.operator === '!=' ? !found : found;
  });
}
