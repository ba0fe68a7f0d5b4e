// Secrets over HTTP, and the checks ConfigMaps share with them: defaults,
// stringData folded into data, validation (base64, keys, size, the built-in
// types, type and immutable on update), the type field selector, the table,
// and discovery and OpenAPI knowing the kind.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApiServer } from '../support/apiserver.ts';

let api: Awaited<ReturnType<typeof startTestApiServer>>;
beforeAll(async () => {
  api = await startTestApiServer();
});
afterAll(() => api.stop());

const SECRETS = '/api/v1/namespaces/default/secrets';
const CONFIGMAPS = '/api/v1/namespaces/default/configmaps';
const b64 = (text: string) => Buffer.from(text).toString('base64');
const secret = (name: string, extra: Record<string, unknown> = {}) => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name }, ...extra });
const MERGE = { 'Content-Type': 'application/merge-patch+json' };

/** The 422's causes as `field: reason`, to compare without the long messages. */
function causes(res: { status: number; json?: any }): string[] {
  expect(res.status, JSON.stringify(res.json)).toBe(422);
  expect(res.json).toMatchObject({ kind: 'Status', reason: 'Invalid' });
  return res.json.details.causes.map((c: any) => `${c.field}: ${c.reason}`);
}

describe('defaults and stringData', () => {
  it('defaults type to Opaque and stores data as sent', async () => {
    const res = await api.request({ method: 'POST', path: SECRETS, body: secret('plain', { data: { user: b64('admin') } }) });
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({ type: 'Opaque', data: { user: b64('admin') } });
    expect((await api.request({ path: `${SECRETS}/plain` })).json.type).toBe('Opaque');
  });

  it('encodes stringData into data, where it wins over the same key, and never stores stringData', async () => {
    const res = await api.request({
      method: 'POST', path: SECRETS,
      body: secret('mixed', { data: { user: b64('old'), keep: b64('kept') }, stringData: { user: 'admin', 'pass.txt': 'hunter2 ünïcode' } }),
    });
    expect(res.status).toBe(201);
    const stored = (await api.request({ path: `${SECRETS}/mixed` })).json;
    expect(stored.data).toEqual({ user: b64('admin'), keep: b64('kept'), 'pass.txt': b64('hunter2 ünïcode') });
    expect(stored.stringData).toBeUndefined();
  });

  it('folds stringData on updates too: PUT and merge patch', async () => {
    await api.request({ method: 'POST', path: SECRETS, body: secret('rotating', { stringData: { token: 'one' } }) });
    const current = (await api.request({ path: `${SECRETS}/rotating` })).json;
    const put = await api.request({ method: 'PUT', path: `${SECRETS}/rotating`, body: { ...current, stringData: { token: 'two' } } });
    expect(put.status).toBe(200);
    expect(put.json.data).toEqual({ token: b64('two') });
    expect(put.json.stringData).toBeUndefined();
    const patched = await api.request({ method: 'PATCH', path: `${SECRETS}/rotating`, body: { stringData: { extra: 'three' } }, headers: MERGE });
    expect(patched.status).toBe(200);
    expect(patched.json.data).toEqual({ token: b64('two'), extra: b64('three') });
    expect(patched.json.stringData).toBeUndefined();
  });

  it('gives secret and configMap volumes of a pod the default file mode 0644 (420)', async () => {
    const res = await api.request({
      method: 'POST', path: '/api/v1/namespaces/default/pods',
      body: {
        apiVersion: 'v1', kind: 'Pod', metadata: { name: 'mounts' },
        spec: {
          containers: [{ name: 'web', image: 'kubelab/web:1' }],
          volumes: [{ name: 's', secret: { secretName: 'x' } }, { name: 'c', configMap: { name: 'y', defaultMode: 0o400 } }],
        },
      },
    });
    expect(res.json.spec.volumes).toEqual([{ name: 's', secret: { secretName: 'x', defaultMode: 420 } }, { name: 'c', configMap: { name: 'y', defaultMode: 256 } }]);
  });
});

describe('validation', () => {
  it('rejects data that is not base64 with the key in the field path and without echoing the value', async () => {
    const res = await api.request({ method: 'POST', path: SECRETS, body: secret('bad-b64', { data: { password: 'not base64!' } }) });
    expect(causes(res)).toEqual(['data[password]: FieldValueInvalid']);
    expect(res.text).not.toContain('not base64!');
    expect(res.json.message).toContain('<secret contents redacted>');
    expect((await api.request({ path: `${SECRETS}/bad-b64` })).status).toBe(404);
  });

  it('rejects keys that are not config keys, for Secrets and ConfigMaps alike', async () => {
    const bad = await api.request({ method: 'POST', path: SECRETS, body: secret('bad-key', { stringData: { 'a b': 'x', '..hidden': 'y' } }) });
    expect(causes(bad).sort()).toEqual(['data[..hidden]: FieldValueInvalid', 'data[a b]: FieldValueInvalid']);
    expect(bad.json.message).toContain("a valid config key must consist of alphanumeric characters, '-', '_' or '.'");
    const cm = await api.request({ method: 'POST', path: CONFIGMAPS, body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'bad-key' }, data: { 'a/b': 'x' } } });
    expect(causes(cm)).toEqual(['data[a/b]: FieldValueInvalid']);
  });

  it('rejects more than 1 MiB of data', async () => {
    const res = await api.request({ method: 'POST', path: SECRETS, body: secret('huge', { data: { a: Buffer.alloc(1024 * 1024 + 1).toString('base64') } }) });
    expect(causes(res)).toEqual(['data: FieldValueTooLong']);
    expect(res.json.message).toContain('Too long: must have at most 1048576 bytes');
  });

  it.each([
    ['kubernetes.io/tls', { 'tls.crt': b64('cert') }, ['data[tls.key]: FieldValueRequired']],
    ['kubernetes.io/basic-auth', { other: b64('x') }, ['data[username]: FieldValueRequired', 'data[password]: FieldValueRequired']],
    ['kubernetes.io/ssh-auth', { 'ssh-privatekey': '' }, ['data[ssh-privatekey]: FieldValueRequired']],
    ['kubernetes.io/dockerconfigjson', {}, ['data[.dockerconfigjson]: FieldValueRequired']],
    ['kubernetes.io/dockerconfigjson', { '.dockerconfigjson': b64('{not json') }, ['data[.dockerconfigjson]: FieldValueInvalid']],
    ['kubernetes.io/service-account-token', {}, ['metadata.annotations[kubernetes.io/service-account.name]: FieldValueRequired']],
  ])('requires the keys of type %s', async (type, data, expected) => {
    const res = await api.request({ method: 'POST', path: SECRETS, body: secret('typed', { type, data }) });
    expect(causes(res)).toEqual(expected);
    expect(res.text).not.toContain('not json');
  });

  it('accepts the built-in types with their keys (basic-auth needs only one of username and password)', async () => {
    for (const [name, type, data] of [
      ['tls', 'kubernetes.io/tls', { 'tls.crt': b64('cert'), 'tls.key': b64('key') }],
      ['basic', 'kubernetes.io/basic-auth', { password: b64('pw') }],
      ['registry', 'kubernetes.io/dockerconfigjson', { '.dockerconfigjson': b64('{"auths":{}}') }],
      ['ssh', 'kubernetes.io/ssh-auth', { 'ssh-privatekey': b64('key') }],
      ['mine', 'example.com/custom', {}],
    ] as const) {
      const res = await api.request({ method: 'POST', path: SECRETS, body: secret(name, { type, data }) });
      expect(res.status, `${type}: ${res.text}`).toBe(201);
    }
  });

  it('keeps type immutable on update', async () => {
    const res = await api.request({ method: 'PATCH', path: `${SECRETS}/plain`, body: { type: 'kubernetes.io/tls' }, headers: MERGE });
    expect(causes(res)).toContain('type: FieldValueInvalid');
    expect(res.json.message).toContain('type: Invalid value: "kubernetes.io/tls": field is immutable');
  });

  it('freezes the data of an immutable Secret or ConfigMap, and the flag itself; metadata may still change', async () => {
    await api.request({ method: 'POST', path: SECRETS, body: secret('frozen', { immutable: true, stringData: { a: '1' } }) });
    const data = await api.request({ method: 'PATCH', path: `${SECRETS}/frozen`, body: { stringData: { a: '2' } }, headers: MERGE });
    expect(causes(data)).toEqual(['data: FieldValueForbidden']);
    expect(data.json.message).toContain('data: Forbidden: field is immutable when `immutable` is set');
    const flag = await api.request({ method: 'PATCH', path: `${SECRETS}/frozen`, body: { immutable: false }, headers: MERGE });
    expect(causes(flag)).toEqual(['immutable: FieldValueForbidden']);
    const labels = await api.request({ method: 'PATCH', path: `${SECRETS}/frozen`, body: { metadata: { labels: { a: 'b' } } }, headers: MERGE });
    expect(labels.status).toBe(200);

    await api.request({ method: 'POST', path: CONFIGMAPS, body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'frozen' }, immutable: true, data: { a: '1' } } });
    const cm = await api.request({ method: 'PATCH', path: `${CONFIGMAPS}/frozen`, body: { data: { a: '2' }, binaryData: { b: 'AA==' } }, headers: MERGE });
    expect(causes(cm)).toEqual(['data: FieldValueForbidden', 'binaryData: FieldValueForbidden']);
  });
});

describe('reading secrets', () => {
  it('selects by type', async () => {
    const res = await api.request({ path: `${SECRETS}?fieldSelector=${encodeURIComponent('type=kubernetes.io/tls')}` });
    expect(res.json.items.map((s: any) => s.metadata.name)).toEqual(['tls']);
    const opaque = await api.request({ path: `${SECRETS}?fieldSelector=type%3DOpaque` });
    expect(opaque.json.items.map((s: any) => s.metadata.name)).toContain('plain');
    expect(opaque.json.items.every((s: any) => s.type === 'Opaque')).toBe(true);
  });

  it('prints NAME, TYPE, DATA and AGE in a table: the number of keys, never a value', async () => {
    const res = await api.request({ path: `${SECRETS}/mixed`, headers: { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json' } });
    expect(res.json.columnDefinitions.map((c: any) => c.name)).toEqual(['Name', 'Type', 'Data', 'Age']);
    expect(res.json.rows[0].cells.slice(0, 3)).toEqual(['mixed', 'Opaque', 3]);
    expect(res.text).not.toContain(b64('admin'));
  });

  it('is in discovery (no short names, every verb) and in the OpenAPI document of v1', async () => {
    const list = (await api.request({ path: '/api/v1' })).json;
    const secrets = list.resources.find((r: any) => r.name === 'secrets');
    expect(secrets).toMatchObject({ kind: 'Secret', namespaced: true, singularName: 'secret' });
    expect(secrets.shortNames ?? []).toEqual([]);
    expect(secrets.verbs.sort()).toEqual(['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch']);
    const doc = (await api.request({ path: '/openapi/v3/api/v1' })).json;
    expect(doc.components.schemas['io.k8s.api.core.v1.Secret'].properties).toHaveProperty('stringData');
    expect(Object.keys(doc.paths)).toContain('/api/v1/namespaces/{namespace}/secrets/{name}');
  });
});
