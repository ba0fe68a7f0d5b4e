// The controller manager: a control-plane component that runs the controllers
// (kubelab.yaml `components: controller-manager`), as kube-controller-manager does.
//
//   node controller-manager/main.ts [--controllers=*,-deployment]
//
// KUBELAB_CONTROLLERS may hold the same list (the flag wins). Environment, as
// for every component: KUBELAB_API_URL, KUBELAB_TOKEN, KUBELAB_CA_FILE,
// KUBELAB_PROFILE.
//
// Stop it and nothing is reconciled: a deleted pod is not replaced, a scale-up
// does nothing. Start it again and every controller catches up from a fresh list.

import { parseArgs } from 'node:util';
import { ApiClient, configFromEnv } from '../client/api-client.ts';
import { EventRecorder } from '../client/events.ts';
import { runWorkers } from '../client/workqueue.ts';
import { loadProfile } from '../config/profile.ts';
import type { Controller, ControllerContext } from '../controllers/controller.ts';
import { SharedInformers } from '../controllers/shared-informers.ts';
import { CONTROLLERS, selectControllers } from './controllers.ts';

/** Workers per controller: reconciles of different keys run at the same time, one key never twice at once. */
const WORKERS = 4;

async function main(): Promise<void> {
  let names: string[];
  let config;
  try {
    const { values } = parseArgs({ options: { controllers: { type: 'string' } } });
    names = selectControllers(values.controllers ?? process.env.KUBELAB_CONTROLLERS ?? '*');
    config = configFromEnv('controller-manager');
  } catch (err) {
    console.error(`controller-manager: ${(err as Error).message}`);
    process.exit(2);
  }
  const client = new ApiClient(config);
  const informers = new SharedInformers(client);
  const recorders: EventRecorder[] = [];
  const ctx: ControllerContext = {
    client,
    informers,
    profile: loadProfile(process.env.KUBELAB_PROFILE),
    recorder: (component) => {
      const recorder = new EventRecorder(client, component);
      recorders.push(recorder);
      return recorder;
    },
  };
  // Controllers register their informers' handlers first; then the informers start.
  const controllers: Controller[] = names.map((name) => CONTROLLERS[name](ctx));

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`controller-manager: ${signal}, shutting down`);
    informers.stop();
    for (const c of controllers) {
      c.queue.shutDown();
      c.stop?.();
    }
    const timeout = setTimeout(() => process.exit(0), 3000);
    await Promise.all(recorders.map((r) => r.flush()));
    clearTimeout(timeout);
    client.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));

  // Workers start only once every cache holds a full list (WaitForCacheSync):
  // a controller that counted pods in a half-filled cache would create too many.
  await informers.start();
  for (const c of controllers) {
    c.start?.();
    void runWorkers(c.name, c.queue, (key) => c.reconcile(key), WORKERS);
  }
  console.log(`controller-manager: running ${names.join(', ') || 'no controllers'} (API ${config.apiUrl})`);
}

main().catch((err) => {
  console.error('controller-manager: failed to start:', err);
  process.exit(1);
});
