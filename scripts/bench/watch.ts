// Watch fan-out benchmark: 100 watchers of all pods while 5,000 pods are created.
// The figure is the time from the first create until the last watcher has seen the
// last event; the baseline, measured in the same run against the same server, is the
// time the same creates take with nobody watching. Their ratio is what fan-out costs.
//
//   npx tsx scripts/bench/watch.ts [--watchers 100] [--pods 5000] [--concurrency 16] [--store sqlite|memory] [--json]
//
// The watchers are plain HTTPS streams in this process; each counts newline-delimited
// events without parsing them (only pod creates happen, so one line is one ADDED), so
// the client does not become what is measured.

import https from 'node:https';
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ensurePki } from '../../conformance/harness/pki.ts';
import { BENCH_TOKEN, inParallel, runBenchmark, send, startApiServer, type BenchApi } from './support.ts';

const { values: args } = parseArgs({
  options: {
    watchers: { type: 'string', default: '100' },
    pods: { type: 'string', default: '5000' },
    concurrency: { type: 'string', default: '16' },
    store: { type: 'string', default: 'sqlite' },
    json: { type: 'boolean', default: false },
  },
});
const WATCHERS = Number(args.watchers);
const PODS = Number(args.pods);
const CONCURRENCY = Number(args.concurrency);
const log = (line: string) => { if (!args.json) console.log(line); };

function pod(namespace: string, i: number) {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: `fan-${i}`, namespace, labels: { app: 'fan' } }, spec: { containers: [{ name: 'web', image: 'kubelab/web:1' }] } };
}

/** Creates PODS pods in namespace, CONCURRENCY at a time; resolves with the time it took (ms) and when it started. */
async function createPods(api: BenchApi, namespace: string): Promise<{ started: number; ms: number }> {
  const ns = await send(api, 'POST', '/api/v1/namespaces', { metadata: { name: namespace } });
  if (ns.code !== 201) throw new Error(`namespace ${namespace}: ${ns.code} ${ns.text}`);
  const started = performance.now();
  await inParallel(PODS, CONCURRENCY, async (i) => {
    const res = await send(api, 'POST', `/api/v1/namespaces/${namespace}/pods`, pod(namespace, i));
    if (res.code !== 201) throw new Error(`pod ${i}: ${res.code} ${res.text.slice(0, 300)}`);
  });
  return { started, ms: performance.now() - started };
}

/** A watch of all pods from rv that counts events; `done` resolves (with the time) at the expected count. */
function watchAllPods(api: BenchApi, rv: string, expected: number) {
  let count = 0;
  let resolveDone!: (at: number) => void;
  const done = new Promise<number>((r) => { resolveDone = r; });
  let resolveOpen!: () => void;
  const open = new Promise<void>((r) => { resolveOpen = r; });
  const req = https.request({
    host: '127.0.0.1', port: api.port, path: `/api/v1/pods?watch=true&resourceVersion=${rv}&timeoutSeconds=3600`, ca: api.ca, agent: false,
    headers: { Authorization: `Bearer ${BENCH_TOKEN}`, Accept: 'application/json' },
  }, (res) => {
    if (res.statusCode !== 200) throw new Error(`watch answered ${res.statusCode}`);
    resolveOpen();
    res.on('data', (chunk: Buffer) => {
      for (let at = chunk.indexOf(10); at !== -1; at = chunk.indexOf(10, at + 1)) count++;
      if (count >= expected) resolveDone(performance.now());
    });
  });
  req.on('error', () => {});
  req.end();
  return { open, done, close: () => req.destroy(), seen: () => count };
}

async function main(dir: string, children: ChildProcess[]) {
  const pki = await ensurePki(join(dir, 'pki'), ['127.0.0.1']);
  const apiserver = await startApiServer(dir, pki, args.store!);
  children.push(apiserver.child);
  const api: BenchApi = { port: apiserver.port, ca: pki.caPem, agent: new https.Agent({ keepAlive: true, maxSockets: CONCURRENCY }) };
  log(`watch fan-out benchmark: ${WATCHERS} watchers of all pods, ${PODS} pods created ${CONCURRENCY} at a time, HTTPS on loopback, store ${args.store}`);

  // Baseline: the same creates with nobody watching.
  const baseline = await createPods(api, 'fan-baseline');
  log(`baseline     ${PODS} creates, no watchers: ${(baseline.ms / 1000).toFixed(2)} s (${(PODS / (baseline.ms / 1000)).toFixed(0)}/s)`);

  // Fan-out: the watchers start from the current revision, then the creates begin.
  const list = await send(api, 'GET', '/api/v1/namespaces');
  const rv = JSON.parse(list.text).metadata.resourceVersion as string;
  const watchers = Array.from({ length: WATCHERS }, () => watchAllPods(api, rv, PODS));
  await Promise.all(watchers.map((w) => w.open));
  const lastSeen = Promise.all(watchers.map((w) => w.done));
  const fanned = await createPods(api, 'fan-watched');
  const seenAt = await lastSeen;
  const lastWatcherMs = Math.max(...seenAt) - fanned.started;
  const firstWatcherMs = Math.min(...seenAt) - fanned.started;
  for (const w of watchers) w.close();
  api.agent.destroy();

  const ratio = lastWatcherMs / baseline.ms;
  const result = {
    benchmark: 'watch', watchers: WATCHERS, pods: PODS, concurrency: CONCURRENCY, store: args.store,
    baselineCreateMs: Math.round(baseline.ms), createsWithWatchersMs: Math.round(fanned.ms),
    firstWatcherDoneMs: Math.round(firstWatcherMs), lastWatcherDoneMs: Math.round(lastWatcherMs),
    eventsDelivered: WATCHERS * PODS, eventsPerSecond: Math.round((WATCHERS * PODS) / (lastWatcherMs / 1000)), ratio,
  };
  if (args.json) {
    console.log(JSON.stringify(result));
  } else {
    log(`fan-out      ${PODS} creates with ${WATCHERS} watchers: ${(fanned.ms / 1000).toFixed(2)} s; first watcher done at ${(firstWatcherMs / 1000).toFixed(2)} s, last at ${(lastWatcherMs / 1000).toFixed(2)} s (${result.eventsPerSecond} events/s delivered)`);
    log(`ratio to baseline: ${ratio.toFixed(2)} (time until the last watcher saw the last pod / time to create them unwatched)`);
  }
}

runBenchmark('kubelab-bench-watch-', main);
