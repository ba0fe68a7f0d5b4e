// The node agent's settings, from the environment the harness gives every node
// process (DESIGN.md, "The cluster contract").

import { resolve } from 'node:path';
import { loadProfile, type Profile } from '../config/profile.ts';

export interface KubeletConfig {
  /** KUBELAB_NODE_NAME: the Node object's name, and the Lease's. */
  nodeName: string;
  /** KUBELAB_NODE_IP: the node's InternalIP; the log server listens there. */
  nodeIP: string;
  /** KUBELAB_POD_CIDR: pod IPs come from here (within 127.0.0.0/8). */
  podCIDR: string;
  /** KUBELAB_NODE_DIR: the node's own folder (volumes, logs, container records). */
  nodeDir: string;
  /** KUBELAB_IMAGES: the lab image catalogue. */
  imagesDir: string;
  /** KUBELAB_TOKEN: the token the agent's log server asks of its callers (the API server). */
  token: string;
  /**
   * KUBELAB_RUNTIME (or `--runtime`): `process` (default) runs each container as
   * a child process; `simulated` pretends to (runtime/simulated-runtime.ts).
   */
  runtime: RuntimeName;
  profile: Profile;
}

export const RUNTIMES = ['process', 'simulated'] as const;
export type RuntimeName = (typeof RUNTIMES)[number];

/** `--runtime simulated` on the command line wins over KUBELAB_RUNTIME; neither: the process runtime. */
function runtimeName(argv: string[]): RuntimeName {
  const flag = argv.findIndex((a) => a === '--runtime' || a.startsWith('--runtime='));
  const value = flag < 0 ? process.env.KUBELAB_RUNTIME || 'process' : argv[flag].includes('=') ? argv[flag].split('=')[1] : argv[flag + 1];
  if (!(RUNTIMES as readonly string[]).includes(value)) throw new Error(`kubelet: unknown runtime "${value}" (known: ${RUNTIMES.join(', ')})`);
  return value as RuntimeName;
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`kubelet: ${name} must be set (the harness sets it; see DESIGN.md, "The cluster contract")`);
  return value;
}

export function configFromEnv(argv = process.argv.slice(2)): KubeletConfig {
  return {
    nodeName: required('KUBELAB_NODE_NAME'),
    nodeIP: required('KUBELAB_NODE_IP'),
    podCIDR: required('KUBELAB_POD_CIDR'),
    nodeDir: resolve(required('KUBELAB_NODE_DIR')),
    imagesDir: resolve(required('KUBELAB_IMAGES')),
    token: required('KUBELAB_TOKEN'),
    runtime: runtimeName(argv),
    profile: loadProfile(process.env.KUBELAB_PROFILE),
  };
}
