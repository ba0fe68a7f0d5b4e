// Start-up benchmark: how long `kubelab up --nodes 3` takes until three nodes
// are Ready, and how long one pod takes from create to Ready. The baseline,
// measured in the same run, is the start of one bare `node` process: most of
// a cluster's start-up is starting processes (each from its bundle:
// reference/launch.mjs).
//
//   npx tsx scripts/bench/up.ts [--nodes 3] [--json]

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ProcessCluster } from '../../conformance/harness/process-driver.ts';
import { ensurePki } from '../../conformance/harness/pki.ts';
import { rawRequest } from '../../conformance/harness/raw-client.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const { values: args } = parseArgs({ options: { nodes: { type: 'string', default: '3' }, json: { type: 'boolean', default: false } } });
const NODES = Number(args.nodes);

function processStartMs(): number {
  const t0 = performance.now();
  spawnSync('node', ['-e', ''], { cwd: ROOT });
  return performance.now() - t0;
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'kubelab-bench-up-'));
  try {
    // Certificates are made once per data folder; make them first, as a second `up` would find them.
    await ensurePki(join(dir, 'pki'), ['127.0.0.1', 'localhost']);
    const baselineMs = processStartMs();

    const t0 = performance.now();
    const cluster = await ProcessCluster.start({ implDir: ROOT, dataDir: dir, nodes: NODES, profile: 'fast', store: 'sqlite' });
    const upMs = performance.now() - t0;
    try {
      const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'bench' }, spec: { containers: [{ name: 'web', image: 'kubelab/web:1', readinessProbe: { httpGet: { path: '/ready', port: 8080 }, periodSeconds: 1 } }] } };
      const t1 = performance.now();
      await rawRequest(cluster, { method: 'POST', path: '/api/v1/namespaces/default/pods', body: pod });
      for (;;) {
        const got = await rawRequest(cluster, { path: '/api/v1/namespaces/default/pods/bench' });
        if ((got.json?.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True')) break;
        await new Promise((r) => setTimeout(r, 10));
      }
      const podReadyMs = performance.now() - t1;
      const figures = { nodes: NODES, upMs: Math.round(upMs), podReadyMs: Math.round(podReadyMs), processStartMs: Math.round(baselineMs), upToProcessStarts: upMs / baselineMs };
      if (args.json) console.log(JSON.stringify({ benchmark: 'up', ...figures }));
      else {
        console.log(`kubelab up --nodes ${NODES}: ${figures.upMs} ms to ${NODES} Ready nodes (${figures.upToProcessStarts.toFixed(1)} × one node process start of ${figures.processStartMs} ms)`);
        console.log(`one pod, create → Ready: ${figures.podReadyMs} ms`);
      }
    } finally {
      await cluster.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
