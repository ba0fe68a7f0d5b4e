// The default profile: which plugins run, in which order, with which weights
// (kube-scheduler: pkg/scheduler/apis/config/v1/default_plugins.go).
//
// Filters run in this order and a node is dropped at the first "no", so its
// reason in the Unschedulable message is the first plugin's: a cordoned node
// reads "were unschedulable" even when it is also full.

import type { Profile } from './framework.ts';
import { nodeUnschedulable } from './plugins/node-unschedulable.ts';
import { nodeReady } from './plugins/node-ready.ts';
import { taintToleration } from './plugins/taint-toleration.ts';
import { nodeSelector } from './plugins/node-selector.ts';
import { nodeResourcesFit } from './plugins/node-resources-fit.ts';
import { leastAllocated } from './plugins/least-allocated.ts';
import { spread } from './plugins/spread.ts';
import { volumeBinding, type ClaimLister } from './plugins/volume-binding.ts';

/** `claims` looks up PersistentVolumeClaims (the scheduler's informer); without it no claim exists. */
export function defaultProfile(claims: ClaimLister = () => undefined): Profile {
  return {
    preFilters: [volumeBinding(claims)],
    filters: [nodeUnschedulable, nodeReady, taintToleration, nodeSelector, nodeResourcesFit],
    scores: [
      { plugin: leastAllocated, weight: 1 }, // NodeResourcesFit's weight
      { plugin: spread, weight: 2 }, // PodTopologySpread's weight
    ],
  };
}
