// `kubelab up`: start an implementation (the reference unless --impl names
// another) through the same process driver the suite uses, so a student runs
// their orchestrator exactly as it is graded. Runs until Ctrl-C. It also serves
// the harness's control endpoint, so that `kubelab disrupt` can kill a node or
// stop a component of this cluster (control-file.ts).

import { resolve } from 'node:path';
import { ProcessCluster } from '../conformance/harness/process-driver.ts';
import { serveControl } from './control-file.ts';

export interface UpOptions {
  impl: string;
  nodes?: number;
  /** Nodes simulated by the reference's node simulator, beside the real ones. */
  simulatedNodes?: number;
  dataDir: string;
  port: number;
  host: string;
  store?: string;
  profile: string;
  verbose?: boolean;
}

export interface RunningCluster {
  cluster: ProcessCluster;
  /** Stops the control endpoint (removing control.json), then the cluster. */
  stop(): Promise<void>;
}

export async function up(options: UpOptions): Promise<RunningCluster> {
  const started = Date.now();
  const cluster = await ProcessCluster.start({
    implDir: options.impl,
    dataDir: options.dataDir,
    nodes: options.nodes,
    simulatedNodes: options.simulatedNodes,
    host: options.host,
    port: options.port,
    store: options.store,
    profile: options.profile,
    onLine: options.verbose ? (line) => process.stderr.write(`[${line.process}] ${line.text}\n`) : undefined,
  });
  const control = await serveControl(cluster, options.dataDir).catch(async (err) => {
    await cluster.stop();
    throw err;
  });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const kubeconfig = resolve(cluster.kubeconfig);
  const nodes = cluster.nodes.length;
  const simulated = cluster.simulatedNodes ? ` + ${cluster.simulatedNodes} simulated` : '';
  console.log(`kubelab: ${cluster.implementation} is up at ${cluster.apiUrl} (${nodes} node${nodes === 1 ? '' : 's'}${simulated}, ${seconds} s) — use it with: export KUBECONFIG=${kubeconfig}; kubectl get namespaces`);
  return {
    cluster,
    async stop() {
      await control.close();
      await cluster.stop();
    },
  };
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
