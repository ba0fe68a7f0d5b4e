// configMap and secret volumes as the node agent sets them up: a file per key
// (or per item) holding the value's bytes, with the default or the item's mode,
// and the kubelet's words when the object or a key is missing.

import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../reference/src/api/types.ts';
import { ApiStatusError, type ApiClient } from '../../reference/src/client/api-client.ts';
import { setUpVolumes, VolumeError, type VolumeContext } from '../../reference/src/kubelet/pods/volumes.ts';

const nodeDir = mkdtempSync(join(tmpdir(), 'kubelab-volumes-'));
afterAll(() => rmSync(nodeDir, { recursive: true, force: true }));

const b64 = (text: string | Buffer) => Buffer.from(text).toString('base64');

/** A client that answers GETs from a table of API paths. */
function fakeClient(objects: Record<string, KubeObject>): ApiClient {
  return {
    get: async (path: string) => {
      if (objects[path]) return structuredClone(objects[path]);
      throw new ApiStatusError(404, { reason: 'NotFound', message: `${path} not found` });
    },
  } as unknown as ApiClient;
}

const SECRET: KubeObject = {
  apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db', namespace: 'shop' }, type: 'Opaque',
  data: { user: b64('admin'), password: b64('s3cret\n'), key: b64(Buffer.from([0, 255, 1])) },
};
const CONFIG_MAP: KubeObject = {
  apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'site', namespace: 'shop' },
  data: { greeting: 'hello' }, binaryData: { logo: b64(Buffer.from([137, 80, 78, 71])) },
};

const ctx = (objects: KubeObject[] = [SECRET, CONFIG_MAP]): VolumeContext => ({
  client: fakeClient(Object.fromEntries(objects.map((o) => [`/api/v1/namespaces/shop/${o.kind === 'Secret' ? 'secrets' : 'configmaps'}/${o.metadata.name}`, o]))),
  nodeDir, podIP: '127.200.1.5', hostIP: '127.10.1.1',
});

let pods = 0;
function pod(volumes: any[]): KubeObject {
  pods += 1;
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: `p${pods}`, namespace: 'shop', uid: `uid-${pods}` }, spec: { volumes } };
}

const mode = (file: string) => statSync(file).mode & 0o777;

describe('secret volumes', () => {
  it('hold a file per key with the decoded bytes, rw-r--r-- by default, in the secret plugin folder', async () => {
    const { creds } = await setUpVolumes(pod([{ name: 'creds', secret: { secretName: 'db' } }]), ctx());
    expect(creds).toMatch(/kubernetes\.io~secret[/\\]creds$/);
    expect(readdirSync(creds).sort()).toEqual(['key', 'password', 'user']);
    expect(readFileSync(join(creds, 'password'), 'utf8')).toBe('s3cret\n');
    expect([...readFileSync(join(creds, 'key'))]).toEqual([0, 255, 1]);
    expect(mode(join(creds, 'user'))).toBe(0o644);
  });

  it('project only the listed items, at their paths, with the item mode or defaultMode', async () => {
    const { creds } = await setUpVolumes(pod([{
      name: 'creds',
      secret: { secretName: 'db', defaultMode: 0o400, items: [{ key: 'user', path: 'login/name' }, { key: 'password', path: 'pw', mode: 0o600 }] },
    }]), ctx());
    expect(readdirSync(creds).sort()).toEqual(['login', 'pw']);
    expect(readFileSync(join(creds, 'login/name'), 'utf8')).toBe('admin');
    expect(mode(join(creds, 'login/name'))).toBe(0o400);
    expect(mode(join(creds, 'pw'))).toBe(0o600);
  });

  it('fail with FailedMount words for a missing secret or key; optional ones are skipped', async () => {
    await expect(setUpVolumes(pod([{ name: 'creds', secret: { secretName: 'gone' } }]), ctx()))
      .rejects.toThrow(new VolumeError('MountVolume.SetUp failed for volume "creds" : secret "gone" not found'));
    await expect(setUpVolumes(pod([{ name: 'creds', secret: { secretName: 'db', items: [{ key: 'nope', path: 'x' }] } }]), ctx()))
      .rejects.toThrow('MountVolume.SetUp failed for volume "creds" : references non-existent secret key: nope');
    const { creds } = await setUpVolumes(pod([{ name: 'creds', secret: { secretName: 'gone', optional: true } }]), ctx());
    expect(readdirSync(creds)).toEqual([]);
    const { some } = await setUpVolumes(pod([{ name: 'some', secret: { secretName: 'db', optional: true, items: [{ key: 'nope', path: 'x' }, { key: 'user', path: 'u' }] } }]), ctx());
    expect(readdirSync(some)).toEqual(['u']);
  });

  it('follow the secret on the next sync: changed values rewritten, removed keys gone', async () => {
    const p = pod([{ name: 'creds', secret: { secretName: 'db' } }]);
    await setUpVolumes(p, ctx());
    const changed = { ...SECRET, data: { user: b64('root') } };
    const { creds } = await setUpVolumes(p, ctx([changed]));
    expect(readdirSync(creds)).toEqual(['user']);
    expect(readFileSync(join(creds, 'user'), 'utf8')).toBe('root');
  });
});

describe('configMap volumes (the same code path)', () => {
  it('hold data and binaryData keys as files; a missing key of an item has the configmap words', async () => {
    const { site } = await setUpVolumes(pod([{ name: 'site', configMap: { name: 'site' } }]), ctx());
    expect(readFileSync(join(site, 'greeting'), 'utf8')).toBe('hello');
    expect([...readFileSync(join(site, 'logo'))]).toEqual([137, 80, 78, 71]);
    await expect(setUpVolumes(pod([{ name: 'site', configMap: { name: 'site', items: [{ key: 'nope', path: 'x' }] } }]), ctx()))
      .rejects.toThrow('MountVolume.SetUp failed for volume "site" : configmap references non-existent config key: nope');
    await expect(setUpVolumes(pod([{ name: 'site', configMap: { name: 'gone' } }]), ctx()))
      .rejects.toThrow('configmap "gone" not found');
  });
});
