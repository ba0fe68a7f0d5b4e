// Strategic merge patch: `Content-Type: application/strategic-merge-patch+json`.
//
// Like a JSON merge patch (objects merge, `null` deletes), except that some
// lists merge too: a pod's containers are matched by `name`, so a patch that
// mentions one container changes that container and leaves the others alone.
// Which lists merge, and on which key, is declared on the Go types with tags
// such as `patchStrategy:"merge" patchMergeKey:"name"`
// (staging/src/k8s.io/api/core/v1/types.go, apps/v1/types.go, meta/v1/types.go).
// Kubernetes reads those tags by reflection; here they are a table per kind.
//
// kubectl sends this patch for `apply` (client-side), `set image`, `cordon`,
// `rollout restart|pause|resume`. The directives it may contain are described
// in the Kubernetes docs "Update API Objects in Place Using kubectl patch" and
// implemented in k8s.io/apimachinery/pkg/util/strategicpatch/patch.go:
//   null                              delete the key
//   {"$patch": "delete", <key>: v}    (a list element) remove the element whose merge key is v
//   {"$patch": "delete"}              (a map) remove the map
//   {"$patch": "replace", ...}        (a map) replace the map instead of merging it
//   {"$patch": "replace"}             (a list element) replace the whole list with the other elements
//   "$setElementOrder/<field>": [..]  the order of the merged list
//   "$retainKeys": [..]               drop every key of the map not listed
//   "$deleteFromPrimitiveList/<field>": [..]  remove these values from a list of strings

import { PatchError } from './json-patch.ts';

export { PatchError };

// ---------------------------------------------------------------------------
// The table of list strategies
// ---------------------------------------------------------------------------

/** How a list field is patched. A list that is not in the table is replaced (atomic). */
type ListStrategy =
  | { kind: 'merge'; mergeKey: string } // list of objects, matched by mergeKey
  | { kind: 'set' } //                     list of strings with patchStrategy "merge": a union
  | { kind: 'replace' }; //                no patchStrategy: the patch's list wins

/** Keys are dotted field paths from the object's root; list elements add no step (`spec.containers.ports`). */
type StrategyTable = Record<string, ListStrategy>;

const mergeBy = (mergeKey: string): ListStrategy => ({ kind: 'merge', mergeKey });
const SET: ListStrategy = { kind: 'set' };
const REPLACE: ListStrategy = { kind: 'replace' };

/** Puts a table under a path prefix: under('spec', {containers}) → {'spec.containers'}. */
function under(prefix: string, table: StrategyTable): StrategyTable {
  const out: StrategyTable = {};
  for (const [path, strategy] of Object.entries(table)) out[`${prefix}.${path}`] = strategy;
  return out;
}

/** metav1.ObjectMeta (staging/src/k8s.io/apimachinery/pkg/apis/meta/v1/types.go). */
const OBJECT_META: StrategyTable = {
  finalizers: SET, //                 patchStrategy:"merge" on []string
  ownerReferences: mergeBy('uid'), // patchStrategy:"merge" patchMergeKey:"uid"
};

/** core/v1 Container. */
const CONTAINER: StrategyTable = {
  ports: mergeBy('containerPort'),
  env: mergeBy('name'),
  envFrom: REPLACE, //               no patchStrategy
  volumeMounts: mergeBy('mountPath'),
  volumeDevices: mergeBy('devicePath'),
  resizePolicy: REPLACE, //          +listType=atomic
};

/** core/v1 PodSpec. */
const POD_SPEC: StrategyTable = {
  volumes: mergeBy('name'), //       patchStrategy:"merge,retainKeys"
  containers: mergeBy('name'),
  initContainers: mergeBy('name'),
  ephemeralContainers: mergeBy('name'),
  ...under('containers', CONTAINER),
  ...under('initContainers', CONTAINER),
  ...under('ephemeralContainers', CONTAINER),
  imagePullSecrets: mergeBy('name'),
  hostAliases: mergeBy('ip'),
  topologySpreadConstraints: mergeBy('topologyKey'),
  schedulingGates: mergeBy('name'),
  resourceClaims: mergeBy('name'),
  tolerations: REPLACE, //           no patchStrategy: a patch's tolerations replace them all
  readinessGates: REPLACE,
};

/** core/v1 PodStatus. */
const POD_STATUS: StrategyTable = {
  conditions: mergeBy('type'),
  podIPs: mergeBy('ip'),
  hostIPs: mergeBy('ip'),
  containerStatuses: REPLACE, //     no patchStrategy
  initContainerStatuses: REPLACE,
  ephemeralContainerStatuses: REPLACE,
};

/** core/v1 PodTemplateSpec, as embedded in workloads. */
const POD_TEMPLATE: StrategyTable = { ...under('metadata', OBJECT_META), ...under('spec', POD_SPEC) };

const META = under('metadata', OBJECT_META);

/** Deployment, ReplicaSet, StatefulSet, DaemonSet, Job, ReplicationController: a pod template and status conditions. */
const WORKLOAD: StrategyTable = { ...META, ...under('spec.template', POD_TEMPLATE), 'status.conditions': mergeBy('type') };

const KIND_TABLES: Record<string, StrategyTable> = {
  Pod: { ...META, ...under('spec', POD_SPEC), ...under('status', POD_STATUS) },
  PodTemplate: { ...META, ...under('template', POD_TEMPLATE) },
  Deployment: WORKLOAD,
  ReplicaSet: WORKLOAD,
  StatefulSet: WORKLOAD,
  DaemonSet: WORKLOAD,
  Job: WORKLOAD,
  ReplicationController: WORKLOAD,
  CronJob: { ...META, ...under('spec.jobTemplate.metadata', OBJECT_META), ...under('spec.jobTemplate.spec.template', POD_TEMPLATE) },
  Service: { ...META, 'spec.ports': mergeBy('port'), 'status.conditions': mergeBy('type') },
  Node: {
    ...META,
    'spec.podCIDRs': SET,
    'spec.taints': REPLACE, //         no patchStrategy on NodeSpec.Taints
    'status.conditions': mergeBy('type'),
    'status.addresses': mergeBy('type'),
  },
  Namespace: { ...META, 'status.conditions': mergeBy('type') },
  Endpoints: { ...META, subsets: REPLACE }, // no patchStrategy on Endpoints.Subsets
};

function strategyFor(table: StrategyTable, path: string[]): ListStrategy {
  return table[path.join('.')] ?? REPLACE;
}

// ---------------------------------------------------------------------------
// The merge
// ---------------------------------------------------------------------------

type Obj = Record<string, unknown>;

const SET_ELEMENT_ORDER = '$setElementOrder/';
const DELETE_FROM_PRIMITIVE_LIST = '$deleteFromPrimitiveList/';

function isObject(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isDirectiveKey(key: string): boolean {
  return key === '$patch' || key === '$retainKeys' || key.startsWith(SET_ELEMENT_ORDER) || key.startsWith(DELETE_FROM_PRIMITIVE_LIST);
}

/**
 * Merges a patch map into an original map (which it may modify). Returns
 * undefined when the patch says `{"$patch": "delete"}`.
 */
function mergeMap(original: Obj, patch: Obj, path: string[], table: StrategyTable): Obj | undefined {
  const directive = patch.$patch;
  let result = original;
  if (directive === 'delete') return undefined;
  if (directive === 'replace') result = {};
  else if (directive !== undefined && directive !== 'merge') {
    throw new PatchError(`Unknown patch type: ${String(directive)} in map: ${JSON.stringify(patch)}`);
  }

  // $retainKeys: every key the patch sets must be listed, and the original keeps only listed keys.
  if (patch.$retainKeys !== undefined) {
    const keep = patch.$retainKeys;
    if (!Array.isArray(keep)) throw new PatchError('$retainKeys must be a list of field names');
    for (const [key, value] of Object.entries(patch)) {
      if (value !== null && !isDirectiveKey(key) && !keep.includes(key)) throw new PatchError('invalid patch format of retainKeys');
    }
    for (const key of Object.keys(result)) if (!keep.includes(key)) delete result[key];
  }

  // $deleteFromPrimitiveList/<field>: remove values from a list of strings before merging.
  for (const [key, values] of Object.entries(patch)) {
    if (!key.startsWith(DELETE_FROM_PRIMITIVE_LIST)) continue;
    const field = key.slice(DELETE_FROM_PRIMITIVE_LIST.length);
    if (!Array.isArray(values)) throw new PatchError(`${key} must be a list`);
    const list = result[field];
    if (Array.isArray(list)) result[field] = list.filter((v) => !values.includes(v));
  }

  for (const [key, value] of Object.entries(patch)) {
    if (isDirectiveKey(key)) continue;
    if (value === null) {
      delete result[key];
      continue;
    }
    const merged = mergeValue(result[key], value, [...path, key], table);
    if (merged === undefined) delete result[key];
    else result[key] = merged;
  }

  // $setElementOrder/<field>: applied last, to the merged list.
  for (const [key, order] of Object.entries(patch)) {
    if (!key.startsWith(SET_ELEMENT_ORDER)) continue;
    const field = key.slice(SET_ELEMENT_ORDER.length);
    if (!Array.isArray(order)) throw new PatchError(`${key} must be a list`);
    const list = result[field];
    if (Array.isArray(list)) result[field] = orderList(list, order, strategyFor(table, [...path, field]));
  }
  return result;
}

/** Merges one value. Maps merge, lists follow the table, anything else replaces. */
function mergeValue(original: unknown, patch: unknown, path: string[], table: StrategyTable): unknown {
  if (isObject(patch)) return mergeMap(isObject(original) ? original : {}, patch, path, table);
  if (Array.isArray(patch)) return mergeList(Array.isArray(original) ? original : [], patch, path, table);
  return patch;
}

/** A patch element brought in as is: merged into nothing, so that nested directives are applied and removed. */
function fresh(element: unknown, path: string[], table: StrategyTable): unknown {
  return element === null ? null : mergeValue(undefined, element, path, table);
}

function mergeList(original: unknown[], patch: unknown[], path: string[], table: StrategyTable): unknown[] {
  // An element {"$patch": "replace"} means: the list is exactly the other elements.
  const replaceAll = patch.some((el) => isObject(el) && el.$patch === 'replace');
  if (replaceAll) return patch.filter((el) => !(isObject(el) && el.$patch === 'replace')).map((el) => fresh(el, path, table));

  const strategy = strategyFor(table, path);
  if (strategy.kind === 'replace') return patch.map((el) => fresh(el, path, table));
  if (strategy.kind === 'set') {
    // A union that keeps the original order, then adds the new values (deduplicateScalars in patch.go).
    const out: unknown[] = [];
    for (const v of [...original, ...patch]) if (!out.includes(v)) out.push(v);
    return out;
  }

  const mergeKey = strategy.mergeKey;
  const sameKey = (el: unknown, key: unknown) => isObject(el) && el[mergeKey] === key;
  let result = [...original];
  for (const el of patch) {
    if (!isObject(el)) throw new PatchError(`${path.join('.')}: expected a list of objects merged by "${mergeKey}", got ${JSON.stringify(el)}`);
  }
  const elements = patch as Obj[];

  // Deletions first, as patch.go does (mergeSliceWithSpecialElements).
  for (const el of elements) {
    if (el.$patch !== 'delete') continue;
    if (el[mergeKey] === undefined) throw new PatchError(`delete patch type with no merge key defined`);
    result = result.filter((o) => !sameKey(o, el[mergeKey]));
  }

  // Then each element merges into the original element with the same key, or is appended.
  for (const el of elements) {
    if (el.$patch === 'delete') continue;
    if (el.$patch !== undefined && el.$patch !== 'merge') {
      throw new PatchError(`Unknown patch type: ${String(el.$patch)} in list element: ${JSON.stringify(el)}`);
    }
    if (el[mergeKey] === undefined) throw new PatchError(`map: ${JSON.stringify(el)} does not contain declared merge key: ${mergeKey}`);
    const index = result.findIndex((o) => sameKey(o, el[mergeKey]));
    if (index >= 0) result[index] = mergeMap(result[index] as Obj, el, path, table);
    else result.push(mergeMap({}, el, path, table));
  }
  return result;
}

/**
 * $setElementOrder: the elements named in the order list first, in that
 * order; the others (the server kept them, the patch did not mention them)
 * after, in their current order. Elements are named by their merge key, or by
 * their value in a list of strings.
 */
function orderList(list: unknown[], order: unknown[], strategy: ListStrategy): unknown[] {
  const identity = (el: unknown): unknown => (strategy.kind === 'merge' && isObject(el) ? el[strategy.mergeKey] : el);
  const wanted = order.map(identity);
  const named = list.filter((el) => wanted.includes(identity(el)));
  named.sort((a, b) => wanted.indexOf(identity(a)) - wanted.indexOf(identity(b)));
  const rest = list.filter((el) => !wanted.includes(identity(el)));
  return [...named, ...rest];
}

/**
 * Applies a strategic merge patch to an object of the given kind (`Pod`,
 * `Deployment`, `Service`, `Node`, …) and returns the result; `original` is
 * not modified. Kinds without a table get the ObjectMeta rules only, and all
 * their lists are replaced.
 * @throws PatchError (400 when the patch is not a JSON object, 422 when a directive is malformed)
 */
export function strategicMergePatch(original: any, patch: any, kind: string): any {
  if (!isObject(patch)) {
    throw new PatchError(`json: cannot unmarshal ${Array.isArray(patch) ? 'array' : typeof patch} into Go value of type map[string]interface {}`, 400);
  }
  const table = KIND_TABLES[kind] ?? META;
  const start = isObject(original) ? structuredClone(original) : {};
  return mergeMap(start, patch, [], table) ?? {};
}
