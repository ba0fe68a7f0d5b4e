// Starting and restarting one pod's containers: the part of a pod sync that
// talks to the runtime (pkg/kubelet/kuberuntime/kuberuntime_manager.go
// computePodActions and SyncPod, much reduced).
//
// Init containers run first, one at a time, each to a successful end; then the
// regular containers start. For every container the question is the same:
// keep it, start it, or wait (a back-off), and the answer depends on its last
// instance and the pod's restartPolicy (nextStep below).

import { wholeUnits } from '../../api/quantity.ts';
import type { KubeObject } from '../../api/types.ts';
import type { ApiClient } from '../../client/api-client.ts';
import type { EventRecorder } from '../../client/events.ts';
import type { ProbeManager } from '../probes/probe-manager.ts';
import { ImagePullError, type ContainerConfig, type ContainerRuntime, type ImageInfo } from '../runtime/runtime.ts';
import { formatDuration, type Backoff } from './backoff.ts';
import { ContainerConfigError, expandAll, processEnv, referencedNames, resolveEnv } from './env.ts';
import { readEnvValues } from './config-sources.ts';
import { readServiceEnv } from './service-env.ts';
import type { ContainerRecord, PodRecord } from './pod-state.ts';
import { ContainerCreateError, containerMounts, resolveContainerPath } from './volumes.ts';

export type Step =
  | { kind: 'keep' }
  | { kind: 'start' }
  | { kind: 'kill'; why: string }
  | { kind: 'wait'; ms: number };

// LAB(pods) begin: restart or not, and when (computePodActions, doBackOff)
/** Whether a container that ended with exitCode runs again under the pod's restartPolicy. */
export function restartWanted(restartPolicy: string, exitCode: number, init: boolean): boolean {
  // An init container that succeeded is done; one that failed is retried unless the policy is Never.
  if (init) return exitCode !== 0 && restartPolicy !== 'Never';
  if (restartPolicy === 'Always') return true;
  if (restartPolicy === 'OnFailure') return exitCode !== 0;
  return false;
}

/**
 * What to do with a container now. A restart is immediate after the first
 * failure and waits out the back-off after the next ones (CrashLoopBackOff);
 * `backoffKey` names the container in the back-off.
 */
export function nextStep(c: ContainerRecord, spec: any, restartPolicy: string, backoff: Backoff, backoffKey: string): Step {
  if (!c.instance) return { kind: 'start' };
  const ended = c.instance.terminated;
  // A changed image restarts the container whatever the policy (the spec hash changed).
  if (!ended) return c.image === spec.image ? { kind: 'keep' } : { kind: 'kill', why: `Container ${c.name} definition changed, will be restarted` };
  if (c.image !== spec.image) return { kind: 'start' };
  if (!restartWanted(restartPolicy, ended.exitCode, c.init)) return { kind: 'keep' };
  const finishedAt = Date.parse(ended.finishedAt);
  if (backoff.isInBackOffSince(backoffKey, finishedAt)) return { kind: 'wait', ms: backoff.remaining(backoffKey, finishedAt) };
  backoff.next(backoffKey, finishedAt);
  return { kind: 'start' };
}
// LAB end

export interface ContainerSyncDeps {
  client: ApiClient;
  runtime: ContainerRuntime;
  events: EventRecorder;
  probes: ProbeManager;
  crashBackoff: Backoff;
  pullBackoff: Backoff;
  nodeIP: string;
  /** The profile's back-off base: how soon a container that could not be created is tried again. */
  retryMs: number;
}

export class ContainerSync {
  /** When each image pull last failed: `<pod uid>/<container>/<image>` → ms. */
  private readonly pullFailures = new Map<string, number>();
  /** Instances being stopped because their spec changed. */
  private readonly stopping = new Set<string>();

  constructor(private readonly deps: ContainerSyncDeps) {}

  /**
   * Moves the pod's containers one step toward the spec. Returns in how many ms
   * the pod wants another sync (a back-off ends), or undefined.
   */
  async sync(pod: KubeObject, record: PodRecord, volumes: Record<string, string>): Promise<number | undefined> {
    const policy = pod.spec?.restartPolicy ?? 'Always';
    let wakeUp: number | undefined;
    const wantSyncIn = (ms: number | undefined) => {
      if (ms !== undefined) wakeUp = wakeUp === undefined ? ms : Math.min(wakeUp, ms);
    };

    // Init containers: in order, each must end with exit code 0 before the next starts.
    let initialized = true;
    for (const spec of pod.spec?.initContainers ?? []) {
      const c = record.containers.get(spec.name)!;
      if (c.instance?.terminated?.exitCode === 0) continue;
      initialized = false;
      wantSyncIn(await this.apply(pod, record, c, spec, nextStep(c, spec, policy, this.deps.crashBackoff, this.backoffKey(record, spec)), volumes));
      break;
    }

    for (const spec of pod.spec?.containers ?? []) {
      const c = record.containers.get(spec.name)!;
      if (!initialized) {
        if (!c.instance) c.waiting = { reason: 'PodInitializing' };
        continue;
      }
      wantSyncIn(await this.apply(pod, record, c, spec, nextStep(c, spec, policy, this.deps.crashBackoff, this.backoffKey(record, spec)), volumes));
    }
    return wakeUp;
  }

  private backoffKey(record: PodRecord, spec: any): string {
    return `${record.uid}/${spec.name}/${spec.image}`;
  }

  private async apply(pod: KubeObject, record: PodRecord, c: ContainerRecord, spec: any, step: Step, volumes: Record<string, string>): Promise<number | undefined> {
    const { events, runtime } = this.deps;
    const fieldPath = `spec.${c.init ? 'initContainers' : 'containers'}{${c.name}}`;
    switch (step.kind) {
      case 'keep':
        return undefined;
      case 'kill': {
        const id = c.instance!.id;
        if (this.stopping.has(id)) return undefined;
        this.stopping.add(id);
        events.record(pod, 'Normal', 'Killing', step.why, fieldPath);
        // Not awaited: the exit comes back through the runtime's onExit and syncs the pod again.
        void runtime.stopContainer(id, Math.max(2, pod.spec?.terminationGracePeriodSeconds ?? 30)).finally(() => this.stopping.delete(id));
        return undefined;
      }
      case 'wait': {
        const key = this.backoffKey(record, spec);
        const message = `back-off ${formatDuration(this.deps.crashBackoff.get(key))} restarting failed container=${c.name} pod=${record.name}_${record.namespace}(${record.uid})`;
        if (c.waiting?.reason !== 'CrashLoopBackOff') {
          events.record(pod, 'Warning', 'BackOff', `Back-off restarting failed container ${c.name} in pod ${record.name}_${record.namespace}(${record.uid})`, fieldPath);
        }
        c.waiting = { reason: 'CrashLoopBackOff', message };
        return step.ms;
      }
      case 'start':
        return this.start(pod, record, c, spec, volumes, fieldPath);
    }
  }

  /** Pulls the image, works out the container's configuration, and starts it. */
  private async start(pod: KubeObject, record: PodRecord, c: ContainerRecord, spec: any, volumes: Record<string, string>, fieldPath: string): Promise<number | undefined> {
    const { runtime, events } = this.deps;
    const image = await this.pull(pod, record, c, spec, fieldPath);
    if (typeof image === 'number') return image;

    let config: ContainerConfig;
    try {
      config = await this.containerConfig(pod, record, c, spec, image, volumes);
    } catch (err) {
      if (!(err instanceof ContainerConfigError || err instanceof ContainerCreateError)) throw err;
      c.waiting = { reason: err.reason, message: err.message };
      events.record(pod, 'Warning', 'Failed', `Error: ${err.message}`, fieldPath);
      return this.deps.retryMs;
    }

    try {
      await runtime.startContainer(config, image);
    } catch (err) {
      c.waiting = { reason: 'RunContainerError', message: (err as Error).message };
      events.record(pod, 'Warning', 'Failed', `Error: ${(err as Error).message}`, fieldPath);
      return this.deps.retryMs;
    }
    events.record(pod, 'Normal', 'Created', `Created container ${c.name}`, fieldPath);

    // The instance before the one that just ended is no longer anyone's previous: its log goes.
    if (c.previous?.containerID && c.instance) void runtime.removeContainer(c.previous.containerID.replace(/^kubelab:\/\//, ''));
    c.previous = c.instance?.terminated ?? c.previous;
    const state = runtime.containerState(config.id);
    c.instance = { id: config.id, startedAt: state?.startedAt ?? new Date().toISOString() };
    c.restartCount = Number(config.id.split('/').pop());
    c.image = spec.image;
    c.imageID = image.imageID;
    c.waiting = undefined;
    c.started = false;
    c.ready = false;
    events.record(pod, 'Normal', 'Started', `Started container ${c.name}`, fieldPath);
    // Probes report back to the pod sync, which owns this record (started, ready, kill).
    this.deps.probes.addContainer(config.id, spec, {
      podIP: record.podIP, container: spec,
      exec: (command, timeoutMs) => runtime.exec(config.id, command, timeoutMs),
    });
    return undefined;
  }

  /**
   * The image, or in how many ms to try again. After a failed pull the container
   * shows ErrImagePull; while the pull back-off lasts it shows ImagePullBackOff
   * (pkg/kubelet/images/image_manager.go). The catalogue is local, so pulling is
   * only looking the image up.
   */
  private async pull(pod: KubeObject, record: PodRecord, c: ContainerRecord, spec: any, fieldPath: string): Promise<ImageInfo | number> {
    const { runtime, events, pullBackoff } = this.deps;
    const key = `${record.uid}/${spec.name}/${spec.image}`;
    const failedAt = this.pullFailures.get(key);
    const now = Date.now();
    if (failedAt !== undefined && pullBackoff.isInBackOffSince(key, failedAt)) {
      // The error stays in sight for one retry period before it turns into the back-off.
      const showErrorUntil = failedAt + this.deps.retryMs;
      if (now >= showErrorUntil && c.waiting?.reason !== 'ImagePullBackOff') {
        c.waiting = { reason: 'ImagePullBackOff', message: `Back-off pulling image "${spec.image}"` };
        events.record(pod, 'Normal', 'BackOff', `Back-off pulling image "${spec.image}"`, fieldPath);
      }
      return now < showErrorUntil ? showErrorUntil - now : pullBackoff.remaining(key, failedAt);
    }
    try {
      if (spec.imagePullPolicy === 'Always') events.record(pod, 'Normal', 'Pulling', `Pulling image "${spec.image}"`, fieldPath);
      const image = await runtime.pullImage(spec.image);
      events.record(pod, 'Normal', 'Pulled', spec.imagePullPolicy === 'Always'
        ? `Successfully pulled image "${spec.image}" in 0s (0s including waiting). Image size: 0 bytes.`
        : `Container image "${spec.image}" already present on machine`, fieldPath);
      this.pullFailures.delete(key);
      return image;
    } catch (err) {
      if (!(err instanceof ImagePullError)) throw err;
      this.pullFailures.set(key, now);
      pullBackoff.next(key, now);
      c.waiting = { reason: 'ErrImagePull', message: err.message };
      events.record(pod, 'Warning', 'Failed', `Failed to pull image "${spec.image}": ${err.message}`, fieldPath);
      events.record(pod, 'Warning', 'Failed', 'Error: ErrImagePull', fieldPath);
      return this.deps.retryMs;
    }
  }

  private async containerConfig(pod: KubeObject, record: PodRecord, c: ContainerRecord, spec: any, image: ImageInfo, volumes: Record<string, string>): Promise<ContainerConfig> {
    const { client } = this.deps;
    const configMaps = await readEnvValues(client, 'ConfigMap', record.namespace, referencedNames(spec, 'ConfigMap'));
    const secrets = await readEnvValues(client, 'Secret', record.namespace, referencedNames(spec, 'Secret'));
    const serviceEnv = await readServiceEnv(client, pod);
    const env = resolveEnv(spec, { pod, podIP: record.podIP, hostIP: this.deps.nodeIP, configMaps, secrets, serviceEnv });
    const mounts = containerMounts(spec, volumes);
    const instance = c.instance ? c.restartCount + 1 : c.restartCount;
    return {
      id: `${record.uid}/${c.name}/${instance}`,
      podUid: record.uid, podNamespace: record.namespace, podName: record.name, containerName: c.name,
      image: spec.image,
      command: expandAll(spec.command, env),
      args: expandAll(spec.args, env),
      workingDir: spec.workingDir ? resolveContainerPath(spec.workingDir, mounts) : undefined,
      env: processEnv({
        hostname: pod.spec?.hostname ?? record.name, imageTag: image.tag, imageEnv: image.env,
        containerEnv: env, podIP: record.podIP, mounts,
      }),
      podIP: record.podIP,
      mounts,
      ...(spec.resources?.limits?.memory !== undefined ? { memoryLimitBytes: wholeUnits(spec.resources.limits.memory) } : {}),
    };
  }

  /** Forgets a pod's pull failures (it is gone). */
  forget(podUid: string): void {
    for (const key of this.pullFailures.keys()) if (key.startsWith(`${podUid}/`)) this.pullFailures.delete(key);
  }
}
