// Checking a request body against the kind's schema, as `fieldValidation` asks.
//
// Kubernetes decodes JSON into typed structs, so a field it does not know is either
// dropped with a warning (fieldValidation=Warn, the default), dropped silently
// (Ignore), or a 400 BadRequest (Strict, which kubectl sends). A value of the wrong
// type (a string where a number belongs) is always a 400.
// The schemas are the same ones served at /openapi/v3 (openapi/schemas.json).

import type { KubeObject } from '../api/types.ts';
import { badRequest } from './errors.ts';
import { groupVersion, type ResourceType } from './resources.ts';
import schemas from './openapi/schemas.json' with { type: 'json' };
import type { RequestContext } from './handlers/context.ts';

interface Schema {
  type?: string;
  format?: string;
  properties?: Record<string, Schema>;
  additionalProperties?: Schema | boolean;
  items?: Schema;
  allOf?: { $ref: string }[];
  $ref?: string;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-group-version-kind'?: { group: string; version: string; kind: string }[];
}

const SCHEMAS = schemas as unknown as Record<string, Schema>;

function resolve(schema: Schema): Schema {
  const ref = schema.$ref ?? schema.allOf?.[0]?.$ref;
  if (!ref) return schema;
  const target = SCHEMAS[ref.replace('#/components/schemas/', '')];
  return target ? resolve(target) : {};
}

const kindSchemas = new Map<string, Schema>();
for (const schema of Object.values(SCHEMAS)) {
  for (const gvk of schema['x-kubernetes-group-version-kind'] ?? []) {
    kindSchemas.set(`${gvk.group ? `${gvk.group}/` : ''}${gvk.version}/${gvk.kind}`, schema);
  }
}

interface Problems {
  /** Paths of fields the schema does not have, and where they sit (to drop them). */
  unknown: string[];
  drop: (() => void)[];
  wrongType: string[];
}

function typeOf(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (value === null) return 'null';
  return typeof value === 'number' ? (Number.isInteger(value) ? 'integer' : 'number') : typeof value;
}

function walk(value: unknown, schema: Schema, path: string, problems: Problems): void {
  const s = resolve(schema);
  if (value === null || value === undefined) return; // null clears a field
  if (s['x-kubernetes-int-or-string']) {
    if (typeof value !== 'string' && typeof value !== 'number') problems.wrongType.push(`${path}: expected an integer or a string, got ${typeOf(value)}`);
    return;
  }
  if (s['x-kubernetes-preserve-unknown-fields']) return;
  const actual = typeOf(value);
  switch (s.type) {
    case 'string':
      if (actual !== 'string') problems.wrongType.push(`${path}: expected string, got ${actual}`);
      return;
    case 'integer':
      if (actual !== 'integer') problems.wrongType.push(`${path}: expected integer, got ${actual}`);
      return;
    case 'number':
      if (actual !== 'integer' && actual !== 'number') problems.wrongType.push(`${path}: expected number, got ${actual}`);
      return;
    case 'boolean':
      if (actual !== 'boolean') problems.wrongType.push(`${path}: expected boolean, got ${actual}`);
      return;
    case 'array':
      if (actual !== 'array') problems.wrongType.push(`${path}: expected array, got ${actual}`);
      else if (s.items) (value as unknown[]).forEach((v, i) => walk(v, s.items!, `${path}[${i}]`, problems));
      return;
  }
  if (s.properties || typeof s.additionalProperties === 'object') {
    if (actual !== 'object') {
      problems.wrongType.push(`${path}: expected object, got ${actual}`);
      return;
    }
    for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
      const childPath = path ? `${path}.${key}` : key;
      const known = s.properties?.[key];
      if (known) walk(child, known, childPath, problems);
      else if (typeof s.additionalProperties === 'object') walk(child, s.additionalProperties, childPath, problems);
      else if (!s.additionalProperties && !key.startsWith('$')) {
        problems.unknown.push(childPath);
        problems.drop.push(() => delete (value as Record<string, unknown>)[key]);
      }
    }
  }
}

/** The unknown fields and type errors of obj, as Kubernetes reports them. */
export function findFieldProblems(resource: ResourceType, obj: KubeObject): Problems {
  const problems: Problems = { unknown: [], drop: [], wrongType: [] };
  const schema = kindSchemas.get(`${groupVersion(resource)}/${resource.kind}`);
  if (schema) walk(obj, schema, '', problems);
  return problems;
}

/** Applies the request's fieldValidation directive (Strict, Warn or Ignore) to obj, in place. */
export function checkUnknownFields(ctx: RequestContext, obj: KubeObject): void {
  const problems = findFieldProblems(ctx.resource, obj);
  if (problems.wrongType.length) {
    throw badRequest(`${ctx.resource.kind} in version "${ctx.resource.version}" cannot be handled as a ${ctx.resource.kind}: ${problems.wrongType.join(', ')}`);
  }
  if (!problems.unknown.length) return;
  const directive = ctx.query.get('fieldValidation') ?? 'Warn';
  if (directive === 'Strict') {
    const list = problems.unknown.map((f) => `unknown field "${f}"`).join(', ');
    throw badRequest(`strict decoding error: ${list}`);
  }
  // Warn and Ignore: the object is stored without the fields, as Kubernetes' decoder drops them.
  for (const drop of problems.drop) drop();
  if (directive === 'Warn') {
    ctx.res.setHeader('Warning', problems.unknown.map((f) => `299 - "unknown field \\"${f}\\""`));
  }
}
