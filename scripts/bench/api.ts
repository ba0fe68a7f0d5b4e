// API benchmark: creates, gets and lists of pods over HTTPS against the reference
// API server, and the same requests against a bare node:http server measured in
// the same run. Prints requests per second, latency percentiles and the ratios.
//
//   npm run bench               (or: npx tsx scripts/bench/api.ts [--pods N] [--concurrency C] [--store memory|sqlite] [--json])
//
// Both servers run as child processes on loopback with the same certificate,
// and one client (this process) drives both with the same keep-alive agent.

import https from 'node:https';
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ensurePki } from '../../conformance/harness/pki.ts';
import { freePort } from '../../conformance/harness/ports.ts';
import { runBenchmark, sendForStatus, startApiServer, startChild } from './support.ts';

const { values: args } = parseArgs({
  options: {
    pods: { type: 'string', default: '3000' },
    concurrency: { type: 'string', default: '16' },
    store: { type: 'string', default: 'sqlite' },
    json: { type: 'boolean', default: false },
  },
});
const PODS = Number(args.pods);
const CONCURRENCY = Number(args.concurrency);

interface Phase {
  requests: number;
  seconds: number;
  perSecond: number;
  p50ms: number;
  p99ms: number;
}

function podManifest(i: number) {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: `bench-${i}`, labels: { app: 'bench' } }, spec: { containers: [{ name: 'web', image: 'kubelab/web:1' }] } };
}

/** Runs count requests with `concurrency` in flight; returns throughput and latency percentiles. */
async function phase(count: number, concurrency: number, send: (i: number) => Promise<number>, expected: number): Promise<Phase> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const t0 = performance.now();
      const code = await send(i);
      latencies.push(performance.now() - t0);
      if (code !== expected) throw new Error(`request ${i} answered ${code}, expected ${expected}`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))];
  return { requests: count, seconds, perSecond: count / seconds, p50ms: pct(50), p99ms: pct(99) };
}

async function measure(label: string, port: number, ca: string) {
  const api = { port, ca, agent: new https.Agent({ keepAlive: true, maxSockets: CONCURRENCY }) };
  const base = '/api/v1/namespaces/default/pods';
  const creates = await phase(PODS, CONCURRENCY, (i) => sendForStatus(api, 'POST', base, podManifest(i)), 201);
  const gets = await phase(PODS, CONCURRENCY, (i) => sendForStatus(api, 'GET', `${base}/bench-${i}`), 200);
  const lists = await phase(20, 2, () => sendForStatus(api, 'GET', base), 200);
  api.agent.destroy();
  if (!args.json) {
    console.log(`${label.padEnd(12)} creates ${creates.perSecond.toFixed(0).padStart(6)}/s (p50 ${creates.p50ms.toFixed(1)} ms, p99 ${creates.p99ms.toFixed(1)} ms) · gets ${gets.perSecond.toFixed(0).padStart(6)}/s (p50 ${gets.p50ms.toFixed(1)} ms, p99 ${gets.p99ms.toFixed(1)} ms) · list of ${PODS} pods ${lists.p50ms.toFixed(0)} ms`);
  }
  return { creates, gets, lists };
}

async function main(dir: string, children: ChildProcess[]) {
  const pki = await ensurePki(join(dir, 'pki'), ['127.0.0.1']);
  const barePort = await freePort();
  children.push(await startChild(['node', '--import', 'tsx', 'scripts/bench/bare-server.ts'], { PORT: String(barePort), CERT: pki.certFile, KEY: pki.keyFile }, /bare server ready/));
  const apiserver = await startApiServer(dir, pki, args.store!);
  children.push(apiserver.child);

  if (!args.json) console.log(`API benchmark: ${PODS} pods, ${CONCURRENCY} requests in flight, HTTPS on loopback, store ${args.store}`);
  const bare = await measure('bare http', barePort, pki.caPem);
  const api = await measure('apiserver', apiserver.port, pki.caPem);
  const ratios = {
    creates: api.creates.perSecond / bare.creates.perSecond,
    gets: api.gets.perSecond / bare.gets.perSecond,
    list: bare.lists.p50ms / api.lists.p50ms,
  };
  if (args.json) {
    console.log(JSON.stringify({ benchmark: 'api', pods: PODS, concurrency: CONCURRENCY, store: args.store, bare, apiserver: api, ratios }));
  } else {
    console.log(`ratio to bare: creates ${ratios.creates.toFixed(2)} · gets ${ratios.gets.toFixed(2)} · list ${ratios.list.toFixed(2)}`);
  }
}

runBenchmark('kubelab-bench-', main);
