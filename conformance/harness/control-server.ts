// The harness's control endpoint. Checks run in vitest workers, but the processes
// of the cluster belong to the harness in the main process; a check that needs a
// disruption (restart the control plane, kill a node) asks for it here, over
// loopback HTTP with a secret token.

import { startSecretEndpoint } from './secret-endpoint.ts';
import type { Cluster } from './cluster.ts';
import type { DisruptionRecord } from '../timeline/recording.ts';

export interface ControlEndpoint {
  url: string;
  secret: string;
  /** The disruptions performed so far (the latest MAX_RECORDS), with start and end times, for failure timelines. */
  disruptions(): DisruptionRecord[];
  close(): Promise<void>;
}

const MAX_RECORDS = 500;

/** What a disruption acts on, in words ("node-2", "web of pod ns/p"). */
export function disruptionTarget(d: Disruption): string {
  return 'name' in d ? d.name : 'pod' in d ? `${d.container} of pod ${d.namespace}/${d.pod}` : '';
}

export type Disruption =
  | { action: 'restart-control-plane' | 'crash-control-plane' | 'stop-control-plane' | 'start-control-plane' }
  | { action: 'stop-component' | 'start-component'; name: string }
  | { action: 'kill-node' | 'start-node' | 'stop-node' | 'resume-node' | 'restart-node'; name: string }
  | { action: 'kill-container'; namespace: string; pod: string; container: string };

const ACTIONS = new Set<string>([
  'restart-control-plane', 'crash-control-plane', 'stop-control-plane', 'start-control-plane', 'stop-component', 'start-component',
  'kill-node', 'start-node', 'stop-node', 'resume-node', 'restart-node', 'kill-container',
] satisfies Disruption['action'][]);

async function perform(cluster: Cluster, d: Disruption): Promise<void> {
  const missing = (what: string) => new Error(`the ${cluster.driver} driver cannot ${what}`);
  switch (d.action) {
    case 'restart-control-plane':
      if (!cluster.restartControlPlane) throw missing('restart the control plane');
      return cluster.restartControlPlane();
    case 'crash-control-plane':
      if (!cluster.crashControlPlane) throw missing('crash the control plane');
      return cluster.crashControlPlane();
    case 'stop-control-plane':
      if (!cluster.stopControlPlane) throw missing('stop the control plane');
      return cluster.stopControlPlane();
    case 'start-control-plane':
      if (!cluster.startControlPlane) throw missing('start the control plane');
      return cluster.startControlPlane();
    case 'stop-component':
      if (!cluster.stopComponent) throw missing('stop a component');
      return cluster.stopComponent(d.name);
    case 'start-component':
      if (!cluster.startComponent) throw missing('start a component');
      return cluster.startComponent(d.name);
    case 'kill-node':
      if (!cluster.killNode) throw missing('kill a node');
      return cluster.killNode(d.name);
    case 'start-node':
      if (!cluster.startNode) throw missing('start a node');
      return cluster.startNode(d.name);
    case 'stop-node':
      if (!cluster.stopNode) throw missing('stop a node');
      return cluster.stopNode(d.name);
    case 'resume-node':
      if (!cluster.resumeNode) throw missing('resume a node');
      return cluster.resumeNode(d.name);
    case 'restart-node':
      if (!cluster.restartNode) throw missing('restart a node');
      return cluster.restartNode(d.name);
    case 'kill-container':
      if (!cluster.killContainer) throw missing('kill a container');
      return cluster.killContainer(d);
  }
}

export async function startControlServer(cluster: Cluster): Promise<ControlEndpoint> {
  // One disruption at a time: two checks must not restart the control plane at once.
  let queue: Promise<unknown> = Promise.resolve();
  const records: DisruptionRecord[] = [];
  const endpoint = await startSecretEndpoint((body, res) => {
    // `kubelab up` serves this endpoint too (kubelab disrupt): a bad request is refused, never a crash of the cluster's harness.
    const disruption = body as Disruption;
    if (!ACTIONS.has(disruption?.action)) {
      res.writeHead(400, { 'Content-Type': 'application/json' }).end(JSON.stringify({ error: `unknown action ${JSON.stringify(disruption?.action)}` }));
      return;
    }
    const record: DisruptionRecord = { action: disruption.action, target: disruptionTarget(disruption), start: Date.now() };
    records.push(record);
    if (records.length > MAX_RECORDS) records.shift();
    const run = queue.then(() => perform(cluster, disruption));
    queue = run.catch(() => undefined);
    run.then(() => { record.end = Date.now(); }, (err) => { record.end = Date.now(); record.error = (err as Error).message; });
    run.then(
      () => res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"ok":true}'),
      (err) => res.writeHead(500, { 'Content-Type': 'application/json' }).end(JSON.stringify({ error: (err as Error).message })),
    );
  });
  return { ...endpoint, disruptions: () => records.map((r) => ({ ...r })) };
}

/** Called from a check: asks the harness for a disruption and waits until it is done. */
export async function requestDisruption(endpoint: { url: string; secret: string }, disruption: Disruption): Promise<void> {
  const res = await fetch(endpoint.url, {
    method: 'POST', headers: { Authorization: `Bearer ${endpoint.secret}`, 'Content-Type': 'application/json' }, body: JSON.stringify(disruption),
  });
  if (!res.ok) throw new Error(`the harness could not ${disruption.action}: ${(await res.json().catch(() => ({}))).error ?? res.status}`);
}
