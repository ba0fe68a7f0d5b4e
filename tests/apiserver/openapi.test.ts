// Checks the OpenAPI v3 documents against what kubectl looks for in them:
// the fieldValidation PATCH check (create/apply/replace), the schemas `explain`
// renders, and the list merge extensions client-side apply reads.

import { describe, expect, it } from 'vitest';
import { RESOURCES, servedGroupVersions } from '../../reference/src/apiserver/resources.ts';
import { openApiDocument, openApiHash, openApiRoot } from '../../reference/src/apiserver/openapi/openapi.ts';

interface GVK { group: string; version: string; kind: string }
type Json = Record<string, any>;

function docPath(gv: { group: string; version: string }): string {
  return gv.group === '' ? `api/${gv.version}` : `apis/${gv.group}/${gv.version}`;
}

function doc(path: string): Json {
  const d = openApiDocument(path);
  expect(d, path).toBeDefined();
  return d as Json;
}

function sameGVK(a: GVK | undefined, b: GVK): boolean {
  return !!a && a.group === b.group && a.version === b.version && a.kind === b.kind;
}

/** All PATCH operations of a document whose x-kubernetes-group-version-kind is `gvk`. */
function patchOperationsFor(document: Json, gvk: GVK): Json[] {
  return Object.values(document.paths as Record<string, Json>)
    .map((item) => item.patch as Json | undefined)
    .filter((op): op is Json => !!op && sameGVK(op['x-kubernetes-group-version-kind'], gvk));
}

/** The schema explain uses: the one whose x-kubernetes-group-version-kind list contains `gvk`. */
function schemaFor(document: Json, gvk: GVK): Json | undefined {
  return Object.values(document.components.schemas as Record<string, Json>).find((s) =>
    ((s['x-kubernetes-group-version-kind'] ?? []) as GVK[]).some((g) => sameGVK(g, gvk)));
}

function collectRefs(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((v) => collectRefs(v, out));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === '$ref') out.push(v as string);
      else collectRefs(v, out);
    }
  }
  return out;
}

/** Follows `allOf: [{$ref}]` or `$ref` to the named schema, as explain does. */
function resolve(document: Json, property: Json): Json {
  const target = property.allOf?.[0]?.$ref ?? property.$ref ?? property.items?.$ref ?? property.items?.allOf?.[0]?.$ref;
  return document.components.schemas[String(target).replace('#/components/schemas/', '')];
}

describe('GET /openapi/v3', () => {
  it('lists every served group version with a hashed URL', () => {
    const root = openApiRoot() as Json;
    const expected = servedGroupVersions().map(docPath);
    expect(Object.keys(root.paths).sort()).toEqual([...expected].sort());
    for (const path of expected) {
      expect(root.paths[path].serverRelativeURL).toBe(`/openapi/v3/${path}?hash=${openApiHash(path)}`);
    }
  });

  it('has no document for a group version it does not serve', () => {
    expect(openApiDocument('apis/batch/v1')).toBeUndefined();
    expect(openApiHash('apis/batch/v1')).toBeUndefined();
  });

  it('accepts the path as the server sees it and builds each document once', () => {
    expect(openApiDocument('/openapi/v3/apis/apps/v1?hash=abc')).toBe(openApiDocument('apis/apps/v1'));
    expect(openApiHash('apis/apps/v1')).toMatch(/^[0-9A-F]{128}$/);
  });
});

describe('group-version documents', () => {
  for (const gv of servedGroupVersions()) {
    const path = docPath(gv);

    it(`${path} is an OpenAPI 3 document`, () => {
      const d = doc(path);
      expect(d.openapi).toBe('3.0.0');
      expect(d.info).toEqual({ title: 'Kubernetes', version: expect.stringMatching(/^v1\.32\./) });
    });

    it(`${path}: every $ref resolves within the document`, () => {
      const d = doc(path);
      const refs = collectRefs(d);
      expect(refs.length).toBeGreaterThan(0);
      for (const r of refs) {
        expect(r.startsWith('#/components/schemas/'), r).toBe(true);
        expect(d.components.schemas[r.slice('#/components/schemas/'.length)], r).toBeDefined();
      }
    });
  }

  for (const r of RESOURCES) {
    const gvk = { group: r.group, version: r.version, kind: r.kind };
    const label = `${r.group || 'core'}/${r.version} ${r.kind}`;

    it(`${label}: a PATCH operation takes fieldValidation (kubectl's server-side validation check)`, () => {
      const ops = patchOperationsFor(doc(docPath(r)), gvk);
      expect(ops.length).toBeGreaterThan(0);
      // kubectl stops at the first matching PATCH it meets, in no fixed order, so all must qualify.
      for (const op of ops) {
        const names = (op.parameters as Json[]).filter((p) => p.in === 'query').map((p) => p.name);
        expect(names).toEqual(expect.arrayContaining(['fieldValidation', 'fieldManager', 'dryRun', 'force']));
        expect(op['x-kubernetes-action']).toBe('patch');
        // Client-side apply only uses the schemas when strategic merge patch is accepted.
        expect(op.requestBody.content['application/strategic-merge-patch+json']).toBeDefined();
      }
    });

    it(`${label}: has a schema explain can find, with descriptions`, () => {
      const schema = schemaFor(doc(docPath(r)), gvk);
      expect(schema).toBeDefined();
      expect(schema!.description).toBeTruthy();
      expect(schema!.properties.metadata.description).toBeTruthy();
    });

    it(`${label}: POST and PUT take fieldValidation too`, () => {
      const d = doc(docPath(r));
      const writes = Object.values(d.paths as Record<string, Json>)
        .flatMap((item) => [item.post, item.put])
        .filter((op) => op && sameGVK(op['x-kubernetes-group-version-kind'], gvk));
      expect(writes.length).toBeGreaterThan(0);
      for (const op of writes) expect(op.parameters.map((p: Json) => p.name)).toContain('fieldValidation');
    });
  }
});

describe('paths', () => {
  it('has collection, item, all-namespaces and subresource paths for pods', () => {
    const paths = doc('api/v1').paths;
    const collection = paths['/api/v1/namespaces/{namespace}/pods'];
    expect(collection.get['x-kubernetes-action']).toBe('list');
    expect(collection.post['x-kubernetes-action']).toBe('post');
    expect(collection.delete['x-kubernetes-action']).toBe('deletecollection');
    const item = paths['/api/v1/namespaces/{namespace}/pods/{name}'];
    expect(Object.keys(item).filter((k) => k !== 'parameters').sort()).toEqual(['delete', 'get', 'patch', 'put']);
    expect(paths['/api/v1/pods'].get.operationId).toBe('listCoreV1PodForAllNamespaces');
    expect(paths['/api/v1/namespaces/{namespace}/pods/{name}/status'].patch['x-kubernetes-group-version-kind'])
      .toEqual({ group: '', kind: 'Pod', version: 'v1' });
    expect(paths['/api/v1/namespaces/{namespace}/pods/{name}/eviction'].post['x-kubernetes-group-version-kind'])
      .toEqual({ group: 'policy', kind: 'Eviction', version: 'v1' });
    expect(paths['/api/v1/namespaces/{namespace}/pods/{name}/log'].get).toBeDefined();
  });

  it('uses cluster-scoped paths for nodes and namespaces', () => {
    const paths = doc('api/v1').paths;
    expect(paths['/api/v1/nodes/{name}'].patch).toBeDefined();
    expect(paths['/api/v1/namespaces/{name}'].patch).toBeDefined();
    // Namespaces have no deletecollection verb.
    expect(paths['/api/v1/namespaces'].delete).toBeUndefined();
    expect(paths['/api/v1/namespaces/{namespace}/nodes']).toBeUndefined();
  });

  it('serves deployments/scale as autoscaling/v1 Scale inside apps/v1', () => {
    const d = doc('apis/apps/v1');
    const scale = d.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale'];
    expect(scale.patch['x-kubernetes-group-version-kind']).toEqual({ group: 'autoscaling', kind: 'Scale', version: 'v1' });
    expect(scale.put.parameters.map((p: Json) => p.name)).toContain('fieldValidation');
    expect(d.components.schemas['io.k8s.api.autoscaling.v1.Scale']).toBeDefined();
  });
});

describe('schemas', () => {
  it('Pod is named and described as Kubernetes does', () => {
    const d = doc('api/v1');
    const pod = d.components.schemas['io.k8s.api.core.v1.Pod'];
    expect(pod['x-kubernetes-group-version-kind']).toEqual([{ group: '', kind: 'Pod', version: 'v1' }]);
    expect(pod.properties.spec.description).toMatch(/desired behavior of the pod/);
    expect(pod.properties.spec.allOf).toEqual([{ $ref: '#/components/schemas/io.k8s.api.core.v1.PodSpec' }]);
    expect(d.components.schemas['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta']).toBeDefined();
    expect(d.components.schemas['io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions']).toBeDefined();
    expect(d.components.schemas['io.k8s.apimachinery.pkg.apis.meta.v1.Status']).toBeDefined();
  });

  it('Deployment reaches containers through spec.template.spec (explain deployment.spec.template.spec.containers)', () => {
    const d = doc('apis/apps/v1');
    const deployment = d.components.schemas['io.k8s.api.apps.v1.Deployment'];
    expect(deployment['x-kubernetes-group-version-kind']).toEqual([{ group: 'apps', kind: 'Deployment', version: 'v1' }]);
    expect(deployment.properties.spec.description).toBeTruthy();
    const spec = resolve(d, deployment.properties.spec);
    expect(spec.required).toEqual(['selector', 'template']);
    const podSpec = resolve(d, resolve(d, spec.properties.template).properties.spec);
    expect(podSpec.properties.containers.type).toBe('array');
    const container = resolve(d, podSpec.properties.containers);
    expect(container.required).toEqual(['name']);
    expect(container.properties.image).toMatchObject({ type: 'string', description: expect.stringMatching(/image name/i) });
  });

  it('has types, formats and maps', () => {
    const s = doc('api/v1').components.schemas;
    const meta = s['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'].properties;
    expect(meta.labels).toMatchObject({ type: 'object', additionalProperties: { type: 'string' } });
    expect(meta.creationTimestamp).toMatchObject({ type: 'string', format: 'date-time' });
    expect(meta.generation).toMatchObject({ type: 'integer', format: 'int64' });
    const port = s['io.k8s.api.core.v1.ServicePort'].properties;
    expect(port.targetPort.allOf[0].$ref).toBe('#/components/schemas/io.k8s.apimachinery.pkg.util.intstr.IntOrString');
    expect(s['io.k8s.apimachinery.pkg.util.intstr.IntOrString']).toMatchObject({ format: 'int-or-string', 'x-kubernetes-int-or-string': true });
    expect(s['io.k8s.api.core.v1.ResourceRequirements'].properties.limits.additionalProperties.$ref)
      .toBe('#/components/schemas/io.k8s.apimachinery.pkg.api.resource.Quantity');
  });

  it('carries the list merge extensions client-side apply reads', () => {
    const s = doc('apis/apps/v1').components.schemas;
    const podSpec = s['io.k8s.api.core.v1.PodSpec'].properties;
    expect(podSpec.containers).toMatchObject({ 'x-kubernetes-patch-merge-key': 'name', 'x-kubernetes-patch-strategy': 'merge' });
    expect(podSpec.volumes).toMatchObject({ 'x-kubernetes-patch-merge-key': 'name', 'x-kubernetes-patch-strategy': 'merge,retainKeys' });
    const container = s['io.k8s.api.core.v1.Container'].properties;
    expect(container.ports['x-kubernetes-patch-merge-key']).toBe('containerPort');
    expect(container.env['x-kubernetes-patch-merge-key']).toBe('name');
    expect(container.volumeMounts['x-kubernetes-patch-merge-key']).toBe('mountPath');
    const meta = s['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'].properties;
    expect(meta.ownerReferences['x-kubernetes-patch-merge-key']).toBe('uid');
    expect(meta.finalizers['x-kubernetes-patch-strategy']).toBe('merge');
    const deploymentStatus = s['io.k8s.api.apps.v1.DeploymentStatus'].properties;
    expect(deploymentStatus.conditions['x-kubernetes-patch-merge-key']).toBe('type');
    expect(doc('api/v1').components.schemas['io.k8s.api.core.v1.ServiceSpec'].properties.ports['x-kubernetes-patch-merge-key']).toBe('port');
  });

  it('keeps each document to the schemas its group version reaches', () => {
    const lease = doc('apis/coordination.k8s.io/v1').components.schemas;
    expect(lease['io.k8s.api.coordination.v1.Lease']).toBeDefined();
    expect(lease['io.k8s.api.core.v1.Pod']).toBeUndefined();
    expect(doc('api/v1').components.schemas['io.k8s.api.apps.v1.Deployment']).toBeUndefined();
  });
});
