// The pod sync: the node agent's controller loop (pkg/kubelet/kubelet.go
// syncPod, in the shape every kubelab controller has).
//
//   informer   the pods bound to this node (fieldSelector spec.nodeName=<node>)
//   queue      keyed by namespace/name; container exits and probe verdicts add keys too
//   syncPod    one step toward the pod's spec, then the status, written only when it changed:
//
//     gone from the API, replaced,      stop its containers, forget it
//     or bound to another node          (deleted while the agent hung, say)
//     deletionTimestamp set             stop its containers (grace period), tear down,
//                                       write the terminal phase, DELETE with grace 0
//     otherwise                         an IP, the volumes, the init containers one by
//                                       one, the containers, restarts with back-off
//
// The agent's own knowledge of each pod (its IP, its container instances) is a
// PodRecord (pod-state.ts); the status is computed from it (pod-status.ts).

import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { KubeObject } from '../../api/types.ts';
import { jsonEqual } from '../../api/objects.ts';
import { isConflict, isNotFound, type ApiClient } from '../../client/api-client.ts';
import { Informer, keyOf } from '../../client/informer.ts';
import { PODS, resourcePath } from '../../client/paths.ts';
import { runWorkers, WorkQueue } from '../../client/workqueue.ts';
import type { KubeletConfig } from '../config.ts';
import type { EventRecorder } from '../../client/events.ts';
import { ProbeManager, type ProbeKind } from '../probes/probe-manager.ts';
import type { ContainerRuntime, ContainerState } from '../runtime/runtime.ts';
import { Backoff } from './backoff.ts';
import { ContainerSync } from './containers.ts';
import { IpAllocator } from './ip-allocator.ts';
import { isRunning, recordFromStatus, type PodRecord } from './pod-state.ts';
import { buildPodStatus, containerStatus, type ContainerStatus } from './pod-status.ts';
import { podDir, setUpVolumes, tearDownVolumes, VolumeError } from './volumes.ts';
import { apiTime } from '../../api/time.ts';

/** Every pod is synced again this often, even with nothing new (ConfigMap volumes get their updates then). */
const RESYNC_MS = 10_000;
/** Kubernetes never gives a container less than this between SIGTERM and SIGKILL (kuberuntime minimumGracePeriodInSeconds). */
const MIN_GRACE_SECONDS = 2;
const WORKERS = 4;

export interface PodSyncDeps {
  client: ApiClient;
  config: KubeletConfig;
  /** The process runtime or the simulated one; podLogDir names the folder of a pod's logs, removed when it goes. */
  runtime: ContainerRuntime & { podLogDir(podUid: string): string };
  events: EventRecorder;
}

export class PodSync {
  private readonly informer: Informer;
  private readonly queue = new WorkQueue();
  /** The pods this agent runs, by uid. */
  private readonly records = new Map<string, PodRecord>();
  /** Pods whose final DELETE was sent (uid → key): nothing more to do for them. */
  private readonly finished = new Map<string, string>();
  private readonly ips: IpAllocator;
  private readonly crashBackoff: Backoff;
  private readonly pullBackoff: Backoff;
  private readonly probes: ProbeManager;
  private readonly containers: ContainerSync;
  private resyncTimer?: NodeJS.Timeout;
  private workers?: Promise<void>;

  constructor(private readonly deps: PodSyncDeps) {
    const { client, config, runtime, events } = deps;
    this.informer = new Informer(client, PODS, { fieldSelector: `spec.nodeName=${config.nodeName}` });
    this.ips = new IpAllocator(config.podCIDR);
    const { crashLoopBackOffBaseSeconds: base, crashLoopBackOffMaxSeconds: max } = config.profile;
    this.crashBackoff = new Backoff(base * 1000, max * 1000);
    this.pullBackoff = new Backoff(base * 1000, max * 1000);
    this.probes = new ProbeManager({
      started: (id) => this.updateContainer(id, (c) => (c.started = true)),
      readiness: (id, ready) => this.updateContainer(id, (c) => (c.ready = ready)),
      failed: (id, kind, message) => this.probeFailed(id, kind, message),
      kill: (id, kind) => this.probeKill(id, kind),
    });
    this.containers = new ContainerSync({
      client, runtime, events, probes: this.probes, crashBackoff: this.crashBackoff, pullBackoff: this.pullBackoff,
      nodeIP: config.nodeIP, retryMs: base * 1000,
    });
  }

  async start(): Promise<void> {
    const enqueue = (pod: KubeObject) => this.queue.add(keyOf(pod));
    this.informer.addEventHandler({ onAdd: enqueue, onUpdate: (_old, pod) => enqueue(pod), onDelete: enqueue });
    this.deps.runtime.onExit((id, state) => this.containerExited(id, state));
    await this.informer.start();
    this.collectGarbage();
    this.workers = runWorkers('kubelet', this.queue, (key) => this.syncPod(key), WORKERS);
    this.resyncTimer = setInterval(() => this.housekeeping(), RESYNC_MS);
  }

  /**
   * Every pod the API gives this node is synced again, and so is every pod the
   * agent still runs: one the API no longer has (deleted while the agent hung
   * or its watch was broken, and missed by both) is then stopped by syncPod.
   * The kubelet's HandlePodCleanups does the same on each housekeeping tick
   * (pkg/kubelet/kubelet_pods.go): it kills the running pods that are not
   * among the desired ones, the "orphaned pods".
   */
  private housekeeping(): void {
    for (const pod of this.informer.list()) this.queue.add(keyOf(pod));
    for (const record of this.records.values()) this.queue.add(record.key);
  }

  /** Stops syncing; the caller shuts the runtime down (which stops the containers). */
  async stop(): Promise<void> {
    clearInterval(this.resyncTimer);
    this.informer.stop();
    this.probes.stopAll();
    this.queue.shutDown();
    await this.workers;
  }

  async syncPod(key: string): Promise<void> {
    const pod = this.informer.get(key);
    // Only a pod bound to this node is ours to run (the informer's field selector
    // should only give those; this holds even if it did not).
    const ours = pod?.spec?.nodeName === this.deps.config.nodeName ? pod : undefined;
    // A pod gone from the API, replaced by a new one of the same name, or bound
    // elsewhere: its containers stop (HandlePodCleanups, pkg/kubelet/kubelet_pods.go).
    for (const record of this.records.values()) {
      if (record.key === key && record.uid !== ours?.metadata.uid) this.terminate(record, MIN_GRACE_SECONDS);
    }
    if (!pod) {
      for (const [uid, finishedKey] of this.finished) if (finishedKey === key) this.finished.delete(uid);
      return;
    }
    if (!ours) return;
    const uid = pod.metadata.uid!;
    if (this.finished.has(uid)) return;
    if (pod.metadata.deletionTimestamp) return this.syncDeletion(pod);

    const record = this.records.get(uid) ?? this.admit(pod);
    // Succeeded or Failed: nothing runs again; the status only has to reach the API server.
    if (record.terminalPhase) return this.writeStatus(pod, record);

    let volumes: Record<string, string>;
    try {
      volumes = await setUpVolumes(pod, { client: this.deps.client, nodeDir: this.deps.config.nodeDir, podIP: record.podIP, hostIP: this.deps.config.nodeIP });
    } catch (err) {
      if (!(err instanceof VolumeError)) throw err;
      // The containers wait in ContainerCreating until the volume can be set up.
      this.deps.events.record(pod, 'Warning', 'FailedMount', err.message);
      await this.writeStatus(pod, record);
      this.queue.addAfter(key, this.deps.config.profile.crashLoopBackOffBaseSeconds * 1000);
      return;
    }
    const wakeUpMs = await this.containers.sync(pod, record, volumes);
    await this.writeStatus(pod, record);
    if (wakeUpMs !== undefined) this.queue.addAfter(key, wakeUpMs + 10);
  }

  /** The first sync of a pod: an IP, and what its status says ran before (after an agent restart). */
  private admit(pod: KubeObject): PodRecord {
    const uid = pod.metadata.uid!;
    const status = pod.status ?? {};
    const record: PodRecord = {
      uid, key: keyOf(pod), namespace: pod.metadata.namespace!, name: pod.metadata.name!,
      // A hostNetwork pod shares the node's address, as in Kubernetes.
      podIP: pod.spec?.hostNetwork ? this.deps.config.nodeIP : this.ips.allocate(uid, status.podIP),
      startTime: status.startTime ?? apiTime(),
      containers: new Map(),
    };
    const old = new Map<string, any>([...(status.initContainerStatuses ?? []), ...(status.containerStatuses ?? [])].map((s: any) => [s.name, s]));
    for (const spec of pod.spec?.initContainers ?? []) record.containers.set(spec.name, recordFromStatus(spec.name, spec.image, true, old.get(spec.name)));
    for (const spec of pod.spec?.containers ?? []) record.containers.set(spec.name, recordFromStatus(spec.name, spec.image, false, old.get(spec.name)));
    if (status.phase === 'Succeeded' || status.phase === 'Failed') record.terminalPhase = status.phase;
    this.records.set(uid, record);
    return record;
  }

  /**
   * Writes the status through pods/<name>/status when it differs from the pod's.
   * podIsTerminal: the pod is being deleted and nothing runs any more.
   */
  private async writeStatus(pod: KubeObject, record: PodRecord, podIsTerminal = false): Promise<void> {
    const status = buildPodStatus(pod, record, this.deps.config.nodeIP, apiTime(), podIsTerminal);
    const terminal = status.phase === 'Succeeded' || status.phase === 'Failed';
    // A deleted pod ends Failed unless it completed (kubelet generateAPIPodStatus).
    if (podIsTerminal && !terminal) status.phase = 'Failed';
    if (!podIsTerminal && terminal && !record.terminalPhase) {
      record.terminalPhase = status.phase as 'Succeeded' | 'Failed';
      for (const c of record.containers.values()) if (c.instance) this.probes.removeContainer(c.instance.id);
    }
    const old = pod.status ?? {};
    if (Object.keys(status).every((k) => jsonEqual(status[k], old[k]))) return;
    try {
      await this.deps.client.patch(resourcePath(PODS, record.namespace, record.name, 'status'), { status });
    } catch (err) {
      if (!isNotFound(err)) throw err; // gone meanwhile: the informer will tell
    }
  }

  /** A pod being deleted: stop its containers in the background, then finish it. */
  private async syncDeletion(pod: KubeObject): Promise<void> {
    const uid = pod.metadata.uid!;
    const record = this.records.get(uid);
    if (record && !record.stopped) {
      const grace = pod.metadata.deletionGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? 30;
      this.stopContainers(record, pod, grace);
      return;
    }
    // Every container has stopped (or none ever ran here): the terminal phase, then the kubelet's final delete.
    if (record) {
      tearDownVolumes(this.deps.config.nodeDir, uid);
      await this.writeStatus(pod, record, true);
    }
    try {
      await this.deps.client.delete(resourcePath(PODS, pod.metadata.namespace, pod.metadata.name), { gracePeriodSeconds: 0, preconditions: { uid } });
    } catch (err) {
      // Already gone, or a new pod took the name (the uid precondition failed): either way, this one is done.
      if (!isNotFound(err) && !isConflict(err)) throw err;
    }
    this.finished.set(uid, keyOf(pod));
    if (record) this.forget(record);
  }

  /**
   * Starts stopping a pod's containers; the pod is synced again when they all
   * stopped. Asked again with a shorter grace period (a forced delete during a
   * graceful one), the containers are signalled again and the shorter one wins.
   */
  private stopContainers(record: PodRecord, pod: KubeObject | undefined, graceSeconds: number): Promise<void> {
    const grace = Math.max(MIN_GRACE_SECONDS, graceSeconds);
    if (record.termination && record.stopGraceSeconds! <= grace) return record.termination;
    const first = !record.termination;
    record.stopGraceSeconds = grace;
    const running = [...record.containers.values()].filter(isRunning);
    const stops = running.map((c) => {
      this.probes.removeContainer(c.instance!.id);
      if (pod && first) this.deps.events.record(pod, 'Normal', 'Killing', `Stopping container ${c.name}`, `spec.${c.init ? 'initContainers' : 'containers'}{${c.name}}`);
      return this.deps.runtime.stopContainer(c.instance!.id, grace);
    });
    record.termination = Promise.all(stops).then(() => {
      record.stopped = true;
      this.queue.add(record.key);
    });
    return record.termination;
  }

  /** A pod that is gone from the API: its containers stop, then the agent forgets it. */
  private terminate(record: PodRecord, graceSeconds: number): void {
    if (record.forgetting) return;
    record.forgetting = true;
    void this.stopContainers(record, undefined, graceSeconds).then(() => this.forget(record));
  }

  /** Releases everything a pod held on this node: volumes, logs, IP, back-off entries. */
  private forget(record: PodRecord): void {
    if (!this.records.has(record.uid)) return;
    this.records.delete(record.uid);
    for (const c of record.containers.values()) if (c.instance) this.probes.removeContainer(c.instance.id);
    tearDownVolumes(this.deps.config.nodeDir, record.uid);
    for (const c of record.containers.values()) if (c.instance) void this.deps.runtime.removeContainer(c.instance.id);
    rmSync(this.deps.runtime.podLogDir(record.uid), { recursive: true, force: true });
    this.ips.release(record.podIP);
    this.crashBackoff.forget(`${record.uid}/`);
    this.pullBackoff.forget(`${record.uid}/`);
    this.containers.forget(record.uid);
    this.deps.events.forget(record.uid);
  }

  /** The runtime says a container ended: record it and sync its pod. */
  private containerExited(id: string, state: ContainerState): void {
    if (state.state !== 'exited') return;
    const found = this.lookup(id);
    if (!found) return;
    const { record, container } = found;
    container.instance!.terminated = {
      exitCode: state.exitCode, reason: state.reason, startedAt: state.startedAt, finishedAt: state.finishedAt, containerID: `kubelab://${id}`,
    };
    container.started = false;
    container.ready = false;
    this.probes.removeContainer(id);
    this.queue.add(record.key);
  }

  /** The pod record and container of a runtime id `<pod uid>/<container>/<n>`, if it is the container's latest instance. */
  private lookup(id: string) {
    const [uid, name] = id.split('/');
    const record = this.records.get(uid);
    const container = record?.containers.get(name);
    if (!record || !container || container.instance?.id !== id) return undefined;
    return { record, container };
  }

  private updateContainer(id: string, change: (c: NonNullable<ReturnType<PodSync['lookup']>>['container']) => void): void {
    const found = this.lookup(id);
    if (!found || !isRunning(found.container)) return;
    change(found.container);
    this.queue.add(found.record.key);
  }

  private podRef(record: PodRecord) {
    return { apiVersion: 'v1', kind: 'Pod', metadata: { name: record.name, namespace: record.namespace, uid: record.uid } };
  }

  private probeFailed(id: string, kind: ProbeKind, message: string): void {
    const found = this.lookup(id);
    if (!found) return;
    const title = `${kind[0].toUpperCase()}${kind.slice(1)}`;
    this.deps.events.record(this.podRef(found.record), 'Warning', 'Unhealthy', `${title} probe failed: ${message}`, `spec.containers{${found.container.name}}`);
  }

  /** A failed liveness or startup probe: the container is killed; its restart policy decides what comes next. */
  private probeKill(id: string, kind: ProbeKind): void {
    const found = this.lookup(id);
    if (!found) return;
    const { record, container } = found;
    const pod = this.informer.get(record.key);
    this.deps.events.record(this.podRef(record), 'Normal', 'Killing', `Container ${container.name} failed ${kind} probe, will be restarted`, `spec.containers{${container.name}}`);
    const grace = pod?.spec?.terminationGracePeriodSeconds ?? 30;
    void this.deps.runtime.stopContainer(id, Math.max(MIN_GRACE_SECONDS, grace));
  }

  /** Removes the folders (volumes, logs) of pods that are no longer on this node, e.g. deleted while the agent was down. */
  private collectGarbage(): void {
    const here = new Set(this.informer.list().map((p) => p.metadata.uid));
    const { nodeDir } = this.deps.config;
    for (const dir of [join(nodeDir, 'pods'), join(nodeDir, 'logs')]) {
      let entries: string[] = [];
      try { entries = readdirSync(dir); } catch { continue; }
      for (const uid of entries) {
        if (!here.has(uid)) rmSync(dir === join(nodeDir, 'pods') ? podDir(nodeDir, uid) : join(dir, uid), { recursive: true, force: true });
      }
    }
  }

  /** A container's status, for the log server; undefined when this node runs no such pod or container. */
  containerStatus(namespace: string, name: string, container: string): { status?: ContainerStatus; podKnown: boolean } {
    const key = `${namespace}/${name}`;
    const uid = this.informer.get(key)?.metadata.uid;
    const records = [...this.records.values()].filter((r) => r.key === key);
    const record = records.find((r) => r.uid === uid) ?? records[0];
    if (!record) return { podKnown: false };
    const c = record.containers.get(container);
    return { podKnown: true, status: c && containerStatus(c) };
  }
}
