// Every controller the controller manager can run, by name, and the
// `--controllers` flag that picks them (kube-controller-manager's flag:
// "*" is every controller, "foo" adds one, "-foo" removes one; the short
// names Kubernetes still accepts, like "deployment", work too).

import type { Controller, ControllerContext } from '../controllers/controller.ts';
import { ReplicaSetController } from '../controllers/replicaset/replicaset-controller.ts';

export const CONTROLLERS: Record<string, (ctx: ControllerContext) => Controller> = {
  'replicaset-controller': (ctx) => new ReplicaSetController(ctx),
};

/** "replicaset" → "replicaset-controller"; full names pass through. */
function canonical(name: string): string {
  const aliases: Record<string, string> = {
    endpoint: 'endpoints-controller',
    garbagecollector: 'garbage-collector-controller',
    nodelifecycle: 'node-lifecycle-controller',
  };
  if (aliases[name]) return aliases[name];
  return name.endsWith('-controller') ? name : `${name}-controller`;
}

/** The controller names a `--controllers` value turns on, in a stable order; throws on an unknown name. */
export function selectControllers(flag: string): string[] {
  const enabled = new Set<string>();
  const disabled = new Set<string>();
  for (const raw of flag.split(',').map((s) => s.trim()).filter(Boolean)) {
    if (raw === '*') {
      for (const name of Object.keys(CONTROLLERS)) enabled.add(name);
      continue;
    }
    const off = raw.startsWith('-');
    const name = canonical(off ? raw.slice(1) : raw);
    if (!CONTROLLERS[name]) {
      throw new Error(`unknown controller "${raw}"; known: ${Object.keys(CONTROLLERS).join(', ')}`);
    }
    (off ? disabled : enabled).add(name);
  }
  return Object.keys(CONTROLLERS).filter((name) => enabled.has(name) && !disabled.has(name));
}
