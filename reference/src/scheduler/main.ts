// The scheduler process: a control-plane component, started by the harness
// (kubelab.yaml `components: scheduler`) after the API server is ready.
//
// Environment (the cluster contract, DESIGN.md):
//   KUBELAB_API_URL, KUBELAB_TOKEN, KUBELAB_CA_FILE   how to reach the API server
//
// Stop it and nothing gets scheduled: new pods stay Pending, running ones keep
// running. Start it again and it catches up from a fresh list.

import { ApiClient, configFromEnv } from '../client/api-client.ts';
import { Scheduler } from './scheduler.ts';

async function main(): Promise<void> {
  let config;
  try {
    config = configFromEnv('scheduler');
  } catch (err) {
    console.error((err as Error).message);
    process.exit(2);
  }
  const client = new ApiClient(config);
  const scheduler = new Scheduler(client);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`scheduler: ${signal}, shutting down`);
    // Bindings in flight finish; a pod caught halfway is simply scheduled again by the next scheduler.
    const timeout = setTimeout(() => process.exit(0), 5000);
    await scheduler.stop();
    clearTimeout(timeout);
    client.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));

  await scheduler.start();
  console.log(`scheduler: scheduling pods for default-scheduler (API ${config.apiUrl})`);
}

main().catch((err) => {
  console.error('scheduler: failed to start:', err);
  process.exit(1);
});
