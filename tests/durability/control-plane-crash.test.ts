// Durability of the control plane: writers hammer the API over HTTPS while the API
// server process is killed with SIGKILL at random moments and started again on the
// same data. Whatever the API acknowledged (a 2xx answer) must still be there, with
// the content that was acknowledged, and resourceVersions must never go backwards.
//
// This is the promise etcd makes to the Kubernetes API server, and the one the API
// server makes to its clients: a write is durable once it is acknowledged
// (https://etcd.io/docs/v3.5/learning/api_guarantees/#durability). A write that got
// no answer (the connection died with the process) may or may not have happened;
// both are correct, so those are only counted.
//
// Several writers run at once:
// - create writers make ConfigMaps with unique names and unique content;
// - counter writers each own one ConfigMap and update it with an increasing counter
//   (compare-and-swap on resourceVersion, as kubectl and controllers do). After a
//   crash the stored counter must be the last acknowledged value or a later one that
//   was attempted, never an older one.
// Every acknowledged write must carry a resourceVersion greater than that of every
// write acknowledged before it was sent: revisions are one global, increasing
// counter, and a restart must not hand out old ones again.

import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ProcessCluster } from '../../conformance/harness/process-driver.ts';
import { rawRequest, type RawRequest, type RawResponse } from '../../conformance/harness/raw-client.ts';
import { etcdInstalled, startEtcd, type RunningEtcd } from '../support/etcd.ts';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const KILLS = 20;
const CREATE_WRITERS = 4;
const COUNTER_WRITERS = 3;
const NAMESPACE = 'durability';
// About 35 s idle; each of the 20 restarts starts a Node.js process, which takes
// several times longer while the rest of the suite loads both cores.
const CRASH_TEST_TIMEOUT_MS = 300_000;
const CONFIGMAPS = `/api/v1/namespaces/${NAMESPACE}/configmaps`;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const randomBetween = (from: number, to: number) => from + Math.random() * (to - from);
const isSuccess = (res: RawResponse) => res.status >= 200 && res.status < 300;

/** What the writers saw, and what they found wrong along the way. */
class Ledger {
  attempts = 0;
  acknowledged = 0;
  acknowledgedUpdates = 0;
  /** Connections refused: the server was down, so the request was never sent. */
  notSent = 0;
  /** Requests cut by the kill: sent, but no answer. The write may or may not have happened. */
  ambiguous = 0;
  /** Answers that were not 2xx (a conflict after an ambiguous update, a 5xx while starting). */
  refused = 0;
  /** The highest resourceVersion acknowledged so far, by any writer. */
  highestRv = 0;
  backwards: string[] = [];
  lost: string[] = [];
  /** Creates acknowledged: name → the content that was sent. */
  readonly created = new Map<string, string>();
  readonly counters: Counter[] = [];

  /**
   * Records an acknowledged write. `floor` is highestRv when the request was sent:
   * the write happened after those, so its revision must be greater.
   */
  acknowledge(what: string, resourceVersion: string, floor: number): number {
    this.acknowledged++;
    const rv = Number(resourceVersion);
    if (!(rv > floor)) this.backwards.push(`${what}: resourceVersion ${resourceVersion}, but ${floor} was acknowledged before it was sent`);
    this.highestRv = Math.max(this.highestRv, rv);
    return rv;
  }
}

interface Counter {
  name: string;
  lastAcknowledged: number;
  /** Every value sent, acknowledged or not: one of these may have been stored without an answer. */
  attempted: Set<number>;
}

/** A request that may find the server dead: no answer gives undefined instead of an error. */
async function send(cluster: ProcessCluster, ledger: Ledger, request: RawRequest): Promise<RawResponse | undefined> {
  ledger.attempts++;
  try {
    const res = await rawRequest(cluster, { timeoutMs: 5000, ...request });
    if (!isSuccess(res)) ledger.refused++;
    return res;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ECONNREFUSED') ledger.notSent++;
    else ledger.ambiguous++;
    return undefined;
  }
}

/** Checks a counter as read back from the API: never behind what was acknowledged, never a value nobody sent. */
function checkCounter(ledger: Ledger, counter: Counter, stored: number, when: string): void {
  const ok = stored === counter.lastAcknowledged || (stored > counter.lastAcknowledged && counter.attempted.has(stored));
  if (!ok) ledger.lost.push(`${counter.name} ${when}: counter ${stored}, but ${counter.lastAcknowledged} was acknowledged`);
}

async function createWriter(cluster: ProcessCluster, ledger: Ledger, id: number, running: () => boolean): Promise<void> {
  for (let i = 0; running(); i++) {
    const name = `w${id}-${i}`;
    const value = randomUUID();
    const floor = ledger.highestRv;
    const res = await send(cluster, ledger, { method: 'POST', path: CONFIGMAPS, body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { value } } });
    if (res && isSuccess(res)) {
      ledger.created.set(name, value);
      ledger.acknowledge(`create ${name}`, res.json.metadata.resourceVersion, floor);
    } else {
      await sleep(10);
    }
  }
}

async function counterWriter(cluster: ProcessCluster, ledger: Ledger, counter: Counter, resourceVersion: string, running: () => boolean): Promise<void> {
  let rv = resourceVersion;
  let objectRv = Number(rv);
  let next = counter.lastAcknowledged + 1;
  while (running()) {
    const value = next++;
    counter.attempted.add(value);
    const floor = ledger.highestRv;
    const res = await send(cluster, ledger, {
      method: 'PUT', path: `${CONFIGMAPS}/${counter.name}`,
      body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: counter.name, resourceVersion: rv }, data: { counter: String(value) } },
    });
    if (res && isSuccess(res)) {
      counter.lastAcknowledged = value;
      ledger.acknowledgedUpdates++;
      rv = res.json.metadata.resourceVersion;
      objectRv = ledger.acknowledge(`update ${counter.name} to ${value}`, rv, floor);
    } else if (res?.status === 409) {
      // An update that got no answer went through after all: read what is stored and go on from there.
      const read = await send(cluster, ledger, { path: `${CONFIGMAPS}/${counter.name}` });
      if (read && isSuccess(read)) {
        checkCounter(ledger, counter, Number(read.json.data.counter), 'read after a conflict');
        rv = read.json.metadata.resourceVersion;
        if (Number(rv) < objectRv) ledger.backwards.push(`${counter.name}: read resourceVersion ${rv} after ${objectRv} was acknowledged`);
        objectRv = Number(rv);
      }
    } else {
      await sleep(10);
    }
  }
}

/** Every acknowledged create and counter, read back in one list. */
async function verify(cluster: ProcessCluster, ledger: Ledger): Promise<void> {
  const res = await rawRequest(cluster, { path: CONFIGMAPS, timeoutMs: 30_000 });
  if (!isSuccess(res)) throw new Error(`listing ConfigMaps answered ${res.status}: ${res.text.slice(0, 300)}`);
  const stored = new Map<string, any>(res.json.items.map((cm: any) => [cm.metadata.name, cm]));
  for (const [name, value] of ledger.created) {
    const cm = stored.get(name);
    if (!cm) ledger.lost.push(`${name}: created (acknowledged) but missing`);
    else if (cm.data?.value !== value) ledger.lost.push(`${name}: acknowledged with ${value}, stored ${cm.data?.value}`);
  }
  for (const counter of ledger.counters) {
    const cm = stored.get(counter.name);
    if (!cm) ledger.lost.push(`${counter.name}: missing`);
    else checkCounter(ledger, counter, Number(cm.data?.counter), 'at the end');
  }
  const listRv = Number(res.json.metadata.resourceVersion);
  if (listRv < ledger.highestRv) ledger.backwards.push(`the final list is at resourceVersion ${listRv}, below the acknowledged ${ledger.highestRv}`);
}

async function crashTest(cluster: ProcessCluster, store: string): Promise<void> {
  const ledger = new Ledger();
  const namespace = await rawRequest(cluster, { method: 'POST', path: '/api/v1/namespaces', body: { metadata: { name: NAMESPACE } } });
  expect(namespace.status, namespace.text).toBe(201);
  const starts: Promise<void>[] = [];
  let running = true;
  const isRunning = () => running;
  for (let i = 0; i < COUNTER_WRITERS; i++) {
    const counter: Counter = { name: `counter-${i}`, lastAcknowledged: 0, attempted: new Set([0]) };
    const res = await rawRequest(cluster, { method: 'POST', path: CONFIGMAPS, body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: counter.name }, data: { counter: '0' } } });
    expect(res.status, res.text).toBe(201);
    ledger.counters.push(counter);
    starts.push(counterWriter(cluster, ledger, counter, res.json.metadata.resourceVersion, isRunning));
  }
  for (let i = 0; i < CREATE_WRITERS; i++) starts.push(createWriter(cluster, ledger, i, isRunning));

  const began = Date.now();
  const downtimes: number[] = [];
  try {
    for (let kill = 0; kill < KILLS; kill++) {
      await sleep(randomBetween(100, 400));
      const killedAt = Date.now();
      await cluster.crashControlPlane();
      downtimes.push(Date.now() - killedAt);
    }
    await sleep(300); // a last stretch of writes on the final incarnation
  } finally {
    running = false;
    await Promise.all(starts);
  }
  await verify(cluster, ledger);

  const mean = downtimes.reduce((a, b) => a + b, 0) / downtimes.length;
  console.log([
    `control-plane crash (${store}): ${downtimes.length} SIGKILLs in ${((Date.now() - began) / 1000).toFixed(1)} s,`,
    `restart to /readyz ${Math.round(mean)} ms mean, ${Math.max(...downtimes)} ms max;`,
    `${ledger.attempts} requests, ${ledger.acknowledged} writes acknowledged (${ledger.created.size} creates, ${ledger.acknowledgedUpdates} counter updates),`,
    `${ledger.ambiguous} cut by a kill, ${ledger.notSent} refused connections, ${ledger.refused} non-2xx answers;`,
    `lost = ${ledger.lost.length}, resourceVersion backwards = ${ledger.backwards.length}, highest resourceVersion ${ledger.highestRv}`,
  ].join(' '));

  // The first few of each, so that a failure stays readable.
  expect(ledger.lost.slice(0, 20), `${ledger.lost.length} acknowledged writes missing or older than acknowledged`).toEqual([]);
  expect(ledger.backwards.slice(0, 20), `${ledger.backwards.length} resourceVersions went backwards`).toEqual([]);
  // The test proves nothing if the writers got nowhere between the kills.
  expect(ledger.created.size).toBeGreaterThan(KILLS);
  expect(ledger.acknowledgedUpdates).toBeGreaterThan(KILLS);
}

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function startCluster(store: string): Promise<ProcessCluster> {
  const dataDir = mkdtempSync(join(tmpdir(), 'kubelab-crash-'));
  cleanups.push(async () => rmSync(dataDir, { recursive: true, force: true }));
  const cluster = await ProcessCluster.start({ implDir: REPO_ROOT, dataDir, nodes: 0, profile: 'fast', store });
  cleanups.push(() => cluster.stop());
  return cluster;
}

describe('durability: the API server killed with SIGKILL while clients write', () => {
  it('sqlite keeps every acknowledged write', async () => {
    await crashTest(await startCluster('sqlite'), 'sqlite');
  }, CRASH_TEST_TIMEOUT_MS);

  const etcdMissing = etcdInstalled() ? undefined : 'etcd not installed (apt-get install etcd-server)';
  it.skipIf(etcdMissing !== undefined)(`etcd keeps every acknowledged write${etcdMissing ? ` (skipped: ${etcdMissing})` : ''}`, async () => {
    const etcd = await startEtcd();
    if ('skipped' in etcd) throw new Error(etcd.skipped);
    cleanups.push(() => (etcd as RunningEtcd).stop());
    await crashTest(await startCluster(`etcd://${new URL(etcd.endpoint).host}`), 'etcd');
  }, CRASH_TEST_TIMEOUT_MS);
});
