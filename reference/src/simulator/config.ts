// The node simulator's settings, from the environment (the harness sets them
// when `kubelab up --simulated-nodes N` starts it; see ../../README.md).

import { loadProfile, type Profile } from '../config/profile.ts';

/** Pod and node addresses below (simulated-node.ts) leave room for this many. */
export const MAX_SIMULATED_NODES = 10_000;

export interface SimulatorConfig {
  /** KUBELAB_SIMULATED_NODES: how many nodes to simulate. */
  nodes: number;
  /** KUBELAB_SIMULATED_NODE_PREFIX: node i (from 1) is named `<prefix><i>`; default `sim-node-`. */
  prefix: string;
  profile: Profile;
}

export function configFromEnv(): SimulatorConfig {
  const nodes = Number(process.env.KUBELAB_SIMULATED_NODES);
  if (!Number.isInteger(nodes) || nodes < 1 || nodes > MAX_SIMULATED_NODES) {
    throw new Error(`simulator: KUBELAB_SIMULATED_NODES must be a whole number from 1 to ${MAX_SIMULATED_NODES}, not "${process.env.KUBELAB_SIMULATED_NODES ?? ''}"`);
  }
  return {
    nodes,
    prefix: process.env.KUBELAB_SIMULATED_NODE_PREFIX || 'sim-node-',
    profile: loadProfile(process.env.KUBELAB_PROFILE),
  };
}
