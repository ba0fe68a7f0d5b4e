import { describe, expect, it } from 'vitest';
import { jsonMergePatch } from '../../reference/src/apiserver/patch/merge.ts';
import { applyJsonPatch, PatchError } from '../../reference/src/apiserver/patch/json-patch.ts';
import { strategicMergePatch } from '../../reference/src/apiserver/patch/strategic.ts';

function patchError(fn: () => unknown): PatchError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(PatchError);
    return err as PatchError;
  }
  throw new Error('expected a PatchError');
}

describe('JSON merge patch (RFC 7386)', () => {
  it('merges maps, deletes with null, replaces lists and scalars', () => {
    const original = { metadata: { labels: { app: 'web', tier: 'fe' } }, spec: { replicas: 1, ports: [1, 2] } };
    const result = jsonMergePatch(original, { metadata: { labels: { tier: null, env: 'prod' } }, spec: { replicas: 5, ports: [3] } });
    expect(result).toEqual({ metadata: { labels: { app: 'web', env: 'prod' } }, spec: { replicas: 5, ports: [3] } });
    expect(original.metadata.labels.tier).toBe('fe'); // the original is untouched
  });

  it('replaces the target when the patch is not an object', () => {
    expect(jsonMergePatch({ a: 1 }, [1, 2])).toEqual([1, 2]);
    expect(jsonMergePatch({ a: 1 }, 'x')).toBe('x');
    expect(jsonMergePatch({ a: [1] }, { a: { b: 1 } })).toEqual({ a: { b: 1 } });
    expect(jsonMergePatch('x', { a: { b: null, c: 1 } })).toEqual({ a: { c: 1 } });
  });

  it('applies the RFC 7386 appendix examples', () => {
    expect(jsonMergePatch({ a: 'b' }, { a: 'c' })).toEqual({ a: 'c' });
    expect(jsonMergePatch({ a: 'b' }, { b: 'c' })).toEqual({ a: 'b', b: 'c' });
    expect(jsonMergePatch({ a: 'b' }, { a: null })).toEqual({});
    expect(jsonMergePatch({ a: [{ b: 'c' }] }, { a: [1] })).toEqual({ a: [1] });
    expect(jsonMergePatch({ e: null }, { a: 1 })).toEqual({ e: null, a: 1 });
    expect(jsonMergePatch({}, { a: { bb: { ccc: null } } })).toEqual({ a: { bb: {} } });
  });
});

describe('JSON patch (RFC 6902)', () => {
  const deployment = {
    metadata: { name: 'web', annotations: { 'deployment.kubernetes.io/revision': '2' } },
    spec: { replicas: 3, template: { spec: { containers: [{ name: 'web', image: 'nginx:2' }] } } },
  };

  it('applies the operations kubectl rollout undo sends, to a copy', () => {
    const template = { spec: { containers: [{ name: 'web', image: 'nginx:1' }] } };
    const result = applyJsonPatch(deployment, [
      { op: 'replace', path: '/spec/template', value: template },
      { op: 'replace', path: '/metadata/annotations', value: { 'deployment.kubernetes.io/revision': '3' } },
    ]);
    expect(result.spec.template).toEqual(template);
    expect(result.metadata.annotations).toEqual({ 'deployment.kubernetes.io/revision': '3' });
    expect(deployment.spec.template.spec.containers[0].image).toBe('nginx:2');
  });

  it('supports add, remove, move, copy and test', () => {
    const result = applyJsonPatch({ a: { b: 1 }, list: [1, 2] }, [
      { op: 'test', path: '/a/b', value: 1 },
      { op: 'add', path: '/list/-', value: 3 },
      { op: 'add', path: '/list/0', value: 0 },
      { op: 'copy', from: '/a', path: '/c' },
      { op: 'move', from: '/a/b', path: '/d' },
      { op: 'remove', path: '/list/1' },
      { op: 'add', path: '/metadata~1name', value: 'escaped' },
    ]);
    expect(result).toEqual({ a: {}, c: { b: 1 }, d: 1, list: [0, 2, 3], 'metadata/name': 'escaped' });
  });

  it('fails a replace on a missing key like Kubernetes', () => {
    const err = patchError(() => applyJsonPatch(deployment, [{ op: 'replace', path: '/spec/paused', value: true }]));
    expect(err.message).toBe('replace operation does not apply: doc is missing key: /spec/paused: missing value');
    expect(err.code).toBe(422);
    expect(patchError(() => applyJsonPatch(deployment, [{ op: 'replace', path: '/status/x/y', value: 1 }])).message).toBe(
      'replace operation does not apply: doc is missing path: /status/x/y: missing value',
    );
  });

  it('fails remove, add, test, move with clear messages', () => {
    expect(patchError(() => applyJsonPatch(deployment, [{ op: 'remove', path: '/metadata/labels' }])).message).toBe(
      "error in remove for path: '/metadata/labels': Unable to remove nonexistent key: labels: missing value",
    );
    expect(patchError(() => applyJsonPatch(deployment, [{ op: 'add', path: '/status/phase', value: 'x' }])).message).toBe(
      'add operation does not apply: doc is missing path: "/status/phase": missing value',
    );
    expect(patchError(() => applyJsonPatch(deployment, [{ op: 'test', path: '/spec/replicas', value: 4 }])).message).toBe(
      'testing value /spec/replicas failed: test failed',
    );
    expect(patchError(() => applyJsonPatch(deployment, [{ op: 'move', from: '/nope', path: '/x' }])).message).toBe(
      'move operation does not apply: doc is missing from path: /nope: missing value',
    );
  });

  it('applies nothing when a later operation fails', () => {
    const original = { a: 1 };
    patchError(() => applyJsonPatch(original, [{ op: 'replace', path: '/a', value: 2 }, { op: 'remove', path: '/b' }]));
    expect(original).toEqual({ a: 1 });
  });

  it('rejects malformed patches', () => {
    const notList = patchError(() => applyJsonPatch(deployment, { op: 'add' }));
    expect(notList.code).toBe(400);
    expect(notList.message).toBe('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
    expect(patchError(() => applyJsonPatch(deployment, [{ op: 'frob', path: '/a' }])).message).toBe('Unexpected kind: frob: unknown object type');
    expect(patchError(() => applyJsonPatch(deployment, [{ op: 'add', path: '/a' }])).message).toBe('add operation missing value field: missing value');
    expect(patchError(() => applyJsonPatch(deployment, [{ op: 'remove' }])).message).toBe('operation missing path field: missing value');
  });
});

describe('strategic merge patch', () => {
  // The Deployment before `kubectl apply -f deployment4.yaml` (kubectl-wire.md §1.7).
  const deployment3 = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: 'web',
      namespace: 'default',
      labels: { app: 'web', tier: 'fe' },
      annotations: { 'deployment.kubernetes.io/revision': '1', 'kubectl.kubernetes.io/last-applied-configuration': '{"old":true}' },
    },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'web' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          containers: [
            {
              name: 'web',
              image: 'nginx:1.25',
              env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }],
              ports: [{ containerPort: 80, protocol: 'TCP' }, { containerPort: 443, protocol: 'TCP' }],
              imagePullPolicy: 'IfNotPresent',
            },
            { name: 'sidecar', image: 'busybox', command: ['sleep', '3600'] },
          ],
          restartPolicy: 'Always',
        },
      },
    },
    status: { replicas: 2 },
  };

  it('applies the deployment3 → deployment4 patch kubectl apply sent', () => {
    // Verbatim from kubectl-wire.md §1.7.
    const patch = JSON.parse(`{"metadata":{"annotations":{"kubectl.kubernetes.io/last-applied-configuration":"…"},"labels":{"tier":null}},
 "spec":{"strategy":{"$retainKeys":["type"],"rollingUpdate":null,"type":"Recreate"},
  "template":{"spec":{"$setElementOrder/containers":[{"name":"web"}],
   "containers":[{"$setElementOrder/env":[{"name":"B"}],"$setElementOrder/ports":[{"containerPort":80}],
     "env":[{"name":"B","value":"3"},{"$patch":"delete","name":"A"}],"image":"nginx:1.27","name":"web",
     "ports":[{"$patch":"delete","containerPort":443}]},
    {"$patch":"delete","name":"sidecar"}]}}}}`);
    const result = strategicMergePatch(deployment3, patch, 'Deployment');
    expect(result).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: {
        name: 'web',
        namespace: 'default',
        labels: { app: 'web' },
        annotations: { 'deployment.kubernetes.io/revision': '1', 'kubectl.kubernetes.io/last-applied-configuration': '…' },
      },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'web' } },
        strategy: { type: 'Recreate' },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: {
            containers: [
              {
                name: 'web',
                image: 'nginx:1.27',
                env: [{ name: 'B', value: '3' }],
                ports: [{ containerPort: 80, protocol: 'TCP' }],
                imagePullPolicy: 'IfNotPresent',
              },
            ],
            restartPolicy: 'Always',
          },
        },
      },
      status: { replicas: 2 },
    });
    expect(deployment3.spec.template.spec.containers).toHaveLength(2); // the original is untouched
  });

  it('applies kubectl set image: one container changes, the others stay', () => {
    const patch = {
      spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'web' }, { name: 'sidecar' }], containers: [{ image: 'img:2', name: 'web' }] } } },
    };
    const result = strategicMergePatch(deployment3, patch, 'Deployment');
    expect(result.spec.template.spec.containers.map((c: any) => `${c.name}=${c.image}`)).toEqual(['web=img:2', 'sidecar=busybox']);
    expect(result.spec.template.spec.containers[0].env).toHaveLength(2);
  });

  it('merges pod lists by their merge keys and appends new elements', () => {
    const pod = {
      spec: {
        containers: [{ name: 'a', image: 'x', volumeMounts: [{ name: 'v', mountPath: '/data' }] }],
        volumes: [{ name: 'v', emptyDir: {} }],
        imagePullSecrets: [{ name: 'reg' }],
      },
    };
    const result = strategicMergePatch(pod, {
      spec: {
        containers: [
          { name: 'a', volumeMounts: [{ mountPath: '/data', readOnly: true }, { name: 'w', mountPath: '/logs' }] },
          { name: 'b', image: 'y' },
        ],
        volumes: [{ name: 'w', emptyDir: {} }],
        imagePullSecrets: [{ name: 'other' }],
      },
    }, 'Pod');
    expect(result.spec.containers).toEqual([
      { name: 'a', image: 'x', volumeMounts: [{ name: 'v', mountPath: '/data', readOnly: true }, { name: 'w', mountPath: '/logs' }] },
      { name: 'b', image: 'y' },
    ]);
    expect(result.spec.volumes.map((v: any) => v.name)).toEqual(['v', 'w']);
    expect(result.spec.imagePullSecrets).toEqual([{ name: 'reg' }, { name: 'other' }]);
  });

  it('replaces lists that have no patch strategy (tolerations, envFrom, taints, subsets, containerStatuses)', () => {
    const pod = {
      spec: { tolerations: [{ key: 'a', operator: 'Exists' }], containers: [{ name: 'c', envFrom: [{ configMapRef: { name: 'x' } }] }] },
      status: { containerStatuses: [{ name: 'c', ready: false }, { name: 'd', ready: true }] },
    };
    const result = strategicMergePatch(pod, {
      spec: { tolerations: [{ key: 'b', operator: 'Exists' }], containers: [{ name: 'c', envFrom: [{ secretRef: { name: 's' } }] }] },
      status: { containerStatuses: [{ name: 'c', ready: true }] },
    }, 'Pod');
    expect(result.spec.tolerations).toEqual([{ key: 'b', operator: 'Exists' }]);
    expect(result.spec.containers[0].envFrom).toEqual([{ secretRef: { name: 's' } }]);
    expect(result.status.containerStatuses).toEqual([{ name: 'c', ready: true }]);

    const node = { spec: { taints: [{ key: 'a', effect: 'NoSchedule' }] } };
    expect(strategicMergePatch(node, { spec: { taints: [{ key: 'b', effect: 'NoExecute' }] } }, 'Node').spec.taints).toEqual([
      { key: 'b', effect: 'NoExecute' },
    ]);
    const endpoints = { subsets: [{ addresses: [{ ip: '10.0.0.1' }] }] };
    expect(strategicMergePatch(endpoints, { subsets: [{ addresses: [{ ip: '10.0.0.2' }] }] }, 'Endpoints').subsets).toEqual([
      { addresses: [{ ip: '10.0.0.2' }] },
    ]);
  });

  it('merges conditions by type, service ports by port, ownerReferences by uid', () => {
    const pod = { status: { conditions: [{ type: 'Ready', status: 'False' }, { type: 'PodScheduled', status: 'True' }] } };
    const patched = strategicMergePatch(pod, { status: { conditions: [{ type: 'Ready', status: 'True' }] } }, 'Pod');
    expect(patched.status.conditions).toEqual([{ type: 'Ready', status: 'True' }, { type: 'PodScheduled', status: 'True' }]);

    const node = { status: { conditions: [{ type: 'Ready', status: 'True' }] } };
    const nodePatched = strategicMergePatch(node, { status: { conditions: [{ type: 'MemoryPressure', status: 'False' }] } }, 'Node');
    expect(nodePatched.status.conditions.map((c: any) => c.type)).toEqual(['Ready', 'MemoryPressure']);

    const svc = { spec: { ports: [{ port: 80, targetPort: 8080 }, { port: 443 }] } };
    expect(strategicMergePatch(svc, { spec: { ports: [{ port: 80, targetPort: 9090 }] } }, 'Service').spec.ports).toEqual([
      { port: 80, targetPort: 9090 },
      { port: 443 },
    ]);

    const rs = { metadata: { ownerReferences: [{ uid: 'u1', name: 'web', controller: true }] } };
    const released = strategicMergePatch(rs, { metadata: { ownerReferences: [{ $patch: 'delete', uid: 'u1' }] } }, 'ReplicaSet');
    expect(released.metadata.ownerReferences).toEqual([]);
  });

  it('merges finalizers as a set and removes values with $deleteFromPrimitiveList', () => {
    const obj = { metadata: { finalizers: ['a', 'b'] } };
    expect(strategicMergePatch(obj, { metadata: { finalizers: ['b', 'c'] } }, 'ConfigMap').metadata.finalizers).toEqual(['a', 'b', 'c']);
    expect(strategicMergePatch(obj, { metadata: { '$deleteFromPrimitiveList/finalizers': ['a'] } }, 'Pod').metadata.finalizers).toEqual(['b']);
    expect(
      strategicMergePatch(obj, { metadata: { '$setElementOrder/finalizers': ['c', 'a'], finalizers: ['c'] } }, 'Pod').metadata.finalizers,
    ).toEqual(['c', 'a', 'b']);
  });

  it('handles $patch: replace on maps and lists', () => {
    const pod = { metadata: { labels: { a: '1', b: '2' } }, spec: { containers: [{ name: 'a' }, { name: 'b' }] } };
    const result = strategicMergePatch(pod, {
      metadata: { labels: { $patch: 'replace', c: '3' } },
      spec: { containers: [{ name: 'z', image: 'i' }, { $patch: 'replace' }] },
    }, 'Pod');
    expect(result.metadata.labels).toEqual({ c: '3' });
    expect(result.spec.containers).toEqual([{ name: 'z', image: 'i' }]);
  });

  it('deletes a map with $patch: delete and keys with null', () => {
    const node = { spec: { unschedulable: true, configSource: { x: 1 } } };
    const result = strategicMergePatch(node, { spec: { unschedulable: null, configSource: { $patch: 'delete' } } }, 'Node');
    expect(result).toEqual({ spec: {} });
  });

  it('orders merged lists with $setElementOrder, unlisted elements last', () => {
    const deploy = { spec: { template: { spec: { containers: [{ name: 'a' }, { name: 'b' }, { name: 'c' }] } } } };
    const result = strategicMergePatch(deploy, {
      spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'd' }, { name: 'b' }], containers: [{ name: 'd' }] } } },
    }, 'Deployment');
    expect(result.spec.template.spec.containers.map((c: any) => c.name)).toEqual(['d', 'b', 'a', 'c']);
    expect(JSON.stringify(result)).not.toContain('$setElementOrder');
  });

  it('keeps only the $retainKeys and rejects patch keys outside them', () => {
    const deploy = { spec: { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } } } };
    const result = strategicMergePatch(deploy, { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate' } } }, 'Deployment');
    expect(result.spec.strategy).toEqual({ type: 'Recreate' });
    const err = patchError(() =>
      strategicMergePatch(deploy, { spec: { strategy: { $retainKeys: ['type'], rollingUpdate: { maxSurge: 2 } } } }, 'Deployment'),
    );
    expect(err.message).toBe('invalid patch format of retainKeys');
  });

  it('maps workload templates to the pod spec table, and replaces lists of unknown kinds', () => {
    const rs = { spec: { template: { spec: { containers: [{ name: 'a', image: 'x' }, { name: 'b', image: 'y' }] } } } };
    const patch = { spec: { template: { spec: { containers: [{ name: 'a', image: 'z' }] } } } };
    expect(strategicMergePatch(rs, patch, 'ReplicaSet').spec.template.spec.containers).toHaveLength(2);
    expect(strategicMergePatch(rs, patch, 'Widget').spec.template.spec.containers).toEqual([{ name: 'a', image: 'z' }]);
  });

  it('strips directives from elements that are new', () => {
    const result = strategicMergePatch({}, { spec: { containers: [{ name: 'a', env: [{ name: 'X', value: '1' }, { $patch: 'delete', name: 'Y' }] }] } }, 'Pod');
    expect(result).toEqual({ spec: { containers: [{ name: 'a', env: [{ name: 'X', value: '1' }] }] } });
  });

  it('rejects elements without their merge key, unknown directives and non-object patches', () => {
    expect(patchError(() => strategicMergePatch({}, { spec: { containers: [{ image: 'x' }] } }, 'Pod')).message).toBe(
      'map: {"image":"x"} does not contain declared merge key: name',
    );
    expect(patchError(() => strategicMergePatch({}, { spec: { $patch: 'frob' } }, 'Pod')).message).toMatch(/^Unknown patch type: frob/);
    const notObject = patchError(() => strategicMergePatch({}, [1], 'Pod'));
    expect(notObject.code).toBe(400);
  });
});
