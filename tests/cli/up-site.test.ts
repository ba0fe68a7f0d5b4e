// `kubelab up --site` (what `npm start` runs): the reference cluster and the
// lesson site side by side. Both addresses are printed, the site answers, the
// cluster has its node, and Ctrl-C stops everything: the command exits 0, both
// ports are free again, and no process it started is left running.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { freePort, portIsFree } from '../../conformance/harness/ports.ts';
import { descendants, readStat, stillRunning, type ProcessEntry } from '../../conformance/harness/process-tree.ts';
import { rawRequest } from '../../conformance/harness/raw-client.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const dataDir = mkdtempSync(join(tmpdir(), 'kubelab-up-site-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** Where /proc is, processes can be followed down the tree; elsewhere only the ports are checked. */
const linux = readStat(process.pid) !== undefined;

/** Resolves with the output so far once `done` says it holds what we wait for; rejects if the command exits first. */
function waitForOutput(child: ChildProcess, done: (output: string) => boolean, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = '';
    const finish = (error?: Error) => {
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      child.stderr!.off('data', onData);
      child.off('exit', onExit);
      if (error) reject(error); else resolve(output);
    };
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (done(output)) finish();
    };
    const onExit = (code: number | null) => finish(new Error(`kubelab up exited with ${code}:\n${output}`));
    const timer = setTimeout(() => finish(new Error(`not seen within ${timeoutMs / 1000} s:\n${output}`)), timeoutMs);
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', onExit);
  });
}

function exitCode(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });
}

describe('kubelab up --site', () => {
  it('prints both addresses, serves the site beside a cluster with its node, and stops both on Ctrl-C', async () => {
    const [sitePort, apiPort] = [await freePort(), await freePort()];
    const child = spawn(process.execPath, [
      'bin/kubelab.js', 'up', '--site', String(sitePort), '--port', String(apiPort),
      '--data-dir', dataDir, '--nodes', '1', '--profile', 'fast',
      '--no-view', // the live view has a test of its own; here it would only take its default port
    ], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = exitCode(child);
    let processes: ProcessEntry[] = [];
    try {
      // The site builds while the cluster starts: the two lines come in either order.
      const output = await waitForOutput(child, (o) => / is up at /.test(o) && /the lesson site is at /.test(o), 90_000);
      expect(output).toContain(`is up at https://127.0.0.1:${apiPort}`);
      expect(output).toContain(`(1 node,`);
      expect(output).toContain(`KUBECONFIG=${join(dataDir, 'kubeconfig')}`);
      const site = /the lesson site is at (http:\/\/\S+)/.exec(output)![1];
      expect(site).toBe(`http://127.0.0.1:${sitePort}/`);

      // The site: its home page and a lab page.
      const home = await fetch(site);
      expect(home.status).toBe(200);
      expect(await home.text()).toContain('href="01-pods.html"');
      const lab = await fetch(`${site}01-pods.html`);
      expect(lab.status).toBe(200);
      expect(await lab.text()).toContain('class="step-box"');

      // The cluster, through the kubeconfig it wrote: one node, Ready.
      const config = parse(readFileSync(join(dataDir, 'kubeconfig'), 'utf8'));
      const endpoint = {
        apiUrl: config.clusters[0].cluster.server as string,
        caPem: Buffer.from(config.clusters[0].cluster['certificate-authority-data'], 'base64').toString(),
        token: config.users[0].user.token as string,
      };
      const nodes = await rawRequest(endpoint, { path: '/api/v1/nodes' });
      expect(nodes.status).toBe(200);
      expect(nodes.json.items).toHaveLength(1);
      const ready = nodes.json.items[0].status.conditions.find((c: { type: string }) => c.type === 'Ready');
      expect(ready?.status).toBe('True');

      // Every process the command started, taken while they run (once it is gone, they would be init's).
      processes = linux ? descendants(child.pid!) : [];
      if (linux) expect(processes.length).toBeGreaterThanOrEqual(2); // at least the control plane and the node
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).toBe(0);
    expect(await portIsFree(sitePort)).toBe(true);
    expect(await portIsFree(apiPort)).toBe(true);
    expect(processes.filter(stillRunning)).toEqual([]);
  }, 150_000);
});
