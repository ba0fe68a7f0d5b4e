// The node simulator: one process that plays the node agent of N nodes whose
// containers run nowhere (KWOK's idea, https://kwok.sigs.k8s.io/). The
// scheduler, the controllers and kubectl see N Ready nodes whose pods go
// through the whole lifecycle (scheduled, Running, Ready, deleted), so a
// cluster of 2,000 nodes fits on a laptop: for benchmarks, and for seeing the
// scheduler spread a workload over many nodes. Like KWOK's, the nodes are
// labelled type=kwok and tainted kwok.x-k8s.io/node=fake:NoSchedule
// (simulated-node.ts), so only pods that tolerate the taint are scheduled there.
//
//   node-simulator.ts  register the Nodes, report their status, renew their Leases
//   pod-simulator.ts   pods bound to them: Running and Ready, deletion finished
//   simulated-node.ts  what a simulated Node looks like (name, addresses, capacity)
//
// It is an API client like any other (KUBELAB_API_URL, KUBELAB_TOKEN,
// KUBELAB_CA_FILE), so it can serve any implementation's API server;
// `kubelab up --simulated-nodes N` starts it (see config.ts for its settings).
// SIGTERM stops it; its Nodes stay, and turn NotReady once their Leases expire,
// as when a kubelet stops.

import { ApiClient, configFromEnv as clientConfigFromEnv } from '../client/api-client.ts';
import { configFromEnv } from './config.ts';
import { NodeSimulator } from './node-simulator.ts';
import { PodSimulator } from './pod-simulator.ts';
import { simulatedNode } from './simulated-node.ts';

async function main(): Promise<void> {
  const config = configFromEnv();
  const client = new ApiClient(clientConfigFromEnv('kubelab-simulator'));
  const nodes = Array.from({ length: config.nodes }, (_, i) => simulatedNode(config.prefix, i + 1));
  const nodeSimulator = new NodeSimulator(client, nodes, config.profile);
  const podSimulator = new PodSimulator(client, nodes);

  const shutdown = (why: string) => {
    console.log(`simulator: ${why}: stopping (the Nodes stay, and turn NotReady when their Leases expire)`);
    nodeSimulator.stop();
    podSimulator.stop();
    client.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));

  // Each informer lists, then watches; the first list waits for the API server if it is not up yet.
  await nodeSimulator.start();
  await podSimulator.start();
  console.log(`simulator: simulating ${nodes.length} nodes (${nodes[0].name} … ${nodes.at(-1)!.name}), leases renewed every ${nodeSimulator.leaseRenewSeconds} s`);
}

main().catch((err) => {
  console.error(`simulator: ${(err as Error).stack ?? err}`);
  process.exit(1);
});
