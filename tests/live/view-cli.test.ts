// `kubelab view --kubeconfig FILE`: serves the live view of any cluster a
// kubeconfig names, prints its address, and stops on SIGTERM.

import { afterAll, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeKubeconfig } from '../../conformance/harness/kubeconfig.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'kubelab-view-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('prints the address of the view, serves the page there, and answers for a cluster that is down with a 502 Status', async () => {
  const kubeconfig = join(dir, 'kubeconfig');
  writeKubeconfig(kubeconfig, { server: 'https://127.0.0.1:1', caPem: '', token: 't' });
  const child = spawn('node', ['bin/kubelab.js', 'view', '--kubeconfig', kubeconfig, '--port', '0'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`no address within 20 s:\n${out}`)), 20_000);
      const onData = (chunk: Buffer) => {
        out += chunk;
        const match = /kubelab: live view: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
        if (match) { clearTimeout(timer); resolve(match[1]); }
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.on('exit', (code) => reject(new Error(`kubelab view exited with ${code}:\n${out}`)));
    });
    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('live view');
    const pods = await fetch(new URL('/api/v1/pods', url));
    expect(pods.status).toBe(502);
    expect(await pods.json()).toMatchObject({ kind: 'Status', code: 502 });
  } finally {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
});
