// `kubelab up`: start an implementation (the reference unless --impl names
// another) through the same process driver the suite uses, so a student runs
// their orchestrator exactly as it is graded. Runs until Ctrl-C.

import { resolve } from 'node:path';
import { ProcessCluster } from '../conformance/harness/process-driver.ts';

export interface UpOptions {
  impl: string;
  nodes?: number;
  dataDir: string;
  port: number;
  host: string;
  store?: string;
  profile: string;
  verbose?: boolean;
}

export async function up(options: UpOptions): Promise<ProcessCluster> {
  const started = Date.now();
  const cluster = await ProcessCluster.start({
    implDir: options.impl,
    dataDir: options.dataDir,
    nodes: options.nodes,
    host: options.host,
    port: options.port,
    store: options.store,
    profile: options.profile,
    onLine: options.verbose ? (line) => process.stderr.write(`[${line.process}] ${line.text}\n`) : undefined,
  });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const kubeconfig = resolve(cluster.kubeconfig);
  const nodes = cluster.nodes.length;
  console.log(`kubelab: ${cluster.implementation} is up at ${cluster.apiUrl} (${nodes} node${nodes === 1 ? '' : 's'}, ${seconds} s) — use it with: export KUBECONFIG=${kubeconfig}; kubectl get namespaces`);
  return cluster;
}

/** Stops the cluster on Ctrl-C or SIGTERM, once. */
export function stopOnSignal(stop: () => Promise<void>): void {
  let stopping = false;
  const handler = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`\nkubelab: ${signal}, stopping the cluster…\n`);
    await stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void handler('SIGINT'));
  process.on('SIGTERM', () => void handler('SIGTERM'));
}
