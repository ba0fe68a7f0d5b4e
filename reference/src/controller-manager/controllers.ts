// Every controller the controller manager can run, by name, and the
// `--controllers` flag that picks them (kube-controller-manager's flag:
// "*" is every controller, "foo" adds one, "-foo" removes one; the short
// names Kubernetes still accepts, like "deployment", work too).

import type { Controller, ControllerContext } from '../controllers/controller.ts';
import { PersistentVolumeBinderController } from '../controllers/persistentvolume/binder-controller.ts';
import { PvcProtectionController } from '../controllers/volumeprotection/pvc-protection-controller.ts';
import { PvProtectionController } from '../controllers/volumeprotection/pv-protection-controller.ts';
import { ReplicaSetController } from '../controllers/replicaset/replicaset-controller.ts';
import { DeploymentController } from '../controllers/deployment/deployment-controller.ts';
import { NamespaceController } from '../controllers/namespace/namespace-controller.ts';
import { GarbageCollector } from '../controllers/garbage-collector/garbage-collector.ts';
import { EndpointsController } from '../controllers/endpoints/endpoints-controller.ts';
import { EndpointSliceController } from '../controllers/endpointslice/endpointslice-controller.ts';
import { NodeLifecycleController } from '../controllers/node-lifecycle/node-lifecycle-controller.ts';
import { TaintEvictionController } from '../controllers/taint-eviction/taint-eviction-controller.ts';
import { DisruptionController } from '../controllers/disruption/disruption-controller.ts';

export const CONTROLLERS: Record<string, (ctx: ControllerContext) => Controller> = {
  'persistentvolume-binder-controller': (ctx) => new PersistentVolumeBinderController(ctx),
  'persistentvolumeclaim-protection-controller': (ctx) => new PvcProtectionController(ctx),
  'persistentvolume-protection-controller': (ctx) => new PvProtectionController(ctx),
  'replicaset-controller': (ctx) => new ReplicaSetController(ctx),
  'deployment-controller': (ctx) => new DeploymentController(ctx),
  'namespace-controller': (ctx) => new NamespaceController(ctx),
  'garbage-collector-controller': (ctx) => new GarbageCollector(ctx),
  'endpoints-controller': (ctx) => new EndpointsController(ctx),
  'endpointslice-controller': (ctx) => new EndpointSliceController(ctx),
  'node-lifecycle-controller': (ctx) => new NodeLifecycleController(ctx),
  'taint-eviction-controller': (ctx) => new TaintEvictionController(ctx),
  'disruption-controller': (ctx) => new DisruptionController(ctx),
};

/** "replicaset" → "replicaset-controller"; full names pass through. */
function canonical(name: string): string {
  const aliases: Record<string, string> = {
    endpoint: 'endpoints-controller',
    garbagecollector: 'garbage-collector-controller',
    nodelifecycle: 'node-lifecycle-controller',
    'pvc-protection': 'persistentvolumeclaim-protection-controller',
    'pv-protection': 'persistentvolume-protection-controller',
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
