// The node agent (kubelab's kubelet): one process per node, started by the
// harness with the node's environment (config.ts).
//
//   1. kill the containers a previous agent of this node left running
//      (one that was SIGKILLed: see runtime/pid-records.ts);
//   2. serve container logs and the debug list of running containers
//      (logs/log-server.ts) on the node's IP;
//   3. register the Node and keep it alive: status updates and the Lease (node/);
//   4. run the pods bound to this node (pods/pod-sync.ts);
//   5. run the node's service proxy (../proxy/proxy.ts).
//
// SIGTERM (or SIGINT) stops it cleanly: every container is stopped first, so no
// process outlives the agent. A SIGKILLed agent cannot do that; its containers
// may run on until the next agent of the node starts and kills them (a dead
// kubelet does not kill its containers either). The harness's kill-node is a
// power cut instead: it kills the containers together with the agent.

import { ApiClient, configFromEnv as clientConfigFromEnv } from '../client/api-client.ts';
import { configFromEnv } from './config.ts';
import { EventRecorder } from '../client/events.ts';
import { LogServer } from './logs/log-server.ts';
import { LeaseRenewer } from './node/lease.ts';
import { NodeStatusReporter } from './node/node-status.ts';
import { PodSync } from './pods/pod-sync.ts';
import { ServiceProxy } from '../proxy/proxy.ts';
import { ProcessRuntime } from './runtime/process-runtime.ts';
import { SimulatedRuntime } from './runtime/simulated-runtime.ts';

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function main(): Promise<void> {
  const config = configFromEnv();
  const client = new ApiClient(clientConfigFromEnv(`kubelet/${config.nodeName}`));
  const log = (message: string) => console.log(`kubelet ${config.nodeName}: ${message}`);

  // The kubelet's runtime is chosen by configuration (Kubernetes: --container-runtime-endpoint).
  const runtime = config.runtime === 'simulated'
    ? new SimulatedRuntime({ imagesDir: config.imagesDir, nodeDir: config.nodeDir })
    : new ProcessRuntime({ imagesDir: config.imagesDir, nodeDir: config.nodeDir });
  const leftovers = runtime.killLeftovers();
  if (leftovers.length) log(`killed ${leftovers.length} container(s) a previous agent left running: ${leftovers.join(', ')}`);

  const events = new EventRecorder(client, 'kubelet', { host: config.nodeName, maxPending: 200, concurrency: 1 });
  const pods = new PodSync({ client, config, runtime, events });
  const containers = () => runtime.runningContainers().map(({ config: c, pid }) => ({
    namespace: c.podNamespace, pod: c.podName, container: c.containerName, containerID: `kubelab://${c.id}`, pid,
  }));
  const logServer = new LogServer({ host: config.nodeIP, token: config.token, runtime, pods, containers });
  const logPort = await logServer.listen();

  const nodeStatus = new NodeStatusReporter(client, config, logPort);
  const lease = new LeaseRenewer(client, config.nodeName, config.profile.nodeLeaseDurationSeconds);
  const proxy = new ServiceProxy({ client, nodeIP: config.nodeIP, log: (m) => console.log(`proxy ${config.nodeName}: ${m}`) });

  let stopping = false;
  const shutdown = async (why: string, exitCode = 0) => {
    if (stopping) return;
    stopping = true;
    log(`${why}: stopping every container, then exiting`);
    lease.stop();
    nodeStatus.stop();
    proxy.stop();
    await pods.stop();
    await runtime.shutdown();
    logServer.close();
    client.close();
    process.exit(exitCode);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  // A bug must not leave containers behind either.
  process.on('uncaughtException', (err) => {
    console.error(`kubelet ${config.nodeName}: ${err.stack ?? err}`);
    void shutdown('crashed', 1);
  });

  // The API server may not answer yet (or may be restarting): keep trying to register.
  for (let attempt = 1; !stopping; attempt++) {
    try {
      await nodeStatus.register();
      break;
    } catch (err) {
      if (attempt === 1 || attempt % 20 === 0) log(`registering the node failed, retrying: ${(err as Error).message}`);
      await sleep(Math.min(200 * attempt, 2000));
    }
  }
  if (stopping) return;
  log(`registered; ${config.runtime} runtime, pod CIDR ${config.podCIDR}, logs on http://${config.nodeIP}:${logPort}`);
  await lease.start();
  nodeStatus.start();
  await pods.start();
  log('syncing pods');
  await proxy.start();
}

main().catch((err) => {
  console.error(`kubelet: ${(err as Error).stack ?? err}`);
  process.exit(1);
});
