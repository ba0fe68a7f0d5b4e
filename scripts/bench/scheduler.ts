// Scheduler benchmark: how many pods per second the reference scheduler places
// on a big cluster of simulated nodes, and how that compares with the API writes alone.
//
//   npx tsx scripts/bench/scheduler.ts [--nodes 1000] [--pods 10000] [--stream] [--objects-only] [--json] [--cpu-prof DIR]
//
//   1. start the reference API server (memory store, HTTPS) as a child process;
//   2. N Ready nodes: the node simulator's (reference/src/simulator/), which
//      renews their Leases and makes every bound pod Running, writing its
//      status; with --objects-only, Node objects alone, no agent of any kind;
//   3. create the pods (cpu and memory requests, owned by 100 fake ReplicaSets);
//   4. start the scheduler as a child process (as the harness runs it) and
//      follow a watch of bound pods until every pod has a node (--stream:
//      the scheduler starts first and places pods while they are created);
//   5. baseline, in the same run: with the scheduler stopped, the same number
//      of binding POSTs sent straight from here, with no decision behind them.
//
// Printed: pods/s from the first create until all are bound (end to end), the
// scheduler's own pods/s (from its start until all are bound; with --stream,
// end to end), the baseline's bindings/s, and the ratio of the two: 1.0 would
// mean that deciding costs nothing next to the API writes. Also how many of the
// Scheduled events (sent in the background, behind the bindings) were written
// by then. With --json, one JSON object is the last line.

import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ensurePki } from '../../conformance/harness/pki.ts';
import { ApiClient } from '../../reference/src/client/api-client.ts';
import { EVENTS, NODES, PODS, resourcePath, withQuery } from '../../reference/src/client/paths.ts';
import { SIMULATED_TOLERATION } from '../../reference/src/simulator/simulated-node.ts';
import { BENCH_TOKEN, inParallel, runBenchmark, startApiServer, startChild } from './support.ts';

const { values: args } = parseArgs({
  options: {
    nodes: { type: 'string', default: '1000' },
    pods: { type: 'string', default: '10000' },
    concurrency: { type: 'string', default: '16' },
    json: { type: 'boolean', default: false },
    /** Start the scheduler first and create the pods while it runs, as a ReplicaSet would. */
    stream: { type: 'boolean', default: false },
    /** Nodes as bare objects, with no simulator running the pods bound to them. */
    'objects-only': { type: 'boolean', default: false },
    /** Writes the scheduler process's CPU profile into this folder (open it in Chrome's DevTools). */
    'cpu-prof': { type: 'string' },
  },
});
const NODE_COUNT = Number(args.nodes);
const POD_COUNT = Number(args.pods);
const CONCURRENCY = Number(args.concurrency);
const BIND_CONCURRENCY = 32; // what the scheduler keeps in flight
const log = (line: string) => {
  if (!args.json) console.log(line);
};

const SIMULATED = !args['objects-only'];
/** The i-th node's name (from 0): the simulator names its nodes sim-node-1 … sim-node-N. */
const nodeName = (i: number) => (SIMULATED ? `sim-node-${i + 1}` : `node-${i}`);

function fakeNode(i: number) {
  const resources = { cpu: '32', memory: '128Gi', pods: '110' };
  return {
    apiVersion: 'v1', kind: 'Node',
    metadata: { name: `node-${i}`, labels: { 'kubernetes.io/hostname': `node-${i}`, 'topology.kubernetes.io/zone': `zone-${i % 3}` } },
    status: {
      capacity: resources, allocatable: resources,
      conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' }],
    },
  };
}

function benchPod(i: number, namespace: string) {
  const rs = `web-${i % 100}`;
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: {
      name: `pod-${i}`, namespace, labels: { app: rs },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: rs, uid: `00000000-0000-0000-0000-${String(i % 100).padStart(12, '0')}`, controller: true }],
    },
    // Simulated nodes are tainted as KWOK's are: the pods tolerate it (harmless on the untainted Node objects of --objects-only).
    spec: { tolerations: [SIMULATED_TOLERATION], containers: [{ name: 'web', image: 'kubelab/web:1', resources: { requests: { cpu: '100m', memory: '128Mi' } } }] },
  };
}

/** Resolves when `count` distinct pods of the namespace have been seen bound (a watch of spec.nodeName!=""). */
function waitForBound(client: ApiClient, namespace: string, count: number, fromResourceVersion: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const bound = new Set<string>();
    const path = withQuery(resourcePath(PODS, namespace), { watch: '1', fieldSelector: 'spec.nodeName!=', resourceVersion: fromResourceVersion });
    const handle = client.watch(path, (type, pod) => {
      if (type === 'ADDED' || type === 'MODIFIED') bound.add(pod.metadata.name);
      if (bound.size >= count) {
        handle.stop();
        resolve();
      }
    }, (err) => reject(err ?? new Error(`the watch ended after ${bound.size} of ${count} bound pods`)));
  });
}

async function main(dir: string, children: ChildProcess[]) {
  const pki = await ensurePki(join(dir, 'pki'), ['127.0.0.1']);
  const { child: apiserver, apiUrl } = await startApiServer(dir, pki, 'memory');
  children.push(apiserver);
  const client = new ApiClient({ apiUrl, token: BENCH_TOKEN, ca: pki.caPem, userAgent: 'bench' });
  log(`Scheduler benchmark: ${POD_COUNT} pods on ${NODE_COUNT} ${SIMULATED ? 'simulated nodes' : 'Node objects (no agents)'}, HTTPS on loopback, memory store`);

  // 2. Nodes.
  let nodeSeconds: number;
  if (SIMULATED) {
    const t0 = performance.now();
    children.push(await startChild(['node', 'reference/launch.mjs', 'reference/src/simulator/main.ts'], {
      KUBELAB_API_URL: apiUrl, KUBELAB_TOKEN: BENCH_TOKEN, KUBELAB_CA_FILE: pki.caFile,
      KUBELAB_PROFILE: 'conformance/profiles/real.json', KUBELAB_SIMULATED_NODES: String(NODE_COUNT),
    }, /simulating \d+ nodes/));
    for (;;) {
      const nodes = await client.get<{ items: any[] }>(resourcePath(NODES));
      if (nodes.items.filter((n) => (n.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True')).length >= NODE_COUNT) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    nodeSeconds = (performance.now() - t0) / 1000;
  } else {
    nodeSeconds = await inParallel(NODE_COUNT, CONCURRENCY, (i) => client.create(resourcePath(NODES), fakeNode(i)));
  }
  log(`nodes        ${NODE_COUNT} ${SIMULATED ? 'simulated nodes Ready' : 'registered'} in ${nodeSeconds.toFixed(2)} s`);

  // 3. Pods, then 4. the scheduler (or, with --stream, the other way round),
  // timed until the watch has seen the last pod bound.
  const before = await client.get<any>(withQuery(resourcePath(PODS, 'default'), { limit: 1 }));
  const allBound = waitForBound(client, 'default', POD_COUNT, before.metadata.resourceVersion);
  const createPods = async () => {
    const seconds = await inParallel(POD_COUNT, CONCURRENCY, (i) => client.create(resourcePath(PODS, 'default'), benchPod(i, 'default')));
    log(`create       ${POD_COUNT} pods in ${seconds.toFixed(2)} s (${(POD_COUNT / seconds).toFixed(0)}/s)`);
    return seconds;
  };
  const startScheduler = async () => {
    const spawned = performance.now();
    const profiling = args['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${args['cpu-prof']}`] : [];
    const child = await startChild(['node', ...profiling, 'reference/launch.mjs', 'reference/src/scheduler/main.ts'], {
      KUBELAB_API_URL: apiUrl, KUBELAB_TOKEN: BENCH_TOKEN, KUBELAB_CA_FILE: pki.caFile,
    }, /scheduling pods for/);
    children.push(child);
    log(`scheduler    process start to caches synced: ${((performance.now() - spawned) / 1000).toFixed(2)} s`);
    return { child, startup: (performance.now() - spawned) / 1000 };
  };
  let firstCreate: number, started: number, createSeconds: number, scheduler: Awaited<ReturnType<typeof startScheduler>>;
  let lastCreate = 0;
  if (args.stream) {
    scheduler = await startScheduler();
    started = firstCreate = performance.now();
    createSeconds = await createPods();
    lastCreate = performance.now();
  } else {
    firstCreate = performance.now();
    createSeconds = await createPods();
    scheduler = await startScheduler();
    started = performance.now();
  }
  await allBound;
  const done = performance.now();
  const scheduleSeconds = (done - started) / 1000;
  const endToEndSeconds = (done - firstCreate) / 1000;
  // Events are best effort and sent a few at a time behind the bindings: how far behind were they?
  const events = await client.get<{ items: any[] }>(withQuery(resourcePath(EVENTS, 'default'), { fieldSelector: 'reason=Scheduled' }));
  const scheduledEvents = events.items.filter((e) => e.reason === 'Scheduled').length;
  if (!args.stream) log(`schedule     ${POD_COUNT} pods bound in ${scheduleSeconds.toFixed(2)} s after the scheduler started: ${(POD_COUNT / scheduleSeconds).toFixed(0)} pods/s`);
  log(`end to end   first create → all bound: ${endToEndSeconds.toFixed(2)} s: ${(POD_COUNT / endToEndSeconds).toFixed(0)} pods/s`);
  if (args.stream) log(`lag          last create → all bound: ${((done - lastCreate) / 1000).toFixed(2)} s (the scheduler keeps up when this is small)`);
  log(`events       ${scheduledEvents} of ${POD_COUNT} Scheduled events written when the last pod was bound (the rest follow)`);

  // 5. Baseline: the same number of bindings, with no scheduler deciding anything,
  // measured the same way (until the watch has seen them all bound). The
  // simulator, if any, runs these pods too: the same load as above.
  scheduler.child.kill('SIGTERM');
  await new Promise((r) => scheduler.child.once('exit', r));
  children.splice(children.indexOf(scheduler.child), 1);
  await client.create('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'baseline' } });
  await inParallel(POD_COUNT, CONCURRENCY, (i) => client.create(resourcePath(PODS, 'baseline'), benchPod(i, 'baseline')));
  const beforeBaseline = await client.get<any>(withQuery(resourcePath(PODS, 'baseline'), { limit: 1 }));
  const baselineBound = waitForBound(client, 'baseline', POD_COUNT, beforeBaseline.metadata.resourceVersion);
  const bindStart = performance.now();
  await inParallel(POD_COUNT, BIND_CONCURRENCY, (i) => client.create(resourcePath(PODS, 'baseline', `pod-${i}`, 'binding'), {
    apiVersion: 'v1', kind: 'Binding', metadata: { name: `pod-${i}`, namespace: 'baseline' },
    target: { apiVersion: 'v1', kind: 'Node', name: nodeName(i % NODE_COUNT) },
  }));
  await baselineBound;
  const bindSeconds = (performance.now() - bindStart) / 1000;
  const baselinePerSecond = POD_COUNT / bindSeconds;
  const ratio = POD_COUNT / scheduleSeconds / baselinePerSecond;
  log(`baseline     ${POD_COUNT} raw binding POSTs (${BIND_CONCURRENCY} in flight) in ${bindSeconds.toFixed(2)} s: ${baselinePerSecond.toFixed(0)}/s`);
  log(`ratio        scheduler pods/s ÷ raw bindings/s = ${ratio.toFixed(2)}`);
  client.close();

  if (args.json) {
    console.log(JSON.stringify({
      benchmark: 'scheduler', nodes: NODE_COUNT, pods: POD_COUNT, simulatedNodes: SIMULATED,
      mode: args.stream ? 'stream' : 'pods-first',
      create: { seconds: createSeconds, perSecond: POD_COUNT / createSeconds },
      schedulerStartSeconds: scheduler.startup,
      schedule: { seconds: scheduleSeconds, podsPerSecond: POD_COUNT / scheduleSeconds },
      endToEnd: { seconds: endToEndSeconds, podsPerSecond: POD_COUNT / endToEndSeconds },
      scheduledEventsWhenAllBound: scheduledEvents,
      baseline: { bindings: POD_COUNT, concurrency: BIND_CONCURRENCY, seconds: bindSeconds, perSecond: baselinePerSecond },
      ratio,
    }));
  }
}

runBenchmark('kubelab-bench-', main);
