// The OpenAPI v3 documents this API server publishes at /openapi/v3.
//
// Why kubectl needs them:
//  * `kubectl create -f`, `apply -f` and `replace -f` (with the default
//    --validate=strict) first ask whether the server checks unknown fields
//    itself. kubectl fetches GET /openapi/v3, a small index pointing at one
//    document per group version, then the document of the object's group
//    version, and looks there for a PATCH operation whose
//    x-kubernetes-group-version-kind is the object's kind and that takes a query
//    parameter named `fieldValidation`. If it finds one it sends
//    fieldValidation=Strict and leaves validation to the server. If not, it
//    falls back to the older /openapi/v2 (protobuf only), and the command fails.
//  * Client-side `kubectl apply` computes a strategic merge patch. It does that
//    from these schemas (the x-kubernetes-patch-merge-key and
//    x-kubernetes-patch-strategy extensions on list fields) when the kind's
//    PATCH operation accepts application/strategic-merge-patch+json.
//  * `kubectl explain` renders `components.schemas`: it finds the schema whose
//    x-kubernetes-group-version-kind matches, and prints `description`, `type`
//    and `required`, following `$ref`s into nested fields.
//
// The schemas themselves are generated ahead of time into schemas.json (see
// scripts/gen-openapi-schemas.ts). This file adds the `paths` section, built
// from the resource table, and picks the schemas each group version needs.
// Documents never change while the server runs, so each is built once.

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { RESOURCES, groupVersion, servedGroupVersions, type ResourceType, type SubresourceType } from '../resources.ts';

type Schema = Record<string, unknown>;
type Operation = Record<string, unknown>;
type PathItem = Record<string, unknown>;
interface GVK { group: string; version: string; kind: string }
interface Built { document: object; json: string; hash: string }

const KUBERNETES_VERSION = 'v1.32.0';
const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';

// ---------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------

/** The body of GET /openapi/v3: where each group version's document lives. */
export function openApiRoot(): object {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const gv of servedGroupVersions()) {
    const path = documentPath(gv);
    paths[path] = { serverRelativeURL: `/openapi/v3/${path}?hash=${build(path)!.hash}` };
  }
  return { paths };
}

/**
 * The document for one group version: "api/v1", "apis/apps/v1", ... Also accepts
 * a leading "/", a "/openapi/v3/" prefix and a "?hash=" query. Undefined for a
 * group version this server does not serve. The returned object is shared and frozen.
 */
export function openApiDocument(path: string): object | undefined {
  return build(normalize(path))?.document;
}

/** The same document already serialized, so a server need not stringify it per request. */
export function openApiDocumentJson(path: string): string | undefined {
  return build(normalize(path))?.json;
}

/**
 * A hash of the document's JSON (SHA-512, upper-case hex, as Kubernetes does).
 * It changes only when the document does, so clients may cache a URL with ?hash= forever.
 */
export function openApiHash(path: string): string | undefined {
  return build(normalize(path))?.hash;
}

// ---------------------------------------------------------------------------
// Building and caching documents
// ---------------------------------------------------------------------------

const cache = new Map<string, Built>();

function build(path: string): Built | undefined {
  const cached = cache.get(path);
  if (cached) return cached;
  const gv = servedGroupVersions().find((g) => documentPath(g) === path);
  if (!gv) return undefined;
  const document = deepFreeze(buildDocument(gv));
  const json = JSON.stringify(document);
  const hash = createHash('sha512').update(json).digest('hex').toUpperCase();
  const built = { document, json, hash };
  cache.set(path, built);
  return built;
}

function normalize(path: string): string {
  return path.split('?')[0].replace(/^\/+/, '').replace(/^openapi\/v3\//, '').replace(/\/+$/, '');
}

/** "api/v1" for the core group, "apis/<group>/<version>" otherwise: the same as the REST prefix. */
function documentPath(gv: { group: string; version: string }): string {
  return gv.group === '' ? `api/${gv.version}` : `apis/${gv.group}/${gv.version}`;
}

function buildDocument(gv: { group: string; version: string }): object {
  const paths: Record<string, PathItem> = {};
  for (const resource of RESOURCES) {
    if (resource.group === gv.group && resource.version === gv.version) Object.assign(paths, resourcePaths(resource));
  }
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: KUBERNETES_VERSION },
    paths,
    components: { schemas: schemasReferencedBy(paths) },
  };
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

// ---------------------------------------------------------------------------
// Schemas
// ---------------------------------------------------------------------------

let allSchemas: Record<string, Schema> | undefined;

/** Every generated schema, read once (it is a few hundred kilobytes of JSON). */
function schemas(): Record<string, Schema> {
  allSchemas ??= JSON.parse(readFileSync(new URL('./schemas.json', import.meta.url), 'utf8')) as Record<string, Schema>;
  return allSchemas;
}

/** The schema name of a kind, found by its x-kubernetes-group-version-kind extension. */
function schemaNameOf(gvk: GVK): string {
  for (const [name, schema] of Object.entries(schemas())) {
    const gvks = (schema['x-kubernetes-group-version-kind'] ?? []) as GVK[];
    if (gvks.some((g) => g.group === gvk.group && g.version === gvk.version && g.kind === gvk.kind)) return name;
  }
  throw new Error(`no OpenAPI schema for ${gvk.group}/${gvk.version} ${gvk.kind}; rerun scripts/gen-openapi-schemas.ts`);
}

function ref(schemaName: string): Schema {
  return { $ref: `#/components/schemas/${schemaName}` };
}

/** Every `$ref` target under `value`. */
function refsIn(value: unknown, found: Set<string>): void {
  if (Array.isArray(value)) {
    for (const item of value) refsIn(item, found);
  } else if (value && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      if (key === '$ref' && typeof child === 'string') found.add(child.replace('#/components/schemas/', ''));
      else refsIn(child, found);
    }
  }
}

/** The schemas the paths mention, plus everything those schemas mention in turn, sorted by name. */
function schemasReferencedBy(paths: object): Record<string, Schema> {
  const needed = new Set<string>();
  refsIn(paths, needed);
  const queue = [...needed];
  while (queue.length > 0) {
    const schema = schemas()[queue.pop()!];
    const more = new Set<string>();
    refsIn(schema, more);
    for (const name of more) if (!needed.has(name)) { needed.add(name); queue.push(name); }
  }
  const result: Record<string, Schema> = {};
  for (const name of [...needed].sort()) result[name] = schemas()[name];
  return result;
}

// ---------------------------------------------------------------------------
// Paths: one entry per URL, with an operation per HTTP method the verbs allow
// ---------------------------------------------------------------------------

function resourcePaths(resource: ResourceType): Record<string, PathItem> {
  const prefix = `/${resource.group === '' ? 'api' : 'apis'}/${groupVersion(resource)}`;
  const scope = resource.namespaced ? `${prefix}/namespaces/{namespace}/${resource.plural}` : `${prefix}/${resource.plural}`;
  const kind: GVK = { group: resource.group, version: resource.version, kind: resource.kind };
  const paths: Record<string, PathItem> = {};
  const add = (path: string, item: PathItem) => {
    if (Object.keys(item).some((k) => k !== 'parameters')) paths[path] = item;
  };

  add(scope, collectionOperations(resource, kind));
  add(`${scope}/{name}`, itemOperations(resource, kind));
  if (resource.namespaced && resource.verbs.includes('list')) {
    add(`${prefix}/${resource.plural}`, allNamespacesOperations(resource, kind));
  }
  for (const sub of resource.subresources) {
    add(`${scope}/{name}/${sub.name}`, subresourceOperations(resource, sub));
  }
  return paths;
}

/** GET (list), POST (create) and DELETE (deletecollection) on .../pods. */
function collectionOperations(resource: ResourceType, kind: GVK): PathItem {
  const item: PathItem = { parameters: pathParameters(resource, false) };
  const listKind = schemaNameOf({ ...kind, kind: `${kind.kind}List` });
  const kindSchema = schemaNameOf(kind);
  const named = (verb: string) => operationId(verb, resource, '', resource.namespaced);
  if (resource.verbs.includes('list')) {
    item.get = operation(resource, named('list'), 'list', kind, `list or watch objects of kind ${resource.kind}`, {
      parameters: LIST_PARAMETERS, responses: responses(listKind, ['200']),
    });
  }
  if (resource.verbs.includes('create')) {
    item.post = operation(resource, named('create'), 'post', kind, `create ${article(resource.kind)}`, {
      parameters: WRITE_PARAMETERS, requestBody: jsonBody(kindSchema), responses: responses(kindSchema, ['200', '201', '202']),
    });
  }
  if (resource.verbs.includes('deletecollection')) {
    item.delete = operation(resource, `delete${groupWord(resource)}${versionWord(resource)}Collection${resource.namespaced ? 'Namespaced' : ''}${resource.kind}`,
      'deletecollection', kind, `delete collection of ${resource.kind}`, {
        parameters: [...DELETE_PARAMETERS, ...LIST_PARAMETERS.filter((p) => p.name !== 'watch' && p.name !== 'allowWatchBookmarks')],
        requestBody: { content: { '*/*': { schema: ref(`${META}.DeleteOptions`) } } },
        responses: responses(`${META}.Status`, ['200']),
      });
  }
  return item;
}

/** GET, PUT, PATCH and DELETE on .../pods/{name}. */
function itemOperations(resource: ResourceType, kind: GVK): PathItem {
  const item: PathItem = { parameters: pathParameters(resource, true) };
  const kindSchema = schemaNameOf(kind);
  const named = (verb: string) => operationId(verb, resource, '', resource.namespaced);
  if (resource.verbs.includes('get')) {
    item.get = operation(resource, named('read'), 'get', kind, `read the specified ${resource.kind}`, {
      responses: responses(kindSchema, ['200']),
    });
  }
  if (resource.verbs.includes('update')) {
    item.put = operation(resource, named('replace'), 'put', kind, `replace the specified ${resource.kind}`, {
      parameters: WRITE_PARAMETERS, requestBody: jsonBody(kindSchema), responses: responses(kindSchema, ['200', '201']),
    });
  }
  if (resource.verbs.includes('patch')) {
    item.patch = operation(resource, named('patch'), 'patch', kind, `partially update the specified ${resource.kind}`, {
      parameters: PATCH_PARAMETERS, requestBody: PATCH_BODY, responses: responses(kindSchema, ['200', '201']),
    });
  }
  if (resource.verbs.includes('delete')) {
    item.delete = operation(resource, named('delete'), 'delete', kind, `delete ${article(resource.kind)}`, {
      parameters: DELETE_PARAMETERS,
      requestBody: { content: { '*/*': { schema: ref(`${META}.DeleteOptions`) } } },
      responses: responses(kindSchema, ['200', '202']),
    });
  }
  return item;
}

/** GET /api/v1/pods: the same list across every namespace. */
function allNamespacesOperations(resource: ResourceType, kind: GVK): PathItem {
  const listKind = schemaNameOf({ ...kind, kind: `${kind.kind}List` });
  return {
    parameters: [PRETTY],
    get: operation(resource, `${operationId('list', resource, '', false)}ForAllNamespaces`, 'list', kind,
      `list or watch objects of kind ${resource.kind}`, { parameters: LIST_PARAMETERS, responses: responses(listKind, ['200']) }),
  };
}

/** .../pods/{name}/status, /scale, /binding, /eviction, /log. */
function subresourceOperations(resource: ResourceType, sub: SubresourceType): PathItem {
  const item: PathItem = { parameters: pathParameters(resource, true) };
  const kind = sub.responseKind;
  const suffix = sub.name[0].toUpperCase() + sub.name.slice(1);
  const named = (verb: string) => operationId(verb, resource, suffix, resource.namespaced);
  const what = `${sub.name} of the specified ${resource.kind}`;
  if (sub.name === 'log') {
    item.get = operation(resource, named('read'), 'get', kind, `read log of the specified ${resource.kind}`, {
      parameters: LOG_PARAMETERS,
      responses: { '200': { description: 'OK', content: { 'text/plain': { schema: { type: 'string' } } } }, '401': UNAUTHORIZED },
    });
    return item;
  }
  const schema = schemaNameOf(kind);
  if (sub.verbs.includes('get')) {
    item.get = operation(resource, named('read'), 'get', kind, `read ${what}`, { responses: responses(schema, ['200']) });
  }
  if (sub.verbs.includes('update')) {
    item.put = operation(resource, named('replace'), 'put', kind, `replace ${what}`, {
      parameters: WRITE_PARAMETERS, requestBody: jsonBody(schema), responses: responses(schema, ['200', '201']),
    });
  }
  if (sub.verbs.includes('patch')) {
    item.patch = operation(resource, named('patch'), 'patch', kind, `partially update ${what}`, {
      parameters: PATCH_PARAMETERS, requestBody: PATCH_BODY, responses: responses(schema, ['200', '201']),
    });
  }
  if (sub.verbs.includes('create')) {
    item.post = operation(resource, named('create'), 'post', kind, `create ${sub.name} of ${article(resource.kind)}`, {
      parameters: WRITE_PARAMETERS, requestBody: jsonBody(schema), responses: responses(schema, ['200', '201', '202']),
    });
  }
  return item;
}

/**
 * One operation. `x-kubernetes-group-version-kind` (a single object here, unlike
 * the list on schemas) and `x-kubernetes-action` are what kubectl matches on.
 */
function operation(resource: ResourceType, id: string, action: string, gvk: GVK, description: string, rest: Operation): Operation {
  return {
    description,
    operationId: id,
    tags: [tag(resource)],
    ...rest,
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': { group: gvk.group, kind: gvk.kind, version: gvk.version },
  };
}

// Operation ids follow Kubernetes: readCoreV1NamespacedPod, patchAppsV1NamespacedDeploymentScale.
function operationId(verb: string, resource: ResourceType, suffix: string, namespaced: boolean): string {
  return `${verb}${groupWord(resource)}${versionWord(resource)}${namespaced ? 'Namespaced' : ''}${resource.kind}${suffix}`;
}

/** '' -> Core, 'coordination.k8s.io' -> Coordination. */
function groupWord(resource: ResourceType): string {
  const word = resource.group === '' ? 'core' : resource.group.split('.')[0];
  return word[0].toUpperCase() + word.slice(1);
}

function versionWord(resource: ResourceType): string {
  return resource.version[0].toUpperCase() + resource.version.slice(1);
}

/** Kubernetes tags operations by group and version: core_v1, apps_v1, coordination_v1. */
function tag(resource: ResourceType): string {
  return `${groupWord(resource).toLowerCase()}_${resource.version}`;
}

function article(kind: string): string {
  return /^[AEIOU]/.test(kind) ? `an ${kind}` : `a ${kind}`;
}

// ---------------------------------------------------------------------------
// Request bodies, responses and parameters
// ---------------------------------------------------------------------------

function jsonBody(schemaName: string): Schema {
  return { content: { '*/*': { schema: ref(schemaName) } }, required: true };
}

/**
 * The four PATCH content types. kubectl's client-side apply only uses the schemas
 * for a kind whose PATCH accepts application/strategic-merge-patch+json.
 */
const PATCH_BODY: Schema = {
  content: Object.fromEntries(
    ['application/apply-patch+yaml', 'application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json']
      .map((type) => [type, { schema: ref(`${META}.Patch`) }]),
  ),
  required: true,
};

const UNAUTHORIZED = { description: 'Unauthorized' };
const STATUS_TEXT: Record<string, string> = { '200': 'OK', '201': 'Created', '202': 'Accepted' };

function responses(schemaName: string, codes: string[]): Schema {
  const result: Schema = {};
  for (const code of codes) {
    result[code] = { description: STATUS_TEXT[code], content: { 'application/json': { schema: ref(schemaName) } } };
  }
  result['401'] = UNAUTHORIZED;
  return result;
}

interface Parameter { name: string; in: 'query' | 'path'; description: string; required?: boolean; schema: Schema }

function query(name: string, type: 'string' | 'integer' | 'boolean', description: string): Parameter {
  return { name, in: 'query', description, schema: { type, uniqueItems: true } };
}

const PRETTY = query('pretty', 'string', "If 'true', then the output is pretty printed. Defaults to 'false' unless the user-agent indicates a browser or command-line HTTP tool (curl and wget).");

function pathParameters(resource: ResourceType, withName: boolean): Parameter[] {
  const params: Parameter[] = [];
  if (withName) {
    params.push({ name: 'name', in: 'path', description: `name of the ${resource.kind}`, required: true, schema: { type: 'string', uniqueItems: true } });
  }
  if (resource.namespaced) {
    params.push({ name: 'namespace', in: 'path', description: 'object name and auth scope, such as for teams and projects', required: true, schema: { type: 'string', uniqueItems: true } });
  }
  params.push(PRETTY);
  return params;
}

const DRY_RUN = query('dryRun', 'string', 'When present, indicates that modifications should not be persisted. An invalid or unrecognized dryRun directive will result in an error response and no further processing of the request. Valid values are: - All: all dry run stages will be processed');
const FIELD_MANAGER = query('fieldManager', 'string', 'fieldManager is a name associated with the actor or entity that is making these changes. The value must be less than or 128 characters long, and only contain printable characters, as defined by https://golang.org/pkg/unicode/#IsPrint. This field is required for apply requests (application/apply-patch) but optional for non-apply patch types (JsonPatch, MergePatch, StrategicMergePatch).');
const FIELD_VALIDATION = query('fieldValidation', 'string', 'fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH) containing unknown or duplicate fields. Valid values are: - Ignore: This will ignore any unknown fields that are silently dropped from the object, and will ignore all but the last duplicate field that the decoder encounters. This is the default behavior prior to v1.23. - Warn: This will send a warning via the standard warning response header for each unknown field that is dropped from the object, and for each duplicate field that is encountered. The request will still succeed if there are no other errors, and will only persist the last of any duplicate fields. This is the default in v1.23+ - Strict: This will fail the request with a BadRequest error if any unknown fields would be dropped from the object, or if any duplicate fields are present. The error returned from the server will contain all unknown and duplicate fields encountered.');
const FORCE = query('force', 'boolean', 'Force is going to "force" Apply requests. It means user will re-acquire conflicting fields owned by other people. Force flag must be unset for non-apply patch requests.');

/** POST and PUT. */
const WRITE_PARAMETERS: Parameter[] = [DRY_RUN, FIELD_MANAGER, FIELD_VALIDATION];
/** PATCH: kubectl looks for `fieldValidation` here; server-side apply also sends `force`. */
const PATCH_PARAMETERS: Parameter[] = [DRY_RUN, FIELD_MANAGER, FIELD_VALIDATION, FORCE];

const DELETE_PARAMETERS: Parameter[] = [
  DRY_RUN,
  query('gracePeriodSeconds', 'integer', 'The duration in seconds before the object should be deleted. Value must be non-negative integer. The value zero indicates delete immediately. If this value is nil, the default grace period for the specified type will be used. Defaults to a per object value if not specified. zero means delete immediately.'),
  query('orphanDependents', 'boolean', 'Deprecated: please use the PropagationPolicy, this field will be deprecated in 1.7. Should the dependent objects be orphaned. If true/false, the "orphan" finalizer will be added to/removed from the object\'s finalizers list. Either this field or PropagationPolicy may be set, but not both.'),
  query('propagationPolicy', 'string', "Whether and how garbage collection will be performed. Either this field or OrphanDependents may be set, but not both. The default policy is decided by the existing finalizer set in the metadata.finalizers and the resource-specific default policy. Acceptable values are: 'Orphan' - orphan the dependents; 'Background' - allow the garbage collector to delete the dependents in the background; 'Foreground' - a cascading policy that deletes all dependents in the foreground."),
];

const LIST_PARAMETERS: Parameter[] = [
  query('allowWatchBookmarks', 'boolean', 'allowWatchBookmarks requests watch events with type "BOOKMARK". Servers that do not implement bookmarks may ignore this flag and bookmarks are sent at the server\'s discretion. Clients should not assume bookmarks are returned at any specific interval, nor may they assume the server will send any BOOKMARK event during a session. If this is not a watch, this field is ignored.'),
  query('continue', 'string', 'The continue option should be set when retrieving more results from the server. Since this value is server defined, clients may only use the continue value from a previous query result with identical query parameters (except for the value of continue) and the server may reject a continue value it does not recognize.'),
  query('fieldSelector', 'string', 'A selector to restrict the list of returned objects by their fields. Defaults to everything.'),
  query('labelSelector', 'string', 'A selector to restrict the list of returned objects by their labels. Defaults to everything.'),
  query('limit', 'integer', 'limit is a maximum number of responses to return for a list call. If more items exist, the server will set the `continue` field on the list metadata to a value that can be used with the same initial query to retrieve the next set of results.'),
  query('resourceVersion', 'string', 'resourceVersion sets a constraint on what resource versions a request may be served from. See https://kubernetes.io/docs/reference/using-api/api-concepts/#resource-versions for details.  Defaults to unset'),
  query('resourceVersionMatch', 'string', 'resourceVersionMatch determines how resourceVersion is applied to list calls. It is highly recommended that resourceVersionMatch be set for list calls where resourceVersion is set See https://kubernetes.io/docs/reference/using-api/api-concepts/#resource-versions for details.  Defaults to unset'),
  query('timeoutSeconds', 'integer', 'Timeout for the list/watch call. This limits the duration of the call, regardless of any activity or inactivity.'),
  query('watch', 'boolean', 'Watch for changes to the described resources and return them as a stream of add, update, and remove notifications. Specify resourceVersion.'),
];

const LOG_PARAMETERS: Parameter[] = [
  query('container', 'string', 'The container for which to stream logs. Defaults to only container if there is one container in the pod.'),
  query('follow', 'boolean', 'Follow the log stream of the pod. Defaults to false.'),
  query('limitBytes', 'integer', 'If set, the number of bytes to read from the server before terminating the log output. This may not display a complete final line of logging, and may return slightly more or slightly less than the specified limit.'),
  query('previous', 'boolean', 'Return previous terminated container logs. Defaults to false.'),
  query('sinceSeconds', 'integer', 'A relative time in seconds before the current time from which to show logs. If this value precedes the time a pod was started, only logs since the pod start will be returned. If this value is in the future, no logs will be returned. Only one of sinceSeconds or sinceTime may be specified.'),
  query('tailLines', 'integer', 'If set, the number of lines from the end of the logs to show. If not specified, logs are shown from the creation of the container or sinceSeconds or sinceTime'),
  query('timestamps', 'boolean', 'If true, add an RFC3339 or RFC3339Nano timestamp at the beginning of every line of log output. Defaults to false.'),
];
