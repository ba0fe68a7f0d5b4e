// A seeded generator of requests the API server must refuse, for tests/apiserver/fuzz.test.ts.
//
// Every request it makes is invalid on purpose (broken bodies, wrong types, bad names,
// unknown kinds, bad selectors, patches and parameters, no or wrong token), so any 2xx
// answer is a bug: the server accepted what Kubernetes refuses. Each case says which
// status codes Kubernetes answers and, for field errors, which field the Status names.

import { parse as parseYaml } from 'yaml';
import type { RawRequest } from '../../conformance/harness/raw-client.ts';

/** mulberry32: a small seeded PRNG, so that a failing run can be repeated with its seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface FuzzCase {
  category: string;
  request: RawRequest;
  /** The status codes Kubernetes gives for this request. */
  expect: number[];
  /** For field errors: the field that details.causes[] must name. */
  field?: string;
}

/** The objects the test stores first; the fuzzer aims its updates, patches and deletes at them. */
export const SEEDED = {
  namespace: 'fuzz',
  configMaps: ['cm-0', 'cm-1', 'cm-2'],
  pod: 'web',
  deployment: 'app',
  service: 'svc',
};

/** A valid object of each kind the fuzzer writes: the generators break one thing in it. */
interface Target {
  collection: string;
  item(name: string): string;
  valid(name: string): Record<string, any>;
  /** The stored object of this kind that updates, patches and deletes aim at. */
  seeded?: string;
}

const NS = SEEDED.namespace;
const TARGETS: Target[] = [
  {
    collection: `/api/v1/namespaces/${NS}/configmaps`, item: (n) => `/api/v1/namespaces/${NS}/configmaps/${n}`, seeded: SEEDED.configMaps[0],
    valid: (name) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels: { app: 'fuzz' } }, data: { key: 'value' } }),
  },
  {
    collection: `/api/v1/namespaces/${NS}/pods`, item: (n) => `/api/v1/namespaces/${NS}/pods/${n}`, seeded: SEEDED.pod,
    valid: (name) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { app: 'fuzz' } }, spec: { containers: [{ name: 'web', image: 'kubelab/web:1' }] } }),
  },
  {
    collection: `/apis/apps/v1/namespaces/${NS}/deployments`, item: (n) => `/apis/apps/v1/namespaces/${NS}/deployments/${n}`, seeded: SEEDED.deployment,
    valid: (name) => ({
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name },
      spec: { replicas: 1, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'web', image: 'kubelab/web:1' }] } } },
    }),
  },
  {
    collection: `/api/v1/namespaces/${NS}/services`, item: (n) => `/api/v1/namespaces/${NS}/services/${n}`, seeded: SEEDED.service,
    valid: (name) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { selector: { app: 'fuzz' }, ports: [{ port: 80 }] } }),
  },
  {
    collection: '/api/v1/namespaces', item: (n) => `/api/v1/namespaces/${n}`,
    valid: (name) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } }),
  },
];

/** The valid objects the test stores before fuzzing. */
export function seedObjects(): { path: string; body: Record<string, any> }[] {
  return [
    { path: '/api/v1/namespaces', body: TARGETS[4].valid(NS) },
    ...SEEDED.configMaps.map((n) => ({ path: TARGETS[0].collection, body: TARGETS[0].valid(n) })),
    { path: TARGETS[1].collection, body: TARGETS[1].valid(SEEDED.pod) },
    { path: TARGETS[2].collection, body: TARGETS[2].valid(SEEDED.deployment) },
    { path: TARGETS[3].collection, body: TARGETS[3].valid(SEEDED.service) },
  ];
}

/** Every list the test compares before and after: each kind the fuzzer could touch, in all namespaces. */
export const LISTS = [
  '/api/v1/namespaces', '/api/v1/configmaps', '/api/v1/pods', '/api/v1/services', '/api/v1/secrets', '/api/v1/endpoints',
  '/api/v1/nodes', '/api/v1/events', '/api/v1/persistentvolumes', '/api/v1/persistentvolumeclaims',
  '/apis/apps/v1/deployments', '/apis/apps/v1/replicasets', '/apis/coordination.k8s.io/v1/leases',
  '/apis/policy/v1/poddisruptionbudgets', '/apis/discovery.k8s.io/v1/endpointslices',
];

type Generator = (r: Rand) => FuzzCase;

class Rand {
  constructor(readonly next: () => number) {}
  int(n: number): number { return Math.floor(this.next() * n); }
  pick<T>(items: readonly T[]): T { return items[this.int(items.length)]; }
  chance(p: number): boolean { return this.next() < p; }
  /** A fresh name nobody stored: a write that was wrongly accepted shows up as a new object. */
  name(): string { return `fuzz-${this.int(1e9).toString(36)}`; }
  target(): Target { return this.pick(TARGETS); }
  /** A target with a stored object (for PUT, PATCH, DELETE). */
  stored(): Target & { seeded: string } { return this.pick(TARGETS.filter((t) => t.seeded)) as Target & { seeded: string }; }
}

/** A random write of a body: a create on the collection, or a replace of a stored object. */
function write(r: Rand, body: string | Buffer, contentType = 'application/json'): RawRequest {
  const target = r.chance(0.6) ? r.target() : r.stored();
  const create = !target.seeded || r.chance(0.6);
  const path = create ? target.collection : target.item(target.seeded!);
  return { method: create ? 'POST' : 'PUT', path, body, headers: { 'Content-Type': contentType } };
}

const brokenJson: Generator = (r) => {
  const target = r.target();
  const text = JSON.stringify(target.valid(r.name()));
  const breakers = [
    () => text.slice(0, 1 + r.int(text.length - 2)), // cut short
    () => text.replace(/:/, ''), // a missing colon
    () => text.replace(/"/, "'"), // single quotes
    () => `${text},`, // a trailing comma after the object
    () => text.replace(/}$/, ',}'), // a trailing comma inside
    () => `{${text}`, // an extra brace
    () => Buffer.from(Array.from({ length: 1 + r.int(200) }, () => r.int(256))).toString('latin1'), // random bytes
    () => text.replace(/"(\w+)":/, '$1:'), // an unquoted key
    () => 'NaN',
    () => '',
    () => '\u0000',
  ];
  let body = r.pick(breakers)();
  if (isJson(body)) body = `${body}}`; // the cut happened to leave valid JSON
  return { category: 'broken JSON', request: write(r, body), expect: [400] };
};

function isJson(text: string): boolean {
  try { JSON.parse(text); return true; } catch { return false; }
}

const brokenYaml: Generator = (r) => {
  const name = r.name();
  const bodies = [
    `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [${name}\n`, // unclosed flow sequence
    `apiVersion: v1\nkind: ConfigMap\nmetadata:\n\tname: ${name}\n`, // a tab as indentation
    `apiVersion: v1\nkind: ConfigMap\n metadata: {name: ${name}\n`, // bad indentation, unclosed map
    `metadata: &a\n  name: *b\n`, // an unknown alias
    `- just\n- a\n- list\n`, // not an object
    `"just a string"\n`,
    `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  name: twice\n`, // a duplicate key
    `key: "unterminated\n`,
    `? [a, b\n: c\n`,
    `42`,
  ];
  const body = r.pick(bodies);
  let failsOrNotObject = true;
  try {
    const value = parseYaml(body);
    failsOrNotObject = value === null || typeof value !== 'object' || Array.isArray(value);
  } catch { /* broken, as wanted */ }
  if (!failsOrNotObject) throw new Error(`the generator made valid YAML: ${body}`);
  return { category: 'broken YAML', request: write(r, body, 'application/yaml'), expect: [400] };
};

/** A value of a type the schema does not allow at a field path, one per kind. */
const WRONG_TYPES: { target: number; set: (o: any) => void }[] = [
  { target: 0, set: (o) => { o.data = { key: 42 }; } },
  { target: 0, set: (o) => { o.data = ['a', 'b']; } },
  { target: 0, set: (o) => { o.metadata = 'a string'; } },
  { target: 0, set: (o) => { o.metadata.labels = ['a=b']; } },
  { target: 0, set: (o) => { o.metadata.name = 12345; } },
  { target: 0, set: (o) => { o.metadata.annotations = { a: true }; } },
  { target: 1, set: (o) => { o.spec.containers = { name: 'web' }; } },
  { target: 1, set: (o) => { o.spec.containers[0].ports = [{ containerPort: 'eighty' }]; } },
  { target: 1, set: (o) => { o.spec.containers[0].image = ['kubelab/web:1']; } },
  { target: 1, set: (o) => { o.spec = 7; } },
  { target: 1, set: (o) => { o.spec.terminationGracePeriodSeconds = '30'; } },
  { target: 1, set: (o) => { o.spec.containers[0].env = [{ name: 'A', value: 1 }]; } },
  { target: 2, set: (o) => { o.spec.replicas = 'three'; } },
  { target: 2, set: (o) => { o.spec.replicas = 1.5; } },
  { target: 2, set: (o) => { o.spec.selector = 'app=web'; } },
  { target: 2, set: (o) => { o.spec.template.spec.containers = 'web'; } },
  { target: 3, set: (o) => { o.spec.ports = [{ port: '80x' }]; } },
  { target: 3, set: (o) => { o.spec.ports = 80; } },
  { target: 3, set: (o) => { o.spec.selector = ['app']; } },
  { target: 4, set: (o) => { o.metadata.name = { name: 'x' }; } },
  { target: 4, set: (o) => { o.spec = { finalizers: 'kubernetes' }; } },
];

const wrongTypes: Generator = (r) => {
  const wrong = r.pick(WRONG_TYPES);
  const target = TARGETS[wrong.target];
  const obj = target.valid(r.name());
  wrong.set(obj);
  const create = !target.seeded || r.chance(0.6);
  if (!create && typeof obj.metadata === 'object' && typeof obj.metadata.name === 'string') obj.metadata.name = target.seeded;
  const request: RawRequest = { method: create ? 'POST' : 'PUT', path: create ? target.collection : target.item(target.seeded!), body: obj };
  return { category: 'wrong types', request, expect: [400] };
};

const huge: Generator = (r) => {
  const kinds = [
    // Over kube-apiserver's 3 MiB request limit: 413 whatever it holds.
    () => ({ body: Buffer.alloc(3 * 1024 * 1024 + 1 + r.int(1024 * 1024), 'a'), expect: [413] }),
    () => {
      const obj = TARGETS[0].valid(r.name());
      obj.data = { big: 'x'.repeat(3 * 1024 * 1024) };
      return { body: JSON.stringify(obj), expect: [413] };
    },
    // A ConfigMap over its 1 MiB limit (MaxSecretSize, pkg/apis/core/validation ValidateConfigMap).
    () => {
      const obj = TARGETS[0].valid(r.name());
      obj.data = { big: 'x'.repeat(1024 * 1024 + 1) };
      return { body: JSON.stringify(obj), expect: [422] };
    },
    // 256 KiB of annotations is the limit for every object (TotalAnnotationSizeLimitB).
    () => {
      const obj = TARGETS[0].valid(r.name());
      obj.metadata.annotations = { big: 'x'.repeat(256 * 1024 + 1) };
      return { body: JSON.stringify(obj), expect: [422], field: 'metadata.annotations' };
    },
  ];
  const made: { body: string | Buffer; expect: number[]; field?: string } = r.pick(kinds)();
  const path = TARGETS[0].collection;
  return { category: 'huge bodies', request: { method: 'POST', path, body: made.body }, expect: made.expect, field: made.field, };
};

/** Deeper than the JSON decoder's limit of 10,000 levels (Go's encoding/json maxNestingDepth, used by sigs.k8s.io/json). */
const deeplyNested: Generator = (r) => {
  const depth = 10_001 + r.int(50_000);
  const open = r.chance(0.5) ? '[' : '{"a":';
  const close = open === '[' ? ']' : '}';
  const inner = `${open.repeat(depth)}1${close.repeat(depth)}`;
  const name = r.name();
  // Just under the limit the decoder takes the body, and the value is refused for its type, at once.
  const under = 9_000 + r.int(1_000);
  const nearly = `${'['.repeat(under)}1${']'.repeat(under)}`;
  const bodies = [
    inner,
    `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"${name}","annotations":${inner}}}`,
    `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"${name}"},"data":{"k":"v"},"extra":${inner}}`,
    `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"${name}","labels":${nearly}}}`,
    `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"${name}"},"data":{"k":${nearly}}}`,
    nearly,
  ];
  return { category: 'deeply nested bodies', request: { method: 'POST', path: TARGETS[0].collection, body: r.pick(bodies) }, expect: [400] };
};

const BAD_NAMES = [
  'UPPER', '-leading-dash', 'trailing-dash-', 'under_score', 'a..b', 'spa ce', 'ünïcödé', 'x'.repeat(254), 'dot.', '.dot',
  'a@b', 'semi;colon', 'star*', 'a\\b',
];

const invalidNames: Generator = (r) => {
  const target = r.target();
  const isService = target.collection.endsWith('/services');
  const isNamespace = target.collection.endsWith('/namespaces');
  // Namespaces take DNS-1123 labels (no dots, at most 63 characters), Services DNS-1035 labels
  // (and no leading digit either); the rest take subdomains, which allow both.
  const labelOnly = ['has.dot', 'x'.repeat(64)];
  const names = isService ? [...BAD_NAMES, ...labelOnly, '1starts-with-digit'] : isNamespace ? [...BAD_NAMES, ...labelOnly] : BAD_NAMES;
  const obj = target.valid(r.pick(names));
  if (r.chance(0.1)) { obj.metadata.name = ''; }
  return { category: 'invalid names', request: { method: 'POST', path: target.collection, body: obj }, expect: [422], field: 'metadata.name' };
};

const BAD_LABEL_KEYS = ['bad key', '-a', 'a-', 'a/b/c', 'x'.repeat(64), 'Example.COM/x', '/x', 'x/', 'a@b', ''];
const BAD_LABEL_VALUES = ['x'.repeat(64), '-bad', 'bad-', 'a b', 'a/b', 'ä'];

const invalidLabels: Generator = (r) => {
  const target = r.target();
  const obj = target.valid(r.name());
  let field = 'metadata.labels';
  const what = r.int(3);
  if (what === 0) obj.metadata.labels = { [r.pick(BAD_LABEL_KEYS)]: 'ok' };
  else if (what === 1) obj.metadata.labels = { ok: r.pick(BAD_LABEL_VALUES) };
  else {
    obj.metadata.annotations = { [r.pick(BAD_LABEL_KEYS.filter((k) => k !== 'Example.COM/x'))]: 'any value' };
    field = 'metadata.annotations';
  }
  const create = !target.seeded || r.chance(0.6);
  if (!create) obj.metadata.name = target.seeded;
  const request: RawRequest = { method: create ? 'POST' : 'PUT', path: create ? target.collection : target.item(target.seeded!), body: obj };
  return { category: 'invalid labels', request, expect: [422], field };
};

const unknownKinds: Generator = (r) => {
  const name = r.name();
  const kinds: (() => FuzzCase)[] = [
    () => ({ category: '', request: { path: `/api/v1/namespaces/${NS}/${r.pick(['foos', 'pod', 'Pods', 'deployments', 'configmap'])}` }, expect: [404] }),
    () => ({ category: '', request: { method: 'POST', path: `/apis/${r.pick(['nope.io/v1', 'apps/v2', 'apps/v1beta1', 'batch/v1'])}/namespaces/${NS}/things`, body: { metadata: { name } } }, expect: [404] }),
    () => ({ category: '', request: { path: r.pick(['/api/v2/pods', '/apis/none', '/apis/apps/v2', '/api/v1/namespaces/fuzz/pods/web/nothing', '/api/v1/nodes/x/y/z', '/apis/apps/v1/namespaces/fuzz/deployments/app/status/more']) }, expect: [404] }),
    // A body whose kind or apiVersion is not the resource's.
    () => {
      const obj = TARGETS[0].valid(name);
      if (r.chance(0.5)) obj.kind = r.pick(['Pod', 'Foo', '', 'configmap']);
      else obj.apiVersion = r.pick(['v2', 'apps/v1', 'nope.io/v1', 'V1']);
      if (obj.kind === '') obj.kind = 'Unknown';
      return { category: '', request: { method: 'POST', path: TARGETS[0].collection, body: obj }, expect: [400] };
    },
    // Cluster-scoped kinds under a namespace, and namespaced kinds created without one.
    () => ({ category: '', request: { method: 'POST', path: '/api/v1/namespaces/fuzz/nodes', body: { metadata: { name } } }, expect: [404] }),
    () => ({ category: '', request: { method: 'POST', path: '/api/v1/configmaps', body: TARGETS[0].valid(name) }, expect: [405] }),
    // Verbs a path does not serve.
    () => ({ category: '', request: { method: 'PUT', path: TARGETS[0].collection, body: TARGETS[0].valid(name) }, expect: [405] }),
    () => ({ category: '', request: { method: 'POST', path: TARGETS[0].item(SEEDED.configMaps[1]), body: TARGETS[0].valid(name) }, expect: [405] }),
    // A namespace that does not exist, and one in the body that differs from the path.
    () => ({ category: '', request: { method: 'POST', path: '/api/v1/namespaces/no-such-namespace/configmaps', body: TARGETS[0].valid(name) }, expect: [404] }),
    () => {
      const obj = TARGETS[0].valid(name);
      obj.metadata.namespace = 'default';
      return { category: '', request: { method: 'POST', path: TARGETS[0].collection, body: obj }, expect: [400] };
    },
    // A path that is not even a valid URL escape.
    () => ({ category: '', request: { path: `/api/v1/namespaces/${r.pick(['%E0%A4%A', '%', '%zz', 'a%2'])}/configmaps` }, expect: [400, 404] }),
  ];
  return { ...r.pick(kinds)(), category: 'unknown kinds and paths' };
};

const unknownFields: Generator = (r) => {
  const target = r.target();
  const obj = target.valid(r.name());
  const where = r.int(3);
  if (where === 0) obj.bogusTopLevel = 1;
  else if (where === 1) obj.metadata.bogusMeta = 'x';
  else if (obj.spec) obj.spec.bogusSpec = { nested: true };
  else obj.bogusData = 'x';
  const create = !target.seeded || r.chance(0.6);
  if (!create) obj.metadata.name = target.seeded;
  const path = `${create ? target.collection : target.item(target.seeded!)}?fieldValidation=Strict`;
  return { category: 'unknown fields (Strict)', request: { method: create ? 'POST' : 'PUT', path, body: obj }, expect: [400] };
};

const BAD_LABEL_SELECTORS = ['a in (', '=x', 'a in (b', 'a=b=c', '!!a', 'a,,b', 'x in b', `${'x'.repeat(64)}=b`, 'a=-b', 'a notin', '(a)', 'a=b c', 'a!', 'a in (b c)'];
const BAD_FIELD_SELECTORS = ['metadata.bogus=x', 'spec.nodeName', 'status.phase!', 'a in (b)', 'metadata.name=a=b', 'spec.unknown!=x'];

const badSelectors: Generator = (r) => {
  const target = r.target();
  const label = r.chance(0.6);
  const selector = label ? `labelSelector=${encodeURIComponent(r.pick(BAD_LABEL_SELECTORS))}` : `fieldSelector=${encodeURIComponent(r.pick(BAD_FIELD_SELECTORS))}`;
  const watch = r.chance(0.3) ? '&watch=true' : '';
  const method = r.chance(0.15) && !target.collection.endsWith('/namespaces') ? 'DELETE' : 'GET'; // deletecollection with a bad selector deletes nothing
  return { category: 'bad selectors', request: { method, path: `${target.collection}?${selector}${method === 'GET' ? watch : ''}`, timeoutMs: 10_000 }, expect: [400] };
};

const badPatches: Generator = (r) => {
  const target = r.stored();
  const path = target.item(target.seeded);
  const json = 'application/json-patch+json';
  const merge = 'application/merge-patch+json';
  const strategic = 'application/strategic-merge-patch+json';
  const patches: { type: string; body: unknown; expect: number[]; field?: string }[] = [
    { type: json, body: { op: 'add', path: '/metadata/labels/a', value: 'b' }, expect: [400] }, // not a list
    { type: json, body: [{ op: 'bogus', path: '/metadata' }], expect: [422] },
    { type: json, body: [{ op: 'remove', path: '/metadata/nothing/here' }], expect: [422] },
    { type: json, body: [{ op: 'replace', path: '/spec/doesNotExist', value: 1 }], expect: [422] },
    { type: json, body: [{ op: 'test', path: '/metadata/name', value: 'someone-else' }], expect: [422] },
    { type: json, body: [{ op: 'add', path: 'no-leading-slash', value: 1 }], expect: [422] },
    { type: json, body: [{ op: 'add', path: '/metadata/labels/x', value: 'ok' }, { op: 'test', path: '/kind', value: 'Nope' }], expect: [422] }, // all or nothing
    { type: json, body: [{ op: 'replace', path: '/metadata/name', value: 'renamed' }], expect: [400] },
    { type: merge, body: [1, 2, 3], expect: [400] },
    { type: merge, body: { metadata: { labels: { 'bad key': 'x' } } }, expect: [422], field: 'metadata.labels' },
    { type: merge, body: { metadata: { resourceVersion: '1' } }, expect: [409] }, // a stale precondition
    { type: merge, body: { metadata: { name: 'renamed' } }, expect: [400] },
    { type: merge, body: { metadata: { labels: 'not-a-map' } }, expect: [400] },
    { type: strategic, body: 'a string', expect: [400] },
    { type: strategic, body: { metadata: { annotations: { '-bad': 'x' } } }, expect: [422], field: 'metadata.annotations' },
    { type: strategic, body: { kind: 'Pod', apiVersion: 'v2' }, expect: [400] },
    { type: 'text/plain', body: { metadata: { labels: { a: 'b' } } }, expect: [415] },
    { type: 'application/json', body: { metadata: { labels: { a: 'b' } } }, expect: [415] },
    { type: 'application/apply-patch+yaml', body: { metadata: { labels: { a: 'b' } } }, expect: [400] }, // no fieldManager
  ];
  if (target.collection.endsWith('/deployments')) {
    patches.push({ type: merge, body: { spec: { replicas: -1 } }, expect: [422], field: 'spec.replicas' });
    patches.push({ type: strategic, body: { spec: { replicas: 'many' } }, expect: [400] });
  }
  const patch = r.pick(patches);
  const broken = r.chance(0.1);
  const body = broken ? JSON.stringify(patch.body).slice(0, -1) : JSON.stringify(patch.body);
  const missing = r.chance(0.05);
  return {
    category: 'bad patches',
    request: { method: 'PATCH', path: missing ? target.item('no-such-object') : path, body, headers: { 'Content-Type': patch.type } },
    // A broken body, or a patch of an object that does not exist, fail before the patch is looked at.
    // (Options come first: an apply patch without its fieldManager is a 400 even for a missing object.)
    expect: patch.type === 'text/plain' || patch.type === 'application/json' ? [415]
      : patch.type === 'application/apply-patch+yaml' ? [400] : broken && missing ? [400, 404] : missing ? [404] : broken ? [400] : patch.expect,
    field: broken || missing ? undefined : patch.field,
  };
};

const badQuery: Generator = (r) => {
  const target = r.stored();
  const name = r.name();
  const kinds: (() => Omit<FuzzCase, 'category'>)[] = [
    () => ({ request: { path: `${target.collection}?limit=${r.pick(['-1', 'abc', '1.5', '1e400', '0x10', '1e3', ' 5'])}` }, expect: [400] }),
    () => ({ request: { path: `${target.collection}?limit=1&continue=${r.pick(['garbage', 'eyJydiI6ImEifQ', '%7B%7D', 'bnVsbA'])}` }, expect: [400] }),
    () => ({ request: { path: `${target.collection}?watch=true&resourceVersion=${r.pick(['abc', '-5', '1.5', '99999999999999999999'])}` }, expect: [400] }),
    () => ({ request: { path: `${target.collection}?resourceVersion=${r.pick(['abc', '-5', '1.5'])}` }, expect: [400] }),
    () => ({ request: { path: `${target.collection}?watch=true&timeoutSeconds=${r.pick(['abc', '1.5', '-1x'])}` }, expect: [400] }),
    // dryRun and fieldValidation take fixed values (ValidateDryRun, ValidateFieldValidation in
    // k8s.io/apimachinery/pkg/apis/meta/v1/validation): anything else is refused, not ignored.
    () => ({ request: { method: 'POST', path: `${target.collection}?dryRun=${r.pick(['Yes', 'true', 'all', 'None'])}`, body: target.valid(name) }, expect: [422], field: 'dryRun' }),
    () => ({ request: { method: 'POST', path: `${target.collection}?fieldValidation=${r.pick(['Bogus', 'strict', 'None'])}`, body: target.valid(name) }, expect: [422], field: 'fieldValidation' }),
    () => ({ request: { method: 'PUT', path: `${target.item(target.seeded)}?dryRun=Yes`, body: target.valid(target.seeded) }, expect: [422], field: 'dryRun' }),
    // Deletes with bad options delete nothing.
    () => ({ request: { method: 'DELETE', path: `${target.item(target.seeded)}?gracePeriodSeconds=${r.pick(['abc', '-5', '1.5'])}` }, expect: [400, 422] }),
    () => ({ request: { method: 'DELETE', path: `${target.item(target.seeded)}?propagationPolicy=${r.pick(['Bogus', 'orphan', ''])}x` }, expect: [400, 422] }),
    () => ({ request: { method: 'DELETE', path: target.item(target.seeded), body: { preconditions: { resourceVersion: '1' } } }, expect: [409] }),
    () => ({ request: { method: 'DELETE', path: target.item(target.seeded), body: { preconditions: { uid: 'not-the-uid' } } }, expect: [409] }),
    () => ({ request: { method: 'DELETE', path: target.item(target.seeded), body: '{"gracePeriodSeconds": ' }, expect: [400] }),
    () => ({ request: { method: 'DELETE', path: `${target.item(target.seeded)}?dryRun=Maybe` }, expect: [400, 422] }),
  ];
  return { ...r.pick(kinds)(), category: 'bad query parameters' };
};

const badTokens: Generator = (r) => {
  const target = r.target();
  const tokens = [null, 'wrong', 'process-test-token-but-longer', 'process-test-tokeX', ''];
  const headers: Record<string, string> = {};
  let token: string | null = r.pick(tokens);
  const scheme = r.int(4);
  if (scheme === 1) { headers.Authorization = `Basic ${Buffer.from('admin:admin').toString('base64')}`; token = null; }
  if (scheme === 2) { headers.Authorization = 'Bearer'; token = null; }
  const writes = r.chance(0.5);
  const request: RawRequest = writes
    ? { method: 'POST', path: target.collection, body: target.valid(r.name()), token, headers }
    : { method: r.pick(['GET', 'DELETE']), path: target.seeded ? target.item(target.seeded) : target.collection, token, headers };
  return { category: 'bad tokens', request, expect: [401] };
};

export const GENERATORS: Generator[] = [
  brokenJson, brokenYaml, wrongTypes, huge, deeplyNested, invalidNames, invalidLabels, unknownKinds, unknownFields, badSelectors,
  badPatches, badQuery, badTokens,
];

/** How often each generator runs, out of the sum: huge and deep bodies cost megabytes, so they are rarer. */
const WEIGHTS = [10, 8, 10, 1, 2, 10, 10, 10, 8, 10, 12, 12, 8];

/** The cases of one seed, one at a time (the huge ones cost megabytes: they are made when sent, not all at once). */
export function generator(seed: number): () => FuzzCase {
  const r = new Rand(prng(seed));
  const total = WEIGHTS.reduce((a, b) => a + b, 0);
  return () => {
    let roll = r.int(total);
    let g = 0;
    while (roll >= WEIGHTS[g]) roll -= WEIGHTS[g++];
    return GENERATORS[g](r);
  };
}
