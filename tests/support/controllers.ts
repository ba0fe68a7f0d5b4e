// Runs controllers in the test process against an in-process API server, the
// way the controller manager runs them: shared informers, then workers.

import { ApiClient } from '../../reference/src/client/api-client.ts';
import { EventRecorder } from '../../reference/src/client/events.ts';
import { runWorkers } from '../../reference/src/client/workqueue.ts';
import { REAL_PROFILE, type Profile } from '../../reference/src/config/profile.ts';
import type { Controller, ControllerContext } from '../../reference/src/controllers/controller.ts';
import { SharedInformers } from '../../reference/src/controllers/shared-informers.ts';

export async function runControllers(endpoint: { apiUrl: string; token: string }, make: ((ctx: ControllerContext) => Controller)[], profile: Profile = REAL_PROFILE) {
  const client = new ApiClient({ ...endpoint, userAgent: 'controller-test' });
  const informers = new SharedInformers(client);
  const ctx: ControllerContext = {
    client, informers, profile, recorder: (component) => new EventRecorder(client, component),
  };
  const controllers = make.map((m) => m(ctx));
  await informers.start();
  for (const c of controllers) {
    c.start?.();
    void runWorkers(c.name, c.queue, (key) => c.reconcile(key), 2);
  }
  return {
    client,
    controllers,
    stop() {
      informers.stop();
      for (const c of controllers) {
        c.queue.shutDown();
        c.stop?.();
      }
      client.close();
    },
  };
}

/** Polls until probe returns a value other than undefined. */
export async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
}
