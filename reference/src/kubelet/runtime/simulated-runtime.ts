// The simulated runtime: containers that "run" without a process, in the manner
// of KWOK (Kubernetes WithOut Kubelet, https://kwok.sigs.k8s.io/).
//
// The node agent runs its whole pod lifecycle unchanged (IP, volumes, status,
// graceful deletion); only the last step, starting a program, is pretended:
// - an image is still looked up in the catalogue, so an unknown image still
//   ends in ErrImagePull;
// - a started container is running at once and stays running: it never
//   crashes, completes or uses memory;
// - a stopped container exits at once, with 143 as if SIGTERM ended it, and
//   does not wait for its grace period (nothing could ignore the signal);
// - logs are empty; exec (exec probes) succeeds with no output. httpGet and
//   tcpSocket probes fail: nothing listens on the pod's IP.
//
// Select it with `--runtime simulated` or KUBELAB_RUNTIME=simulated (config.ts).

import { join } from 'node:path';
import { ImageCatalogue } from './images.ts';
import type { ContainerConfig, ContainerRuntime, ContainerState, ImageInfo, LogOptions } from './runtime.ts';

/** 128 + SIGTERM (15): what a container stopped by its runtime reports. */
const STOPPED_EXIT_CODE = 143;

export class SimulatedRuntime implements ContainerRuntime {
  private readonly containers = new Map<string, { config: ContainerConfig; state: ContainerState }>();
  private readonly exitListeners: ((id: string, state: ContainerState) => void)[] = [];
  private readonly catalogue: ImageCatalogue;

  constructor(private readonly options: { imagesDir: string; nodeDir: string }) {
    this.catalogue = new ImageCatalogue(options.imagesDir);
  }

  /** No process can outlive a simulated agent: nothing to clean up. */
  killLeftovers(): string[] {
    return [];
  }

  /** Where the process runtime keeps a pod's logs; nothing is written there, the agent's clean-up finds it empty. */
  podLogDir(podUid: string): string {
    return join(this.options.nodeDir, 'logs', podUid);
  }

  async pullImage(image: string): Promise<ImageInfo> {
    return this.catalogue.resolve(image);
  }

  async startContainer(config: ContainerConfig, _image?: ImageInfo): Promise<void> {
    if (this.containers.get(config.id)?.state.state === 'running') throw new Error(`container ${config.id} is already running`);
    // pid 0: there is no process (the debug endpoint shows it as such).
    this.containers.set(config.id, { config, state: { state: 'running', pid: 0, startedAt: new Date().toISOString() } });
  }

  async stopContainer(id: string, _graceSeconds = 0): Promise<void> {
    const container = this.containers.get(id);
    if (!container || container.state.state !== 'running') return;
    // Exits come a moment later, as a real process's do: never from inside the caller's own loop.
    await new Promise((resolve) => setImmediate(resolve));
    if (container.state.state !== 'running') return;
    const state: ContainerState = {
      state: 'exited', exitCode: STOPPED_EXIT_CODE, signal: 'SIGTERM', reason: 'Error',
      startedAt: container.state.startedAt, finishedAt: new Date().toISOString(),
    };
    container.state = state;
    for (const listener of this.exitListeners) listener(id, state);
  }

  containerState(id: string): ContainerState | undefined {
    return this.containers.get(id)?.state;
  }

  runningContainers(): { config: ContainerConfig; pid: number }[] {
    return [...this.containers.values()].filter((c) => c.state.state === 'running').map((c) => ({ config: c.config, pid: 0 }));
  }

  onExit(listener: (id: string, state: ContainerState) => void): void {
    this.exitListeners.push(listener);
  }

  async readLogs(_id: string, _options?: LogOptions): Promise<string> {
    return '';
  }

  followLogs(_id: string, _options: LogOptions, _onLine: (line: string) => void, onEnd: () => void): () => void {
    queueMicrotask(onEnd);
    return () => {};
  }

  async exec(id: string, _command: string[] = [], _timeoutMs = 0): Promise<{ exitCode: number; output: string; timedOut: boolean }> {
    if (this.containers.get(id)?.state.state !== 'running') throw new Error(`container ${id} is not running`);
    return { exitCode: 0, output: '', timedOut: false };
  }

  async removeContainer(id: string): Promise<void> {
    await this.stopContainer(id);
    this.containers.delete(id);
  }

  async shutdown(): Promise<void> {
    for (const id of [...this.containers.keys()]) await this.stopContainer(id);
  }
}
