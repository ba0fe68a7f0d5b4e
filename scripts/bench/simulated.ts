// Simulated-node benchmark: how fast the node simulator brings N nodes to Ready,
// and how fast M pods then go from create to Running on them (through the
// reference's scheduler), on the reference control plane (`kubelab up --nodes 0`,
// real timing profile).
//
//   npx tsx scripts/bench/simulated.ts [--nodes 2000] [--pods 5000] [--store sqlite|memory] [--impl DIR] [--json] [--cpu-prof DIR]
//
// --impl runs another implementation's control plane (its kubelab.yaml) with
// the reference's simulator as its nodes.
//
// Baselines, printed as ratios:
// - KWOK's CI asks for 2,000 nodes Ready within 120 s and 5,000 pods Running
//   within 240 s (kubernetes-sigs/kwok, test/kwokctl/kwokctl_benchmark_test.sh;
//   there the pods come with spec.nodeName set, no scheduler);
// - in the same run: one bare `node --import tsx` process start (the simulator
//   is one process), and the raw creates of the M pods alone (what the
//   scheduler and the simulator add on top of creating the objects).
// With --json, one JSON object is the last line.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ManagedProcess } from '../../conformance/harness/managed-process.ts';
import { ProcessCluster } from '../../conformance/harness/process-driver.ts';
import { ApiClient } from '../../reference/src/client/api-client.ts';
import { NODES, PODS, resourcePath, withQuery } from '../../reference/src/client/paths.ts';
import { SIMULATED_TOLERATION } from '../../reference/src/simulator/simulated-node.ts';
import { inParallel, ROOT } from './support.ts';

const { values: args } = parseArgs({
  options: {
    nodes: { type: 'string', default: '2000' },
    pods: { type: 'string', default: '5000' },
    store: { type: 'string', default: 'sqlite' },
    impl: { type: 'string', default: ROOT },
    concurrency: { type: 'string', default: '16' },
    json: { type: 'boolean', default: false },
    /** Writes the simulator's CPU profile into this folder. */
    'cpu-prof': { type: 'string' },
  },
});
const NODE_COUNT = Number(args.nodes);
const POD_COUNT = Number(args.pods);
const CONCURRENCY = Number(args.concurrency);
const KWOK_NODES_SECONDS = 120;
const KWOK_PODS_SECONDS = 240;
const log = (line: string) => {
  if (!args.json) console.log(line);
};

const ready = (obj: any) => (obj.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True');

/** Resolves when count objects of the collection have passed test, as a watch (from the list's resourceVersion) sees them. */
async function waitForCount(client: ApiClient, path: string, query: Record<string, string>, count: number, test: (obj: any) => boolean): Promise<void> {
  const list = await client.get<any>(withQuery(path, query));
  const passed = new Set<string>(list.items.filter(test).map((o: any) => o.metadata.name));
  if (passed.size >= count) return;
  await new Promise<void>((resolve, reject) => {
    const handle = client.watch(withQuery(path, { ...query, watch: '1', resourceVersion: list.metadata.resourceVersion }), (type, obj) => {
      if (type !== 'DELETED' && test(obj)) passed.add(obj.metadata.name);
      else passed.delete(obj.metadata.name);
      if (passed.size >= count) {
        handle.stop();
        resolve();
      }
    }, (err) => reject(err ?? new Error(`the watch of ${path} ended at ${passed.size} of ${count}`)));
  });
}

function benchPod(i: number) {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name: `pod-${i}`, labels: { app: 'bench' } },
    // Simulated nodes are tainted as KWOK's are: the pods meant for them tolerate it.
    spec: { tolerations: [SIMULATED_TOLERATION], containers: [{ name: 'web', image: 'kubelab/web:1', resources: { requests: { cpu: '100m', memory: '128Mi' } } }] },
  };
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'kubelab-bench-simulated-'));
  const t = performance.now();
  spawnSync('node', ['--import', 'tsx', '-e', ''], { cwd: ROOT });
  const processStartSeconds = (performance.now() - t) / 1000;

  const cluster = await ProcessCluster.start({ implDir: args.impl, dataDir: dir, nodes: 0, profile: 'real', store: args.store });
  const client = new ApiClient({ apiUrl: cluster.apiUrl, token: cluster.token, ca: cluster.caPem, userAgent: 'bench' });
  let simulator: ManagedProcess | undefined;
  try {
    log(`Simulated-node benchmark: ${NODE_COUNT} nodes, then ${POD_COUNT} pods, ${args.store} store, real profile`);

    // 1. The simulator's nodes, from its process start to all Ready.
    const profiling = args['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${args['cpu-prof']}`] : [];
    simulator = new ManagedProcess('simulator', ['node', ...profiling, 'reference/launch.mjs', 'reference/src/simulator/main.ts'], {
      cwd: ROOT, logFile: join(dir, 'simulator.log'),
      env: {
        KUBELAB_API_URL: cluster.apiUrl, KUBELAB_TOKEN: cluster.token, KUBELAB_CA_FILE: join(dir, 'pki', 'ca.crt'),
        KUBELAB_PROFILE: join(ROOT, 'conformance', 'profiles', 'real.json'), KUBELAB_SIMULATED_NODES: String(NODE_COUNT),
      },
    });
    const t0 = performance.now();
    simulator.start();
    await waitForCount(client, resourcePath(NODES), { labelSelector: 'kubelab.dev/simulated=true' }, NODE_COUNT, ready);
    const nodesSeconds = (performance.now() - t0) / 1000;
    log(`nodes        ${NODE_COUNT} Ready in ${nodesSeconds.toFixed(2)} s (${(NODE_COUNT / nodesSeconds).toFixed(0)}/s) from the simulator's process start`);

    // 2. Pods: created (16 in flight), scheduled by the reference scheduler, made Running and Ready by the simulator.
    const podsPath = resourcePath(PODS, 'default');
    const allRunning = waitForCount(client, podsPath, {}, POD_COUNT, (p) => p.status?.phase === 'Running' && ready(p));
    const t1 = performance.now();
    const createSeconds = await inParallel(POD_COUNT, CONCURRENCY, (i) => client.create(podsPath, benchPod(i)));
    log(`create       ${POD_COUNT} pods in ${createSeconds.toFixed(2)} s (${(POD_COUNT / createSeconds).toFixed(0)}/s)`);
    await allRunning;
    const podsSeconds = (performance.now() - t1) / 1000;
    log(`running      ${POD_COUNT} pods Running and Ready ${podsSeconds.toFixed(2)} s after the first create (${(POD_COUNT / podsSeconds).toFixed(0)} pods/s)`);

    const figures = {
      nodes: NODE_COUNT, pods: POD_COUNT, store: args.store,
      nodesReadySeconds: nodesSeconds, podsRunningSeconds: podsSeconds, podCreateSeconds: createSeconds, processStartSeconds,
      nodesToKwokTarget: nodesSeconds / KWOK_NODES_SECONDS, podsToKwokTarget: podsSeconds / KWOK_PODS_SECONDS,
      nodesToProcessStart: nodesSeconds / processStartSeconds, podsToRawCreates: podsSeconds / createSeconds,
    };
    log(`ratio        nodes: ${figures.nodesToKwokTarget.toFixed(3)} × KWOK's ${KWOK_NODES_SECONDS} s, ${figures.nodesToProcessStart.toFixed(1)} × one process start (${processStartSeconds.toFixed(2)} s)`);
    log(`ratio        pods: ${figures.podsToKwokTarget.toFixed(3)} × KWOK's ${KWOK_PODS_SECONDS} s, ${figures.podsToRawCreates.toFixed(2)} × the raw creates alone`);
    if (args.json) console.log(JSON.stringify({ benchmark: 'simulated', ...figures }));
  } finally {
    client.close();
    await simulator?.stop();
    await cluster.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
