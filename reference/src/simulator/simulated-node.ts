// What a simulated node looks like in the API: its Node object, built from its
// index alone, so a restarted simulator describes the same nodes again.
//
// Addresses: nothing listens on a simulated node or its pods, so they do not
// come from the loopback ranges real nodes use (DESIGN.md), but from 10.0.0.0/8,
// where they cannot collide with a real node's:
//   node i  InternalIP 10.255.<i / 256>.<i % 256>, pods from 10.<i / 256>.<i % 256>.0/24.
// Capacity is KWOK's default fake node's: 32 CPUs, 256Gi of memory, 110 pods.
//
// Marks, as KWOK puts them on its fake nodes
// (https://kwok.sigs.k8s.io/docs/user/kwok-manage-nodes-and-pods/):
//   label  type=kwok                             to find them: kubectl get nodes -l type=kwok
//   taint  kwok.x-k8s.io/node=fake:NoSchedule    "Avoid scheduling actual running pods to fake Node":
//          nothing runs here, so an ordinary pod must not land here; a pod
//          meant for these nodes carries SIMULATED_TOLERATION.
// The taint is written once, when the node registers (as a kubelet's
// --register-with-taints): someone who removes it is obeyed. NoSchedule is the
// scheduler's business only: a pod bound by spec.nodeName still runs here, as
// on a real node (core/v1 TaintEffectNoSchedule: "allow all pods submitted to
// Kubelet without going through the scheduler to start").

import type { KubeObject } from '../api/types.ts';
import { KUBELET_VERSION, nodeConditions, nodeLabels, runtimeVersion } from '../kubelet/node/node-status.ts';
import { apiTime } from '../api/time.ts';

/** Marks the Nodes this simulator owns; its node watch selects on it. */
export const SIMULATED_LABEL = 'kubelab.dev/simulated';

/** KWOK's label of its fake nodes: `kubectl get nodes -l type=kwok`, or a pod's nodeSelector. */
export const KWOK_LABEL = { key: 'type', value: 'kwok' } as const;

/** KWOK's taint of its fake nodes: only pods that tolerate it are scheduled here. */
export const SIMULATED_TAINT = { key: 'kwok.x-k8s.io/node', value: 'fake', effect: 'NoSchedule' } as const;

/** The toleration a pod meant for simulated nodes carries (KWOK's documented one). */
export const SIMULATED_TOLERATION = { key: SIMULATED_TAINT.key, operator: 'Exists', effect: 'NoSchedule' } as const;

const ZONES = ['zone-a', 'zone-b', 'zone-c'];
const CAPACITY = { cpu: '32', memory: '256Gi', pods: '110' };

export interface SimulatedNode {
  name: string;
  index: number;
  address: string;
  podCIDR: string;
}

export function simulatedNode(prefix: string, index: number): SimulatedNode {
  const hi = index >> 8;
  const lo = index & 255;
  return { name: `${prefix}${index}`, index, address: `10.255.${hi}.${lo}`, podCIDR: `10.${hi}.${lo}.0/24` };
}

/** The status a healthy simulated node reports; old conditions keep their transition times. */
export function simulatedNodeStatus(node: SimulatedNode, oldConditions: any[] = [], now = apiTime()) {
  return {
    capacity: { ...CAPACITY },
    allocatable: { ...CAPACITY },
    conditions: nodeConditions(oldConditions, now),
    addresses: [{ type: 'InternalIP', address: node.address }, { type: 'Hostname', address: node.name }],
    // Port 0: no agent serves this node's logs, and the API server says so (503) instead of trying.
    daemonEndpoints: { kubeletEndpoint: { Port: 0 } },
    nodeInfo: {
      machineID: '', systemUUID: '', bootID: '', kernelVersion: '', osImage: 'simulated',
      containerRuntimeVersion: runtimeVersion('simulated'), kubeletVersion: KUBELET_VERSION, kubeProxyVersion: '',
      operatingSystem: 'linux', architecture: 'amd64',
    },
  };
}

export function simulatedNodeObject(node: SimulatedNode): KubeObject {
  return {
    apiVersion: 'v1', kind: 'Node',
    metadata: {
      name: node.name,
      labels: {
        ...nodeLabels(node.name), 'kubernetes.io/arch': 'amd64', 'beta.kubernetes.io/arch': 'amd64', 'topology.kubernetes.io/zone': ZONES[node.index % ZONES.length],
        [KWOK_LABEL.key]: KWOK_LABEL.value, [SIMULATED_LABEL]: 'true',
      },
    },
    spec: { podCIDR: node.podCIDR, podCIDRs: [node.podCIDR], taints: [{ ...SIMULATED_TAINT }] },
    status: simulatedNodeStatus(node),
  };
}
