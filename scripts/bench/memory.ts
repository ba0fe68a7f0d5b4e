// Memory benchmark: the control plane's resident memory (VmRSS in /proc/PID/status)
// with 10,000 pods stored, next to two baselines measured in the same run: the same
// control plane with nothing stored, and a bare node process that does nothing.
//
//   npx tsx scripts/bench/memory.ts [--pods 10000] [--concurrency 16] [--store sqlite|memory] [--json]
//
// The control plane is the API server, the scheduler and the controller manager, each
// a process, started as the harness starts them. The pods are bound to one Node object
// (spec.nodeName) with no agent behind it, so the scheduler has nothing to place and
// every process holds just what it caches: the store's pods, the informers' pods.
// Linux only (/proc).

import https from 'node:https';
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ensurePki } from '../../conformance/harness/pki.ts';
import { BENCH_TOKEN, inParallel, runBenchmark, send, startApiServer, startChild } from './support.ts';

const { values: args } = parseArgs({
  options: {
    pods: { type: 'string', default: '10000' },
    concurrency: { type: 'string', default: '16' },
    store: { type: 'string', default: 'sqlite' },
    json: { type: 'boolean', default: false },
  },
});
const PODS = Number(args.pods);
const CONCURRENCY = Number(args.concurrency);
const NODE = 'bench-node';
const log = (line: string) => { if (!args.json) console.log(line); };

/** VmRSS of a process, in MiB. */
function rssMiB(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(match[1]) / 1024;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(dir: string, children: ChildProcess[]) {
  const pki = await ensurePki(join(dir, 'pki'), ['127.0.0.1']);
  // Baseline 1: a bare node process (the runtime alone).
  const bare = await startChild(['node', '-e', 'console.log("bare node ready"); setInterval(() => {}, 1000)'], {}, /bare node ready/);
  children.push(bare);
  await sleep(500);
  const bareMiB = rssMiB(bare.pid!);

  const { child: apiserver, port, apiUrl } = await startApiServer(dir, pki, args.store!);
  children.push(apiserver);
  const componentEnv = { KUBELAB_API_URL: apiUrl, KUBELAB_TOKEN: BENCH_TOKEN, KUBELAB_CA_FILE: pki.caFile };
  const scheduler = await startChild(['node', 'reference/launch.mjs', 'reference/src/scheduler/main.ts'], { ...componentEnv, KUBELAB_COMPONENT: 'scheduler' }, /scheduler: scheduling pods/);
  children.push(scheduler);
  const controllers = await startChild(['node', 'reference/launch.mjs', 'reference/src/controller-manager/main.ts'], { ...componentEnv, KUBELAB_COMPONENT: 'controller-manager' }, /controller-manager: running/);
  children.push(controllers);
  const processes = { apiserver, scheduler, 'controller-manager': controllers };
  const measure = () => Object.fromEntries(Object.entries(processes).map(([name, child]) => [name, rssMiB(child.pid!)])) as Record<keyof typeof processes, number>;
  const total = (m: Record<string, number>) => Object.values(m).reduce((a, b) => a + b, 0);

  const api = { port, ca: pki.caPem, agent: new https.Agent({ keepAlive: true, maxSockets: CONCURRENCY }) };
  await sleep(2000); // let the informers list and settle
  const empty = measure();
  log(`memory benchmark: control plane (apiserver, scheduler, controller-manager), store ${args.store}, ${PODS} pods`);
  log(`bare node process           ${bareMiB.toFixed(0)} MiB`);
  log(`empty control plane         ${total(empty).toFixed(0)} MiB (${Object.entries(empty).map(([n, v]) => `${n} ${v.toFixed(0)}`).join(', ')})`);

  const node = await send(api, 'POST', '/api/v1/nodes', { metadata: { name: NODE } });
  if (node.code !== 201) throw new Error(`node: ${node.code} ${node.text}`);
  const createSeconds = await inParallel(PODS, CONCURRENCY, async (i) => {
    const res = await send(api, 'POST', '/api/v1/namespaces/default/pods', {
      metadata: { name: `mem-${i}`, labels: { app: 'mem' } },
      // Tolerating every taint: the node never reports, and its pods must stay stored while the benchmark runs.
      spec: { nodeName: NODE, tolerations: [{ operator: 'Exists' }], containers: [{ name: 'web', image: 'kubelab/web:1' }] },
    });
    if (res.code !== 201) throw new Error(`pod ${i}: ${res.code} ${res.text.slice(0, 300)}`);
  });
  await sleep(3000); // the informers' caches catch up
  const stored = measure();
  // A list of every pod: what the API server needs at its peak while serving one.
  const list = await send(api, 'GET', '/api/v1/pods');
  const afterList = measure();
  api.agent.destroy();

  const ratios = { toEmpty: total(stored) / total(empty), toBareNode: total(stored) / bareMiB, perPodKiB: ((total(stored) - total(empty)) * 1024) / PODS };
  if (args.json) {
    console.log(JSON.stringify({
      benchmark: 'memory', pods: PODS, store: args.store, bareNodeMiB: bareMiB, emptyMiB: empty, storedMiB: stored, afterListMiB: afterList,
      listBytes: list.text.length, createSeconds, ratios,
    }));
  } else {
    log(`${PODS} pods stored          ${total(stored).toFixed(0)} MiB (${Object.entries(stored).map(([n, v]) => `${n} ${v.toFixed(0)}`).join(', ')}); created in ${createSeconds.toFixed(1)} s`);
    log(`…after a list of all pods   ${total(afterList).toFixed(0)} MiB (apiserver ${afterList.apiserver.toFixed(0)}; the list is ${(list.text.length / 2 ** 20).toFixed(1)} MiB of JSON)`);
    log(`ratio: ${ratios.toEmpty.toFixed(2)} × the empty control plane, ${ratios.toBareNode.toFixed(1)} × a bare node process; ${ratios.perPodKiB.toFixed(1)} KiB per pod`);
  }
}

runBenchmark('kubelab-bench-memory-', main);
