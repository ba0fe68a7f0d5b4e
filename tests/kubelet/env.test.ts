// A container's environment: $(VAR) expansion as Kubernetes does it, fieldRef,
// configMapKeyRef, secretKeyRef and envFrom, and the layers around it in the
// process runtime.

import { describe, expect, it } from 'vitest';
import { expand, lookupIn } from '../../reference/src/kubelet/pods/expansion.ts';
import { ContainerConfigError, expandAll, processEnv, referencedNames, resolveEnv, type EnvSources } from '../../reference/src/kubelet/pods/env.ts';
import { envValues } from '../../reference/src/kubelet/pods/config-sources.ts';

describe('expand', () => {
  const vars = lookupIn({ A: 'alpha', B: 'beta', EMPTY: '' });
  it.each([
    ['$(A)', 'alpha'],
    ['x-$(A)-$(B)-y', 'x-alpha-beta-y'],
    ['$(EMPTY)|', '|'],
    ['$(MISSING)', '$(MISSING)'],
    ['$$(A)', '$(A)'],
    ['$$$(A)', '$alpha'],
    ['$A', '$A'],
    ['cost: $', 'cost: $'],
    ['$(A', '$(A'],
    ['$()', '$()'],
    ['', ''],
  ])('%s → %s', (input, output) => {
    expect(expand(input, vars)).toBe(output);
  });
});

describe('resolveEnv', () => {
  const pod = {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name: 'web', namespace: 'shop', uid: 'u-1', labels: { app: 'web' }, annotations: { 'example.com/x': 'y' } },
    spec: { nodeName: 'node-1', serviceAccountName: 'default' },
  };
  type Loaded = Record<string, Record<string, string> | undefined>;
  const sources = (configMaps: Loaded = {}, secrets: Loaded = {}): EnvSources => ({
    pod, podIP: '127.200.1.5', hostIP: '127.10.1.1', configMaps: new Map(Object.entries(configMaps)), secrets: new Map(Object.entries(secrets)),
  });
  const field = (name: string, fieldPath: string) => ({ name, valueFrom: { fieldRef: { fieldPath } } });

  it('resolves the downward API fields', () => {
    const env = resolveEnv({
      env: [
        field('NAME', 'metadata.name'), field('NS', 'metadata.namespace'), field('UID', 'metadata.uid'),
        field('APP', "metadata.labels['app']"), field('NOTE', "metadata.annotations['example.com/x']"), field('NONE', "metadata.labels['nope']"),
        field('NODE', 'spec.nodeName'), field('SA', 'spec.serviceAccountName'), field('IP', 'status.podIP'), field('HOST', 'status.hostIP'),
      ],
    }, sources());
    expect(env).toEqual({
      NAME: 'web', NS: 'shop', UID: 'u-1', APP: 'web', NOTE: 'y', NONE: '', NODE: 'node-1', SA: 'default', IP: '127.200.1.5', HOST: '127.10.1.1',
    });
  });

  it('expands $(VAR) from variables declared before, not after', () => {
    const env = resolveEnv({
      env: [
        { name: 'GREETING', value: 'hello $(WHO)' },
        { name: 'WHO', value: 'world' },
        { name: 'MESSAGE', value: '$(GREETING), $(WHO) on $(NODE)' },
        field('NODE', 'spec.nodeName'),
      ],
    }, sources());
    expect(env.GREETING).toBe('hello $(WHO)');
    expect(env.MESSAGE).toBe('hello $(WHO), world on $(NODE)');
  });

  it('reads ConfigMaps: envFrom with a prefix, then env entries that win over it', () => {
    const env = resolveEnv({
      envFrom: [{ configMapRef: { name: 'cfg' }, prefix: 'CFG_' }, { configMapRef: { name: 'more' } }],
      env: [{ name: 'COLOR', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'color' } } }, { name: 'SHADE', value: '$(COLOR)-ish' }],
    }, sources({ cfg: { color: 'blue', 'bad name': 'skipped' }, more: { COLOR: 'red' } }));
    expect(env).toEqual({ CFG_color: 'blue', COLOR: 'blue', SHADE: 'blue-ish' });
  });

  it('fails with the kubelet words for a missing ConfigMap or key, unless optional', () => {
    expect(() => resolveEnv({ envFrom: [{ configMapRef: { name: 'gone' } }] }, sources({ gone: undefined }))).toThrow('configmap "gone" not found');
    expect(() => resolveEnv({ env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'nope' } } }] }, sources({ cfg: {} })))
      .toThrow("couldn't find key nope in ConfigMap shop/cfg");
    try {
      resolveEnv({ envFrom: [{ configMapRef: { name: 'gone' } }] }, sources({ gone: undefined }));
    } catch (err) {
      expect(err).toBeInstanceOf(ContainerConfigError);
      expect((err as ContainerConfigError).reason).toBe('CreateContainerConfigError');
    }
    const env = resolveEnv({
      envFrom: [{ configMapRef: { name: 'gone', optional: true } }],
      env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'gone', key: 'k', optional: true } } }],
    }, sources({ gone: undefined }));
    expect(env).toEqual({});
  });

  it('reads Secrets like ConfigMaps: envFrom with a prefix, secretKeyRef, both in declaration order', () => {
    const env = resolveEnv({
      envFrom: [{ secretRef: { name: 'db' }, prefix: 'DB_' }, { configMapRef: { name: 'cfg' } }],
      env: [{ name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } }, { name: 'DSN', value: '$(DB_user):$(PASSWORD)@$(host)' }],
    }, sources({ cfg: { host: 'db.local' } }, { db: { user: 'admin', password: 's3cret' } }));
    expect(env).toEqual({ DB_user: 'admin', DB_password: 's3cret', host: 'db.local', PASSWORD: 's3cret', DSN: 'admin:s3cret@db.local' });
  });

  it('fails with the kubelet words for a missing Secret or key, unless optional', () => {
    expect(() => resolveEnv({ envFrom: [{ secretRef: { name: 'gone' } }] }, sources({}, { gone: undefined }))).toThrow('secret "gone" not found');
    expect(() => resolveEnv({ env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 'gone', key: 'k' } } }] }, sources({}, { gone: undefined })))
      .toThrow('secret "gone" not found');
    expect(() => resolveEnv({ env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 'db', key: 'nope' } } }] }, sources({}, { db: { user: 'admin' } })))
      .toThrow("couldn't find key nope in Secret shop/db");
    // A ConfigMap of the same name does not stand in for the Secret.
    expect(() => resolveEnv({ env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 'db', key: 'k' } } }] }, sources({ db: { k: 'v' } }, { db: undefined })))
      .toThrow('secret "db" not found');
    const env = resolveEnv({
      envFrom: [{ secretRef: { name: 'gone', optional: true } }],
      env: [
        { name: 'X', valueFrom: { secretKeyRef: { name: 'gone', key: 'k', optional: true } } },
        { name: 'Y', valueFrom: { secretKeyRef: { name: 'db', key: 'nope', optional: true } } },
      ],
    }, sources({}, { gone: undefined, db: { user: 'admin' } }));
    expect(env).toEqual({});
  });

  it('lists the ConfigMaps and the Secrets a container needs, each name once', () => {
    const container = {
      envFrom: [{ configMapRef: { name: 'a' } }, { secretRef: { name: 's' } }],
      env: [
        { name: 'X', valueFrom: { configMapKeyRef: { name: 'b', key: 'k' } } }, { name: 'Y', value: '1' },
        { name: 'Z', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }, { name: 'W', valueFrom: { secretKeyRef: { name: 't', key: 'k' } } },
      ],
    };
    expect(referencedNames(container, 'ConfigMap')).toEqual(['a', 'b']);
    expect(referencedNames(container, 'Secret')).toEqual(['s', 't']);
  });
});

describe('envValues', () => {
  it('decodes a Secret\'s base64 data to text; a ConfigMap gives its data as it is, without binaryData', () => {
    const secret = { apiVersion: 'v1', kind: 'Secret', metadata: {}, data: { password: Buffer.from('hunter2').toString('base64'), empty: '' } };
    expect(envValues('Secret', secret)).toEqual({ password: 'hunter2', empty: '' });
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: {}, data: { color: 'blue' }, binaryData: { logo: 'AAEC' } };
    expect(envValues('ConfigMap', cm)).toEqual({ color: 'blue' });
  });
});

describe('command, args and the process environment', () => {
  it('expands $(VAR) in command and args from the container env', () => {
    expect(expandAll(['--port=$(PORT)', '$(NOPE)', '$$(PORT)'], { PORT: '9090' })).toEqual(['--port=9090', '$(NOPE)', '$(PORT)']);
    expect(expandAll(undefined, {})).toBeUndefined();
  });

  it('layers PATH, HOSTNAME, the tag and image env under the pod env; pod IP and mounts on top', () => {
    const env = processEnv({
      hostname: 'web', imageTag: '2', imageEnv: { PORT: '8080', COLOR: 'grey' }, podIP: '127.200.1.5', mounts: { '/data': '/tmp/x' },
      containerEnv: { COLOR: 'blue', HOSTNAME: 'custom', KUBELAB_POD_IP: 'spoofed' },
    });
    expect(env).toMatchObject({ HOSTNAME: 'custom', KUBELAB_IMAGE_TAG: '2', PORT: '8080', COLOR: 'blue', KUBELAB_POD_IP: '127.200.1.5', KUBELAB_MOUNTS: '{"/data":"/tmp/x"}' });
    expect(env.PATH).toBe(process.env.PATH);
    expect(Object.keys(env)).not.toContain('KUBELAB_TOKEN');
  });
});
