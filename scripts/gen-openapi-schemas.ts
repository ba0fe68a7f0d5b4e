// Generates reference/src/apiserver/openapi/schemas.json, the OpenAPI v3 schemas
// (`components.schemas`) of every kind this API server serves.
//
// Run it from the repository root after changing RESOURCES or upgrading
// @kubernetes/client-node:
//
//     npx tsx scripts/gen-openapi-schemas.ts
//
// Why the API server needs schemas at all: kubectl downloads the server's
// OpenAPI v3 documents before `create -f`, `apply -f` and `replace -f` (to learn
// whether the server validates fields itself), before client-side `apply` (to
// learn how lists merge, from the x-kubernetes-patch-* extensions) and for
// `explain` (which prints the descriptions and types of fields). Without them
// those commands fail, unless the user passes --validate=false.
//
// Where the schemas come from: the @kubernetes/client-node package is generated
// from Kubernetes' own OpenAPI spec. Each model class (V1Pod, V1PodSpec, ...) keeps
// a table of its fields (`attributeTypeMap`: JSON name, TypeScript type, format),
// and its .d.ts file keeps Kubernetes' field descriptions as doc comments. This
// script turns those back into OpenAPI schemas, named the way Kubernetes names
// them (io.k8s.api.core.v1.Pod, io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta),
// and keeps only the types reachable from the kinds we serve.
//
// The package is generated from a newer Kubernetes (1.34) than the kubectl we
// target (1.32), so a few recent fields appear; extra fields are harmless.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RESOURCES, servedGroupVersions } from '../reference/src/apiserver/resources.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const MODELS_DIR = join(ROOT, 'node_modules/@kubernetes/client-node/dist/gen/models');
const OUTPUT = join(ROOT, 'reference/src/apiserver/openapi/schemas.json');

type Schema = Record<string, unknown>;
interface GVK { group: string; version: string; kind: string }

// ---------------------------------------------------------------------------
// Names: model class -> Kubernetes schema name
// ---------------------------------------------------------------------------

const CORE = 'io.k8s.api.core.v1';
const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';
const INT_OR_STRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';
const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';
const PATCH = `${META}.Patch`;

/**
 * Types that do not live in the core group. The model classes only say "V1", not
 * which Go package a type comes from, so the non-core ones are listed here by hand.
 * Every other V1 class reachable from our kinds is a core/v1 type.
 */
const NON_CORE_PACKAGES: Record<string, string[]> = {
  [META]: [
    'Condition', 'DeleteOptions', 'LabelSelector', 'LabelSelectorRequirement', 'ListMeta',
    'ManagedFieldsEntry', 'ObjectMeta', 'OwnerReference', 'Preconditions', 'Status',
    'StatusCause', 'StatusDetails',
  ],
  'io.k8s.api.apps.v1': [
    'Deployment', 'DeploymentCondition', 'DeploymentList', 'DeploymentSpec', 'DeploymentStatus',
    'DeploymentStrategy', 'ReplicaSet', 'ReplicaSetCondition', 'ReplicaSetList', 'ReplicaSetSpec',
    'ReplicaSetStatus', 'RollingUpdateDeployment',
  ],
  'io.k8s.api.coordination.v1': ['Lease', 'LeaseList', 'LeaseSpec'],
  'io.k8s.api.autoscaling.v1': ['Scale', 'ScaleSpec', 'ScaleStatus'],
  'io.k8s.api.policy.v1': ['Eviction', 'PodDisruptionBudget', 'PodDisruptionBudgetList', 'PodDisruptionBudgetSpec', 'PodDisruptionBudgetStatus'],
  'io.k8s.api.discovery.v1': ['EndpointSlice', 'EndpointSliceList', 'Endpoint', 'EndpointConditions', 'EndpointHints', 'ForZone', 'ForNode'],
};

/** Classes whose prefix names their group, where two groups share a type name (CoreV1EndpointPort, DiscoveryV1EndpointPort). */
const PREFIXED_PACKAGES: Record<string, string> = { DiscoveryV1: 'io.k8s.api.discovery.v1' };

/** "V1Pod" -> "Pod"; "CoreV1Event" -> "Event" (the prefix tells core Event from events.k8s.io Event). */
function shortName(className: string): string {
  const match = /^(?:CoreV1|DiscoveryV1|V1)([A-Z].*)$/.exec(className);
  if (!match) throw new Error(`unexpected model class ${className}: only v1 types are served`);
  return match[1];
}

function kubernetesName(className: string): string {
  const short = shortName(className);
  for (const [prefix, pkg] of Object.entries(PREFIXED_PACKAGES)) {
    if (className.startsWith(prefix)) return `${pkg}.${short}`;
  }
  for (const [pkg, names] of Object.entries(NON_CORE_PACKAGES)) {
    if (names.includes(short)) return `${pkg}.${short}`;
  }
  return `${CORE}.${short}`;
}

/** The Go package Kubernetes keeps a group's types in: '' -> core.v1, 'coordination.k8s.io' -> coordination.v1. */
function packageOfGroup(group: string, version: string): string {
  return group === '' ? `io.k8s.api.core.${version}` : `io.k8s.api.${group.split('.')[0]}.${version}`;
}

/** The model class of a kind: "V1Pod", or "CoreV1Event" where two groups share a kind name. */
function modelClassOf(gvk: GVK): string {
  const version = gvk.version[0].toUpperCase() + gvk.version.slice(1);
  const groupWord = gvk.group === '' ? 'Core' : gvk.group.split('.')[0].replace(/^./, (c) => c.toUpperCase());
  for (const candidate of [`${groupWord}${version}${gvk.kind}`, `${version}${gvk.kind}`]) {
    if (existsSync(join(MODELS_DIR, `${candidate}.js`))) return candidate;
  }
  throw new Error(`no model class for ${gvk.group}/${gvk.version} ${gvk.kind}`);
}

// ---------------------------------------------------------------------------
// Reading a model class: its fields (from the .js) and their descriptions (from the .d.ts)
// ---------------------------------------------------------------------------

interface Attribute { name: string; baseName: string; type: string; format: string }
interface Field { jsonName: string; type: string; format: string; description?: string; required: boolean }
interface Model { className: string; description?: string; fields: Field[] }

/** A doc comment's text on one line, with the generator's escaping (\" \' \\) undone. */
function commentText(raw: string): string {
  const text = raw
    .split('\n')
    .map((line) => line.replace(/^\s*\*\s?/, '').trim())
    .filter((line) => line !== '')
    .join(' ');
  return text.replace(/\\(.)/g, '$1');
}

interface Declarations { classDoc?: string; fieldDocs: Map<string, string>; optional: Map<string, boolean> }

function readDeclarations(className: string): Declarations {
  const source = readFileSync(join(MODELS_DIR, `${className}.d.ts`), 'utf8');
  const classStart = source.indexOf(`export declare class ${className} `);
  const before = source.slice(0, classStart);
  const classComment = /\/\*\*((?:(?!\/\*\*)[\s\S])*?)\*\/\s*$/.exec(before);
  const body = source.slice(classStart);
  const fieldDocs = new Map<string, string>();
  const optional = new Map<string, boolean>();
  // Each field is declared as   /** doc */ 'name'?: Type;   (the doc comment may be missing).
  const fieldPattern = /(?:\/\*\*([\s\S]*?)\*\/\s*)?'([^']+)'(\??):/g;
  for (const m of body.matchAll(fieldPattern)) {
    if (m[1] !== undefined) fieldDocs.set(m[2], commentText(m[1]));
    optional.set(m[2], m[3] === '?');
  }
  return { classDoc: classComment ? commentText(classComment[1]) : undefined, fieldDocs, optional };
}

async function loadModel(className: string): Promise<Model> {
  const module = (await import(join(MODELS_DIR, `${className}.js`))) as Record<string, { attributeTypeMap: Attribute[] }>;
  const attributes = module[className].attributeTypeMap;
  const decl = readDeclarations(className);
  const fields = attributes.map((a) => ({
    jsonName: a.baseName,
    type: a.type,
    format: a.format,
    description: decl.fieldDocs.get(a.name),
    required: decl.optional.get(a.name) === false,
  }));
  return { className, description: decl.classDoc, fields };
}

/** The model classes a TypeScript type string mentions: "Array<V1Container>" -> ["V1Container"]. */
function referencedClasses(type: string): string[] {
  return (type.match(/\b(?:CoreV1|DiscoveryV1|V1)[A-Z][A-Za-z0-9]*/g) ?? []).filter((c) => c !== 'V1MicroTime');
}

// ---------------------------------------------------------------------------
// Special cases that the model classes flatten away
// ---------------------------------------------------------------------------

/**
 * Fields Kubernetes types as resource.Quantity ("500m", "1Gi", or a plain number).
 * The client library turns them into plain strings, so they are listed here.
 */
const QUANTITY_FIELDS = new Set([
  'V1ResourceRequirements.limits', 'V1ResourceRequirements.requests',
  'V1VolumeResourceRequirements.limits', 'V1VolumeResourceRequirements.requests',
  'V1PodSpec.overhead', 'V1NodeStatus.capacity', 'V1NodeStatus.allocatable',
  'V1PersistentVolumeSpec.capacity', 'V1PersistentVolumeClaimStatus.capacity',
  'V1PersistentVolumeClaimStatus.allocatedResources', 'V1ContainerStatus.allocatedResources',
  'V1EmptyDirVolumeSource.sizeLimit', 'V1ResourceFieldSelector.divisor',
]);

/**
 * Field descriptions the client library lost. For a field whose type is another
 * object it drops the field's own description, and for IntOrString and MicroTime
 * fields it repeats the type's description instead. The common ones are restored
 * here from Kubernetes' types; other object fields fall back to the referenced
 * type's description. An entry here wins over the doc comment.
 */
const SPEC_AND_STATUS = 'https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status';
const OBJECT_METADATA = "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata";
const LIST_METADATA = 'Standard list metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds';
const FIELD_DESCRIPTIONS: Record<string, string> = {
  'V1Pod.spec': `Specification of the desired behavior of the pod. More info: ${SPEC_AND_STATUS}`,
  'V1Pod.status': `Most recently observed status of the pod. This data may not be up to date. Populated by the system. Read-only. More info: ${SPEC_AND_STATUS}`,
  'V1PodTemplateSpec.spec': `Specification of the desired behavior of the pod. More info: ${SPEC_AND_STATUS}`,
  'V1Deployment.spec': 'Specification of the desired behavior of the Deployment.',
  'V1Deployment.status': 'Most recently observed status of the Deployment.',
  'V1DeploymentSpec.selector': "Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment. It must match the pod template's labels.",
  'V1DeploymentSpec.template': 'Template describes the pods that will be created. The only allowed template.spec.restartPolicy value is "Always".',
  'V1DeploymentSpec.strategy': 'The deployment strategy to use to replace existing pods with new ones.',
  'V1DeploymentStrategy.rollingUpdate': 'Rolling update config params. Present only if DeploymentStrategyType = RollingUpdate.',
  'V1ReplicaSet.spec': `Spec defines the specification of the desired behavior of the ReplicaSet. More info: ${SPEC_AND_STATUS}`,
  'V1ReplicaSet.status': `Status is the most recently observed status of the ReplicaSet. This data may be out of date by some window of time. Populated by the system. Read-only. More info: ${SPEC_AND_STATUS}`,
  'V1ReplicaSetSpec.selector': "Selector is a label query over pods that should match the replica count. Label keys and values that must match in order to be controlled by this replica set. It must match the pod template's labels. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors",
  'V1ReplicaSetSpec.template': 'Template is the object that describes the pod that will be created if insufficient replicas are detected. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicaset/#pod-template',
  'V1Service.spec': `Spec defines the behavior of a service. ${SPEC_AND_STATUS}`,
  'V1Service.status': `Most recently observed status of the service. Populated by the system. Read-only. More info: ${SPEC_AND_STATUS}`,
  'V1Node.spec': `Spec defines the behavior of a node. ${SPEC_AND_STATUS}`,
  'V1Node.status': `Most recently observed status of the node. Populated by the system. Read-only. More info: ${SPEC_AND_STATUS}`,
  'V1Namespace.spec': `Spec defines the behavior of the Namespace. More info: ${SPEC_AND_STATUS}`,
  'V1Namespace.status': `Status describes the current status of a Namespace. More info: ${SPEC_AND_STATUS}`,
  'V1PersistentVolume.spec': 'spec defines a specification of a persistent volume owned by the cluster. Provisioned by an administrator. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#persistent-volumes',
  'V1PersistentVolume.status': 'status represents the current information/status for the persistent volume. Populated by the system. Read-only. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#persistent-volumes',
  'V1PersistentVolumeClaim.spec': 'spec defines the desired characteristics of a volume requested by a pod author. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#persistentvolumeclaims',
  'V1PersistentVolumeClaim.status': 'status represents the current information/status of a persistent volume claim. Read-only. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#persistentvolumeclaims',
  'V1Lease.spec': `spec contains the specification of the Lease. More info: ${SPEC_AND_STATUS}`,
  'V1Scale.spec': `spec defines the behavior of the scale. More info: ${SPEC_AND_STATUS}`,
  'V1Scale.status': `status is the current status of the scale. More info: ${SPEC_AND_STATUS}. Read-only.`,
  'V1Container.resources': 'Compute Resources required by this container. Cannot be updated. More info: https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/',
  'V1Container.livenessProbe': 'Periodic probe of container liveness. Container will be restarted if the probe fails. Cannot be updated. More info: https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle#container-probes',
  'V1Container.readinessProbe': 'Periodic probe of container service readiness. Container will be removed from service endpoints if the probe fails. Cannot be updated. More info: https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle#container-probes',
  'V1Container.securityContext': 'SecurityContext defines the security options the container should be run with. If set, the fields of SecurityContext override the equivalent fields of PodSecurityContext. More info: https://kubernetes.io/docs/tasks/configure-pod-container/security-context/',
  'V1PodSpec.affinity': "If specified, the pod's scheduling constraints",
  'V1PodSpec.securityContext': 'SecurityContext holds pod-level security attributes and common container settings. Optional: Defaults to empty.  See type description for default values of each field.',
  'V1ServicePort.targetPort': "Number or name of the port to access on the pods targeted by the service. Number must be in the range 1 to 65535. Name must be an IANA_SVC_NAME. If this is a string, it will be looked up as a named port in the target Pod's container ports. If this is not specified, the value of the 'port' field is used (an identity map). This field is ignored for services with clusterIP=None, and should be omitted or set equal to the 'port' field. More info: https://kubernetes.io/docs/concepts/services-networking/service/#defining-a-service",
  'V1RollingUpdateDeployment.maxSurge': 'The maximum number of pods that can be scheduled above the desired number of pods. Value can be an absolute number (ex: 5) or a percentage of desired pods (ex: 10%). This can not be 0 if MaxUnavailable is 0. Absolute number is calculated from percentage by rounding up. Defaults to 25%. Example: when this is set to 30%, the new ReplicaSet can be scaled up immediately when the rolling update starts, such that the total number of old and new pods do not exceed 130% of desired pods. Once old pods have been killed, new ReplicaSet can be scaled up further, ensuring that total number of pods running at any time during the update is at most 130% of desired pods.',
  'V1RollingUpdateDeployment.maxUnavailable': 'The maximum number of pods that can be unavailable during the update. Value can be an absolute number (ex: 5) or a percentage of desired pods (ex: 10%). Absolute number is calculated from percentage by rounding down. This can not be 0 if MaxSurge is 0. Defaults to 25%. Example: when this is set to 30%, the old ReplicaSet can be scaled down to 70% of desired pods immediately when the rolling update starts. Once new pods are ready, old ReplicaSet can be scaled down further, followed by scaling up the new ReplicaSet, ensuring that the total number of pods available at all times during the update is at least 70% of desired pods.',
  'V1HTTPGetAction.port': 'Name or number of the port to access on the container. Number must be in the range 1 to 65535. Name must be an IANA_SVC_NAME.',
  'V1TCPSocketAction.port': 'Number or name of the port to access on the container. Number must be in the range 1 to 65535. Name must be an IANA_SVC_NAME.',
  'V1LeaseSpec.acquireTime': 'acquireTime is a time when the current lease was acquired.',
  'V1LeaseSpec.renewTime': 'renewTime is a time when the current holder of a lease has last updated the lease.',
  'CoreV1Event.eventTime': 'Time when this Event was first observed.',
  'CoreV1EventSeries.lastObservedTime': 'Time of the last occurrence observed',
  'V1Endpoint.conditions': 'conditions contains information about the current status of the endpoint.',
  'V1Endpoint.hints': 'hints contains information associated with how an endpoint should be consumed.',
  'V1Endpoint.targetRef': 'targetRef is a reference to a Kubernetes object that represents this endpoint.',
};

/** `metadata` is described the same way in every kind and every list. */
function metadataDescription(jsonName: string, type: string): string | undefined {
  if (jsonName === 'metadata' && type === 'V1ObjectMeta') return OBJECT_METADATA;
  if (jsonName === 'metadata' && type === 'V1ListMeta') return LIST_METADATA;
  return undefined;
}

// ---------------------------------------------------------------------------
// List merge rules: the x-kubernetes-patch-* and x-kubernetes-list-* extensions
// ---------------------------------------------------------------------------

interface ListRule { mergeKey?: string; strategy: string; listType?: 'map' | 'set' | 'atomic'; mapKeys?: string[] }

function mergeBy(mergeKey: string, mapKeys: string[] = [mergeKey], strategy = 'merge'): ListRule {
  return { mergeKey, strategy, listType: 'map', mapKeys };
}

const CONTAINER_LISTS: Record<string, ListRule> = {
  ports: mergeBy('containerPort', ['containerPort', 'protocol']),
  env: mergeBy('name'),
  volumeMounts: mergeBy('mountPath'),
  volumeDevices: mergeBy('devicePath'),
};

/**
 * How strategic merge patch combines each list, as Kubernetes declares it in its
 * Go types (the patchStrategy / patchMergeKey struct tags). Client-side `kubectl
 * apply` reads these to send "replace container web" instead of "replace all
 * containers". Keyed by Kubernetes schema name, then field.
 */
const LIST_RULES: Record<string, Record<string, ListRule>> = {
  [`${META}.ObjectMeta`]: {
    finalizers: { strategy: 'merge', listType: 'set' },
    ownerReferences: mergeBy('uid'),
  },
  [`${CORE}.PodSpec`]: {
    containers: mergeBy('name'),
    initContainers: mergeBy('name'),
    ephemeralContainers: mergeBy('name'),
    volumes: mergeBy('name', ['name'], 'merge,retainKeys'),
    imagePullSecrets: mergeBy('name'),
    hostAliases: mergeBy('ip'),
    topologySpreadConstraints: mergeBy('topologyKey', ['topologyKey', 'whenUnsatisfiable']),
    schedulingGates: mergeBy('name'),
    resourceClaims: mergeBy('name', ['name'], 'merge,retainKeys'),
  },
  [`${CORE}.Container`]: CONTAINER_LISTS,
  [`${CORE}.EphemeralContainer`]: CONTAINER_LISTS,
  [`${CORE}.PodStatus`]: {
    conditions: mergeBy('type'),
    podIPs: mergeBy('ip'),
    hostIPs: { mergeKey: 'ip', strategy: 'merge', listType: 'atomic' },
  },
  [`${CORE}.ServiceSpec`]: { ports: mergeBy('port', ['port', 'protocol']) },
  [`${CORE}.ServiceStatus`]: { conditions: mergeBy('type') },
  [`${CORE}.NodeSpec`]: { podCIDRs: { strategy: 'merge', listType: 'set' } },
  [`${CORE}.NodeStatus`]: {
    addresses: { mergeKey: 'type', strategy: 'merge' },
    conditions: { mergeKey: 'type', strategy: 'merge' },
  },
  [`${CORE}.NamespaceStatus`]: { conditions: mergeBy('type') },
  [`${CORE}.PersistentVolumeClaimStatus`]: { conditions: mergeBy('type') },
  ['io.k8s.api.apps.v1.DeploymentStatus']: { conditions: mergeBy('type') },
  ['io.k8s.api.apps.v1.ReplicaSetStatus']: { conditions: mergeBy('type') },
};

/** Non-list fields with a patch strategy: retainKeys drops the old union member when `type` changes. */
const FIELD_STRATEGIES: Record<string, Record<string, string>> = {
  ['io.k8s.api.apps.v1.DeploymentSpec']: { strategy: 'retainKeys' },
};

function listExtensions(rule: ListRule): Schema {
  const ext: Schema = { 'x-kubernetes-patch-strategy': rule.strategy };
  if (rule.mergeKey) ext['x-kubernetes-patch-merge-key'] = rule.mergeKey;
  if (rule.listType) ext['x-kubernetes-list-type'] = rule.listType;
  if (rule.mapKeys) ext['x-kubernetes-list-map-keys'] = rule.mapKeys;
  return ext;
}

// ---------------------------------------------------------------------------
// Turning a field into a property schema
// ---------------------------------------------------------------------------

function ref(schemaName: string): Schema {
  return { $ref: `#/components/schemas/${schemaName}` };
}

/** The schema of a value of TypeScript type `type` (used for properties, array items and map values). */
function valueSchema(type: string, format: string, isQuantity: boolean): Schema {
  const array = /^Array<(.+)>$/.exec(type);
  if (array) return { type: 'array', items: valueSchema(array[1], '', isQuantity) };
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map) return { type: 'object', additionalProperties: valueSchema(map[1], '', isQuantity) };
  if (isQuantity) return ref(QUANTITY);
  switch (type) {
    case 'string':
      return format ? { type: 'string', format } : { type: 'string' };
    case 'boolean':
      return { type: 'boolean' };
    case 'number':
      return format === 'int32' || format === 'int64' ? { type: 'integer', format } : { type: 'number', format: format || 'double' };
    case 'Date':
    case 'V1MicroTime':
      return { type: 'string', format: 'date-time' };
    case 'IntOrString':
      return ref(INT_OR_STRING);
    case 'any':
      return { type: 'object' };
    default:
      return ref(kubernetesName(type));
  }
}

/**
 * A property: Kubernetes wraps a reference to another object in allOf so that the
 * property can carry its own description next to the $ref.
 */
function propertySchema(model: Model, field: Field, describe: (className: string) => string | undefined): Schema {
  const value = valueSchema(field.type, field.format, QUANTITY_FIELDS.has(`${model.className}.${field.jsonName}`));
  const description =
    FIELD_DESCRIPTIONS[`${model.className}.${field.jsonName}`] ??
    field.description ??
    metadataDescription(field.jsonName, field.type) ??
    (/^(?:CoreV1|DiscoveryV1|V1)[A-Za-z0-9]+$/.test(field.type) ? describe(field.type) : undefined);
  const property: Schema = value.$ref ? { allOf: [value] } : value;
  if (description) property.description = description;
  const schemaName = kubernetesName(model.className);
  const rule = LIST_RULES[schemaName]?.[field.jsonName];
  if (rule) Object.assign(property, listExtensions(rule));
  const strategy = FIELD_STRATEGIES[schemaName]?.[field.jsonName];
  if (strategy) property['x-kubernetes-patch-strategy'] = strategy;
  return property;
}

function objectSchema(model: Model, gvks: GVK[], describe: (className: string) => string | undefined): Schema {
  const properties: Schema = {};
  for (const field of model.fields) properties[field.jsonName] = propertySchema(model, field, describe);
  const schema: Schema = { type: 'object', properties };
  if (model.description) schema.description = model.description;
  const required = model.fields.filter((f) => f.required).map((f) => f.jsonName).sort();
  if (required.length > 0) schema.required = required;
  if (gvks.length > 0) schema['x-kubernetes-group-version-kind'] = gvks;
  return schema;
}

/**
 * Schemas Kubernetes defines by hand because their JSON has two shapes:
 * IntOrString is 8080 or "http", Quantity is 2 or "500m". Like Kubernetes they
 * have no `type` of their own (oneOf instead), which also makes `kubectl explain`
 * print <IntOrString> and <Quantity> rather than <string>.
 */
function handWrittenSchemas(): Record<string, Schema> {
  return {
    [INT_OR_STRING]: {
      description: 'IntOrString is a type that can hold an int32 or a string.  When used in JSON or YAML marshalling and unmarshalling, it produces or consumes the inner type.  This allows you to have, for example, a JSON field that can accept a name or number.',
      format: 'int-or-string',
      oneOf: [{ type: 'integer' }, { type: 'string' }],
      'x-kubernetes-int-or-string': true,
    },
    [QUANTITY]: {
      description: 'Quantity is a fixed-point representation of a number. It provides convenient marshaling/unmarshaling in JSON and YAML, in addition to String() and AsInt64() accessors. It is written as a number with an optional suffix: the binary SI suffixes Ki, Mi, Gi, Ti, Pi, Ei, the decimal SI suffixes m, "" (none), k, M, G, T, P, E, or a decimal exponent such as 1e3. Examples: "500m" (half a CPU), "128Mi", "2".',
      oneOf: [{ type: 'string' }, { type: 'number' }],
    },
    [PATCH]: {
      description: 'Patch is provided to give a concrete name and type to the Kubernetes PATCH request body.',
      type: 'object',
    },
  };
}

// ---------------------------------------------------------------------------
// Which classes to emit: the served kinds, their lists, subresource kinds, and
// everything their fields reach.
// ---------------------------------------------------------------------------

function rootKinds(): Map<string, GVK[]> {
  const roots = new Map<string, GVK[]>();
  const add = (gvk: GVK) => {
    const className = modelClassOf(gvk);
    const list = roots.get(className) ?? [];
    if (!list.some((g) => g.group === gvk.group && g.version === gvk.version && g.kind === gvk.kind)) list.push(gvk);
    roots.set(className, list);
  };
  for (const r of RESOURCES) {
    add({ group: r.group, version: r.version, kind: r.kind });
    add({ group: r.group, version: r.version, kind: `${r.kind}List` });
    for (const sub of r.subresources) add(sub.responseKind);
  }
  add({ group: '', version: 'v1', kind: 'Status' });
  // Kubernetes registers DeleteOptions in every group, so DELETE bodies of any group decode.
  for (const gv of servedGroupVersions()) add({ ...gv, kind: 'DeleteOptions' });
  return roots;
}

/** Guards the hand-written package table: a served kind must land in its group's package. */
function checkPackages(roots: Map<string, GVK[]>): void {
  for (const [className, gvks] of roots) {
    const { group, version, kind } = gvks[0];
    if (kind === 'Status' || kind === 'DeleteOptions') continue;
    const expected = `${packageOfGroup(group, version)}.${shortName(className)}`;
    if (kubernetesName(className) !== expected) {
      throw new Error(`${className} (${group}/${version} ${kind}) maps to ${kubernetesName(className)}, expected ${expected}`);
    }
  }
}

async function loadReachable(rootClasses: string[]): Promise<Map<string, Model>> {
  const models = new Map<string, Model>();
  const queue = [...rootClasses];
  while (queue.length > 0) {
    const className = queue.shift()!;
    if (models.has(className)) continue;
    const model = await loadModel(className);
    models.set(className, model);
    for (const field of model.fields) queue.push(...referencedClasses(field.type));
  }
  return models;
}

// ---------------------------------------------------------------------------
// Output
// ---------------------------------------------------------------------------

/** JSON with object keys sorted at every level, so the file only changes when the content does. */
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) sorted[key] = sortKeys((value as Record<string, unknown>)[key]);
    return sorted;
  }
  return value;
}

async function main(): Promise<void> {
  const roots = rootKinds();
  checkPackages(roots);
  const models = await loadReachable([...roots.keys()]);
  const describe = (className: string) => models.get(className)?.description;

  const schemas: Record<string, Schema> = handWrittenSchemas();
  for (const model of models.values()) {
    const name = kubernetesName(model.className);
    if (schemas[name]) throw new Error(`two model classes map to ${name}`);
    schemas[name] = objectSchema(model, roots.get(model.className) ?? [], describe);
  }

  mkdirSync(dirname(OUTPUT), { recursive: true });
  const json = JSON.stringify(sortKeys(schemas), null, 1) + '\n';
  writeFileSync(OUTPUT, json);
  console.log(`wrote ${Object.keys(schemas).length} schemas, ${json.length} bytes, to ${OUTPUT}`);
}

await main();
