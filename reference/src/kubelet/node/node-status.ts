// The Node object: the agent registers it at start, then keeps its status fresh
// (pkg/kubelet/kubelet_node_status.go).
//
// - register: create the Node with labels, spec.podCIDR and a first status; if
//   it exists already (the agent restarted), bring labels and podCIDR in line;
// - every nodeStatusUpdateFrequencySeconds: write the status again through
//   nodes/<name>/status, with each condition's lastHeartbeatTime set to now.
//   When the node lifecycle controller stops seeing these (and the Lease) it
//   calls the node NotReady; when they come back, Ready is True again.

import { existsSync, readFileSync, statfsSync } from 'node:fs';
import os from 'node:os';
import type { KubeObject } from '../../api/types.ts';
import { isConflict, type ApiClient } from '../../client/api-client.ts';
import { NODES, resourcePath } from '../../client/paths.ts';
import type { KubeletConfig } from '../config.ts';
import { apiTime } from '../../api/time.ts';

export const KUBELET_VERSION = 'v1.32.0-kubelab';
/** What nodeInfo.containerRuntimeVersion says for each runtime (Kubernetes: `containerd://1.7.x`). */
export function runtimeVersion(runtime: string): string {
  return `kubelab-${runtime}://1`;
}

/** Node's process.arch in Go's words (GOARCH), as kubernetes.io/arch uses them. */
function goArch(): string {
  return ({ x64: 'amd64', ia32: '386', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x' } as Record<string, string>)[process.arch] ?? process.arch;
}

function osImage(): string {
  try {
    const release = readFileSync('/etc/os-release', 'utf8');
    return /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(release)?.[1] ?? os.type();
  } catch {
    return `${os.type()} ${os.release()}`;
  }
}

function readId(file: string): string {
  return existsSync(file) ? readFileSync(file, 'utf8').trim() : '';
}

function resources(nodeDir: string): Record<string, string> {
  const capacity: Record<string, string> = {
    cpu: String(os.availableParallelism()),
    memory: `${Math.floor(os.totalmem() / 1024)}Ki`,
    pods: '110', // the kubelet's default maxPods
  };
  try {
    const fs = statfsSync(nodeDir);
    capacity['ephemeral-storage'] = `${Math.floor((fs.blocks * fs.bsize) / 1024)}Ki`;
  } catch { /* no statfs on this platform */ }
  return capacity;
}

/** The labels every kubelet sets on its Node (pkg/kubelet/kubelet_node_status.go initialNode). */
export function nodeLabels(nodeName: string): Record<string, string> {
  // The containers are Node.js programs on this machine; to manifests the node is a Linux node.
  return {
    'kubernetes.io/hostname': nodeName,
    'kubernetes.io/os': 'linux',
    'kubernetes.io/arch': goArch(),
    'beta.kubernetes.io/os': 'linux',
    'beta.kubernetes.io/arch': goArch(),
  };
}

interface NodeCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  lastHeartbeatTime: string;
  lastTransitionTime: string;
  reason: string;
  message: string;
}

/** A healthy kubelet's conditions, their transition times kept from the node's current ones when the status is the same. */
export function nodeConditions(old: NodeCondition[], now: string): NodeCondition[] {
  const make = (type: string, status: 'True' | 'False', reason: string, message: string): NodeCondition => {
    const before = old.find((c) => c.type === type);
    const lastTransitionTime = before?.status === status && before.lastTransitionTime ? before.lastTransitionTime : now;
    return { type, status, lastHeartbeatTime: now, lastTransitionTime, reason, message };
  };
  return [
    make('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
    make('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
    make('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
    make('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'),
  ];
}

/** Attempts per heartbeat (pkg/kubelet/kubelet.go nodeStatusUpdateRetry). */
const NODE_STATUS_UPDATE_RETRY = 5;

function timestamp(): string {
  return apiTime();
}

export class NodeStatusReporter {
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private warnedMissing = false;

  constructor(private readonly client: ApiClient, private readonly config: KubeletConfig, private readonly logPort: number) {}

  /** The node's status as this agent sees it; old conditions keep their transition times. */
  status(oldConditions: NodeCondition[] = []): Record<string, unknown> {
    const capacity = resources(this.config.nodeDir);
    return {
      capacity,
      allocatable: { ...capacity },
      conditions: nodeConditions(oldConditions, timestamp()),
      addresses: [{ type: 'InternalIP', address: this.config.nodeIP }, { type: 'Hostname', address: this.config.nodeName }],
      daemonEndpoints: { kubeletEndpoint: { Port: this.logPort } },
      nodeInfo: {
        machineID: readId('/etc/machine-id'),
        systemUUID: readId('/etc/machine-id'),
        bootID: readId('/proc/sys/kernel/random/boot_id'),
        kernelVersion: os.release(),
        osImage: osImage(),
        containerRuntimeVersion: runtimeVersion(this.config.runtime),
        kubeletVersion: KUBELET_VERSION,
        kubeProxyVersion: '',
        operatingSystem: 'linux',
        architecture: goArch(),
      },
    };
  }

  /** Creates the Node, or updates the one a previous run of this agent registered. */
  async register(): Promise<KubeObject> {
    const { nodeName, podCIDR } = this.config;
    const node: KubeObject = {
      apiVersion: 'v1', kind: 'Node',
      metadata: { name: nodeName, labels: nodeLabels(nodeName) },
      spec: { podCIDR, podCIDRs: [podCIDR] },
      status: this.status(),
    };
    try {
      return await this.client.create(resourcePath(NODES), node);
    } catch (err) {
      if (!isConflict(err)) throw err; // 409 AlreadyExists: this node registered before
    }
    const existing = await this.client.get(resourcePath(NODES, undefined, nodeName));
    // Labels others added (kubectl label) stay; ours are set; podCIDR is set once and never changes.
    const patch: Record<string, unknown> = { metadata: { labels: nodeLabels(nodeName) } };
    if (!existing.spec?.podCIDR) patch.spec = { podCIDR, podCIDRs: [podCIDR] };
    await this.client.patch(resourcePath(NODES, undefined, nodeName), patch);
    return this.update();
  }

  /** One status update: the heartbeat through nodes/<name>/status. */
  async update(): Promise<KubeObject> {
    const path = resourcePath(NODES, undefined, this.config.nodeName);
    const current = await this.client.get(path);
    return this.client.patch(`${path}/status`, { status: this.status(current.status?.conditions ?? []) });
  }

  /**
   * One heartbeat, tried up to NODE_STATUS_UPDATE_RETRY times in a row, as the
   * kubelet's updateNodeStatus does: one failed request (a connection dropped
   * while the agent hung, say) must not cost a whole period of heartbeats.
   */
  private async updateWithRetry(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.update();
        return;
      } catch (err) {
        if (attempt >= NODE_STATUS_UPDATE_RETRY || this.stopped) throw err;
      }
    }
  }

  start(): void {
    const period = this.config.profile.nodeStatusUpdateFrequencySeconds * 1000;
    const loop = async () => {
      try {
        await this.updateWithRetry();
        this.warnedMissing = false;
      } catch (err) {
        // A deleted Node is not registered again (Kubernetes' kubelet registers once, at start).
        if (!this.warnedMissing) console.error(`kubelet: updating node status failed: ${(err as Error).message}`);
        this.warnedMissing = true;
      }
      if (!this.stopped) this.timer = setTimeout(loop, period);
    };
    this.timer = setTimeout(loop, period);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }
}
