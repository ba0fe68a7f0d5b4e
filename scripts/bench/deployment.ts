// Deployment benchmark: on a reference cluster with real node agents, how long a
// Deployment of N replicas takes to be fully available, and how long a rolling
// update of it (kubelab/web:1 → :2, default 25 % surge and unavailability)
// takes to finish. The baseline, measured in the same run on the same cluster,
// is the same N pods created directly (no controllers) until all are Ready: the
// difference is what the ReplicaSet and Deployment controllers add.
//
//   npx tsx scripts/bench/deployment.ts [--replicas 30] [--nodes 3] [--json]

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ProcessCluster } from '../../conformance/harness/process-driver.ts';
import { rawRequest } from '../../conformance/harness/raw-client.ts';
import { ROOT } from './support.ts';

const { values: args } = parseArgs({
  options: { replicas: { type: 'string', default: '30' }, nodes: { type: 'string', default: '3' }, json: { type: 'boolean', default: false } },
});
const REPLICAS = Number(args.replicas);
const NODES = Number(args.nodes);

const container = (image: string) => ({
  name: 'web', image, readinessProbe: { httpGet: { path: '/ready', port: 8080 }, periodSeconds: 1 },
});

const isReady = (pod: any) => (pod.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True');

async function until(cluster: ProcessCluster, path: string, done: (obj: any) => boolean): Promise<void> {
  for (;;) {
    const got = await rawRequest(cluster, { path });
    if (got.status === 200 && done(got.json)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function createNamespace(cluster: ProcessCluster, name: string): Promise<void> {
  await rawRequest(cluster, { method: 'POST', path: '/api/v1/namespaces', body: { metadata: { name } } });
}

/** Baseline: N bare pods, created at once, until all are Ready. */
async function barePods(cluster: ProcessCluster): Promise<number> {
  await createNamespace(cluster, 'bare');
  const t0 = performance.now();
  await Promise.all(Array.from({ length: REPLICAS }, (_, i) => rawRequest(cluster, {
    method: 'POST', path: '/api/v1/namespaces/bare/pods',
    body: { metadata: { name: `web-${i}`, labels: { app: 'bare' } }, spec: { terminationGracePeriodSeconds: 1, containers: [container('kubelab/web:1')] } },
  })));
  await until(cluster, '/api/v1/namespaces/bare/pods', (list) => list.items.filter(isReady).length === REPLICAS);
  const ms = performance.now() - t0;
  await rawRequest(cluster, { method: 'DELETE', path: '/api/v1/namespaces/bare' });
  return ms;
}

const deploymentDone = (image: string) => (d: any) => d.status?.observedGeneration >= d.metadata.generation
  && d.status?.updatedReplicas === REPLICAS && d.status?.availableReplicas === REPLICAS && d.status?.replicas === REPLICAS
  && d.spec.template.spec.containers[0].image === image;

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'kubelab-bench-deployment-'));
  const cluster = await ProcessCluster.start({ implDir: ROOT, dataDir: dir, nodes: NODES, profile: 'fast', store: 'sqlite' });
  try {
    const bareMs = await barePods(cluster);

    await createNamespace(cluster, 'bench');
    const path = '/apis/apps/v1/namespaces/bench/deployments';
    const t0 = performance.now();
    await rawRequest(cluster, {
      method: 'POST', path,
      body: {
        metadata: { name: 'web' },
        spec: {
          replicas: REPLICAS, selector: { matchLabels: { app: 'web' } },
          template: { metadata: { labels: { app: 'web' } }, spec: { terminationGracePeriodSeconds: 1, containers: [container('kubelab/web:1')] } },
        },
      },
    });
    await until(cluster, `${path}/web`, deploymentDone('kubelab/web:1'));
    const availableMs = performance.now() - t0;

    const t1 = performance.now();
    await rawRequest(cluster, {
      method: 'PATCH', path: `${path}/web`, headers: { 'Content-Type': 'application/strategic-merge-patch+json' },
      body: { spec: { template: { spec: { containers: [{ name: 'web', image: 'kubelab/web:2' }] } } } },
    });
    await until(cluster, `${path}/web`, deploymentDone('kubelab/web:2'));
    const rolloutMs = performance.now() - t1;

    const figures = {
      replicas: REPLICAS, nodes: NODES,
      availableMs: Math.round(availableMs), rolloutMs: Math.round(rolloutMs), barePodsReadyMs: Math.round(bareMs),
      availableToBarePods: availableMs / bareMs, rolloutToBarePods: rolloutMs / bareMs,
    };
    if (args.json) console.log(JSON.stringify({ benchmark: 'deployment', ...figures }));
    else {
      console.log(`Deployment of ${REPLICAS} replicas on ${NODES} nodes: fully available in ${figures.availableMs} ms (${figures.availableToBarePods.toFixed(2)} × ${REPLICAS} bare pods Ready in ${figures.barePodsReadyMs} ms)`);
      console.log(`rolling update web:1 → web:2 (25 % surge / unavailable): ${figures.rolloutMs} ms (${figures.rolloutToBarePods.toFixed(2)} × the bare pods)`);
    }
  } finally {
    await cluster.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
