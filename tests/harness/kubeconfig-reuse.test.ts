// The checks' KubeConfig (conformance/lib/kubeconfig-reuse.ts) sends what
// client-node sends, over connections it keeps: many calls, one TLS connection.
// Against a plain client-node KubeConfig, which opens one per call, so the test
// shows both what changed and that the count it reads can tell them apart.

import * as k8s from '@kubernetes/client-node';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensurePki } from '../../conformance/harness/pki.ts';
import { writeKubeconfig } from '../../conformance/harness/kubeconfig.ts';
import { ConnectionReusingKubeConfig } from '../../conformance/lib/kubeconfig-reuse.ts';

const TOKEN = 'reuse-test-token';
const CALLS = 10;

let dir: string;
let server: https.Server;
let kubeconfig: string;
let connections = 0;
const authorizations: (string | undefined)[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kubelab-kubeconfig-reuse-'));
  const pki = await ensurePki(join(dir, 'pki'), ['127.0.0.1']);
  server = https.createServer({ cert: readFileSync(pki.certFile), key: readFileSync(pki.keyFile) }, (req, res) => {
    authorizations.push(req.headers.authorization);
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ kind: 'NamespaceList', apiVersion: 'v1', metadata: { resourceVersion: '1' }, items: [] }));
  });
  server.on('secureConnection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  kubeconfig = join(dir, 'kubeconfig');
  writeKubeconfig(kubeconfig, { server: `https://127.0.0.1:${(server.address() as AddressInfo).port}`, caPem: pki.caPem, token: TOKEN });
});

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function callsOver(kc: k8s.KubeConfig): Promise<number> {
  kc.loadFromFile(kubeconfig);
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const before = connections;
  for (let i = 0; i < CALLS; i++) await core.listNamespace();
  return connections - before;
}

describe('the checks\' KubeConfig', () => {
  it(`makes ${CALLS} calls over one connection, with the same token and CA check as client-node`, async () => {
    authorizations.length = 0;
    expect(await callsOver(new ConnectionReusingKubeConfig())).toBe(1);
    expect(authorizations).toEqual(Array(CALLS).fill(`Bearer ${TOKEN}`));
  });

  it('where a plain client-node KubeConfig opens one connection per call', async () => {
    expect(await callsOver(new k8s.KubeConfig())).toBe(CALLS);
  });

  it('still checks the server against the kubeconfig\'s CA', async () => {
    const other = await ensurePki(join(dir, 'other-pki'), ['127.0.0.1']);
    const wrongCa = join(dir, 'wrong-ca-kubeconfig');
    writeKubeconfig(wrongCa, { server: `https://127.0.0.1:${(server.address() as AddressInfo).port}`, caPem: other.caPem, token: TOKEN });
    const kc = new ConnectionReusingKubeConfig();
    kc.loadFromFile(wrongCa);
    await expect(kc.makeApiClient(k8s.CoreV1Api).listNamespace()).rejects.toThrow(/certificate|self.signed|verify/i);
  });
});
