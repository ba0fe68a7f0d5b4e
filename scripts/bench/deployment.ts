// Deployment benchmark: on a reference cluster with real node agents, how long a
// Deployment of N replicas takes to be fully available, and how long a rolling
// update of it (kubelab/web:1 → :2, default 25 % surge and unavailability)
// takes to finish. The baseline, measured in the same run on the same cluster,
// is the same N pods created directly (no controllers) until all are Ready: the
// difference is what the ReplicaSet and Deployment controllers add.
//
//   npx tsx scripts/bench/deployment.ts [--replicas 30] [--nodes 3] [--json]
//   npx tsx scripts/bench/deployment.ts --simulated-nodes 100 --replicas 1000
//
// With --simulated-nodes N the cluster has N simulated nodes and no real one
// (`kubelab up --nodes 0 --simulated-nodes N`): pods are Running and Ready as
// soon as the simulator sees them bound, so the figures are those of the
// scheduler, the controllers and the API server alone. The pods then tolerate
// the simulated nodes' taint (KWOK's kwok.x-k8s.io/node=fake:NoSchedule).

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ProcessCluster } from '../../conformance/harness/process-driver.ts';
import { rawRequest } from '../../conformance/harness/raw-client.ts';
import { SIMULATED_TOLERATION } from '../../reference/src/simulator/simulated-node.ts';
import { ROOT } from './support.ts';

const { values: args } = parseArgs({
  options: {
    replicas: { type: 'string', default: '30' }, nodes: { type: 'string', default: '3' },
    'simulated-nodes': { type: 'string' }, json: { type: 'boolean', default: false },
  },
});
const REPLICAS = Number(args.replicas);
const SIMULATED_NODES = args['simulated-nodes'] ? Number(args['simulated-nodes']) : 0;
const NODES = SIMULATED_NODES ? 0 : Number(args.nodes);
const nodesText = SIMULATED_NODES ? `${SIMULATED_NODES} simulated nodes` : `${NODES} nodes`;

const container = (image: string) => ({
  name: 'web', image, readinessProbe: { httpGet: { path: '/ready', port: 8080 }, periodSeconds: 1 },
});

/** The pod spec of every pod here: on simulated nodes it tolerates their taint, or it would never be scheduled. */
const podSpec = (image: string) => ({
  terminationGracePeriodSeconds: 1, containers: [container(image)],
  ...(SIMULATED_NODES ? { tolerations: [SIMULATED_TOLERATION] } : {}),
});

const isReady = (pod: any) => (pod.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True');

/** Polls path until done; every 50 ms, or every 250 ms for a list of many pods (each list costs the API server). */
async function until(cluster: ProcessCluster, path: string, done: (obj: any) => boolean, everyMs = 50): Promise<void> {
  for (;;) {
    const got = await rawRequest(cluster, { path });
    if (got.status === 200 && done(got.json)) return;
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Runs count calls of send, at most 64 in flight (for 100 replicas or fewer: all at once). */
async function inParallel(count: number, send: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(64, count) }, async () => {
    while (next < count) await send(next++);
  }));
}

async function createNamespace(cluster: ProcessCluster, name: string): Promise<void> {
  await rawRequest(cluster, { method: 'POST', path: '/api/v1/namespaces', body: { metadata: { name } } });
}

/** Baseline: N bare pods, created at once (64 at a time), until all are Ready. */
async function barePods(cluster: ProcessCluster): Promise<number> {
  await createNamespace(cluster, 'bare');
  const t0 = performance.now();
  await inParallel(REPLICAS, (i) => rawRequest(cluster, {
    method: 'POST', path: '/api/v1/namespaces/bare/pods',
    body: { metadata: { name: `web-${i}`, labels: { app: 'bare' } }, spec: podSpec('kubelab/web:1') },
  }));
  await until(cluster, '/api/v1/namespaces/bare/pods', (list) => list.items.filter(isReady).length === REPLICAS, REPLICAS > 100 ? 250 : 50);
  const ms = performance.now() - t0;
  await rawRequest(cluster, { method: 'DELETE', path: '/api/v1/namespaces/bare' });
  return ms;
}

const deploymentDone = (image: string) => (d: any) => d.status?.observedGeneration >= d.metadata.generation
  && d.status?.updatedReplicas === REPLICAS && d.status?.availableReplicas === REPLICAS && d.status?.replicas === REPLICAS
  && d.spec.template.spec.containers[0].image === image;

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'kubelab-bench-deployment-'));
  const cluster = await ProcessCluster.start({ implDir: ROOT, dataDir: dir, nodes: NODES, simulatedNodes: SIMULATED_NODES, profile: 'fast', store: 'sqlite' });
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
          template: { metadata: { labels: { app: 'web' } }, spec: podSpec('kubelab/web:1') },
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
      replicas: REPLICAS, nodes: NODES, simulatedNodes: SIMULATED_NODES,
      availableMs: Math.round(availableMs), rolloutMs: Math.round(rolloutMs), barePodsReadyMs: Math.round(bareMs),
      availableToBarePods: availableMs / bareMs, rolloutToBarePods: rolloutMs / bareMs,
    };
    if (args.json) console.log(JSON.stringify({ benchmark: 'deployment', ...figures }));
    else {
      console.log(`Deployment of ${REPLICAS} replicas on ${nodesText}: fully available in ${figures.availableMs} ms (${figures.availableToBarePods.toFixed(2)} × ${REPLICAS} bare pods Ready in ${figures.barePodsReadyMs} ms)`);
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
