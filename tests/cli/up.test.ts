// `kubelab up`: starts the reference, prints where it is, writes a kubeconfig,
// stops cleanly on Ctrl-C, and finds every object again when started on the
// same data folder.

import { afterAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { freePort } from '../../conformance/harness/ports.ts';
import { rawRequest } from '../../conformance/harness/raw-client.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const dataDir = mkdtempSync(join(tmpdir(), 'kubelab-up-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

function startUp(port: number): Promise<{ child: ChildProcess; line: string }> {
  const child = spawn('node', ['bin/kubelab.js', 'up', '--data-dir', dataDir, '--port', String(port), '--no-view'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolveUp, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`no "is up" line within 60 s:\n${out}`)), 60_000);
    const onData = (c: Buffer) => {
      out += c.toString();
      const line = out.split('\n').find((l) => l.includes(' is up at '));
      if (line) {
        clearTimeout(timer);
        resolveUp({ child, line });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`kubelab up exited with ${code}:\n${out}`)));
  });
}

function endpointFromKubeconfig() {
  const config = parse(readFileSync(join(dataDir, 'kubeconfig'), 'utf8'));
  return {
    apiUrl: config.clusters[0].cluster.server as string,
    caPem: Buffer.from(config.clusters[0].cluster['certificate-authority-data'], 'base64').toString(),
    token: config.users[0].user.token as string,
  };
}

function stop(child: ChildProcess): Promise<number | null> {
  return new Promise((r) => {
    child.once('exit', (code) => r(code));
    child.kill('SIGINT');
  });
}

describe('kubelab up', () => {
  it('serves, stops on Ctrl-C, and keeps every object across a restart', async () => {
    const port = await freePort();
    const first = await startUp(port);
    expect(first.line).toContain(`https://127.0.0.1:${port}`);
    expect(first.line).toContain(`KUBECONFIG=${join(dataDir, 'kubeconfig')}`);
    // The control endpoint for `kubelab disrupt`: its secret readable by the user only, and gone with the cluster.
    const controlFile = join(dataDir, 'control.json');
    expect(statSync(controlFile).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(controlFile, 'utf8'))).toEqual({ url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/), secret: expect.stringMatching(/^[0-9a-f]{32}$/) });

    const endpoint = endpointFromKubeconfig();
    const created = await rawRequest(endpoint, {
      method: 'POST', path: '/api/v1/namespaces/default/configmaps',
      body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'survivor' }, data: { answer: '42' } },
    });
    expect(created.status).toBe(201);
    expect(await stop(first.child)).toBe(0);
    expect(existsSync(controlFile), 'control.json is removed when the cluster stops').toBe(false);
    await expect(rawRequest(endpoint, { path: '/readyz', timeoutMs: 1000 })).rejects.toThrow();

    const second = await startUp(port);
    try {
      const again = endpointFromKubeconfig();
      expect(again.token).toBe(endpoint.token); // the kubeconfig stays valid
      const got = await rawRequest(again, { path: '/api/v1/namespaces/default/configmaps/survivor' });
      expect(got.status).toBe(200);
      expect(got.json.data).toEqual({ answer: '42' });
      expect(got.json.metadata.uid).toBe(created.json.metadata.uid);
    } finally {
      expect(await stop(second.child)).toBe(0);
    }
  }, 180_000);
});
