// The process runtime: a container is a child process of the node agent.
//
// What a container runtime gives Kubernetes (an isolated filesystem, network
// and process tree) is reduced to what a plain process can have:
// - the image is a folder of the catalogue (images.ts), the program runs there;
// - the process leads its own process group (spawn's `detached`), so stopping
//   the container signals every process it started, as a pid namespace would;
//   when the main process ends, what it left behind is killed, too;
// - stdout and stderr go to the container's log file (container-log.ts);
// - each running container is written down in <node dir>/containers/
//   (pid-records.ts), so a later agent can find what a killed one left;
// - a memory limit is watched by polling (memory-limit.ts): over it, the
//   container is SIGKILLed and ends as OOMKilled, as the kernel would do.
//
// conformance/images/README.md, "How a node agent runs a container", is the
// contract this file follows.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { constants } from 'node:os';
import { dirname, join } from 'node:path';
import { formatLine, LogWriter, readLogFile, tail, type LogLine } from './container-log.ts';
import { ImageCatalogue } from './images.ts';
import { watchMemory, type MemoryWatch } from './memory-limit.ts';
import { PidRecords } from './pid-records.ts';
import type { ContainerConfig, ContainerRuntime, ContainerState, ImageInfo, LogOptions } from './runtime.ts';

/** How long containers get between SIGTERM and SIGKILL when the whole agent shuts down. */
const SHUTDOWN_GRACE_SECONDS = 2;

interface Instance {
  config: ContainerConfig;
  child: ChildProcess;
  pid: number;
  cwd: string;
  state: ContainerState;
  log: LogWriter;
  followers: Set<(line: LogLine) => void>;
  enders: Set<() => void>;
  exited: Promise<void>;
  /** Set while a memory limit is watched. */
  memoryWatch?: MemoryWatch;
  /** Killed for going over its memory limit: it ends as OOMKilled. */
  oomKilled?: boolean;
}

export interface ProcessRuntimeOptions {
  /** KUBELAB_IMAGES. */
  imagesDir: string;
  /** The node's folder: logs/ and containers/ are made in it. */
  nodeDir: string;
}

/** 143 for SIGTERM, 137 for SIGKILL: 128 + the signal's number, as a shell and Kubernetes report it. */
function exitCodeOf(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  return 128 + (signal ? constants.signals[signal] ?? 0 : 0);
}

/** `image entrypoint + args`, with the container's command and args replacing them as in Kubernetes. */
export function commandLine(config: Pick<ContainerConfig, 'command' | 'args'>, image: Pick<ImageInfo, 'entrypoint' | 'args'>): string[] {
  if (config.command?.length) return [...config.command, ...(config.args ?? [])];
  return [...image.entrypoint, ...(config.args?.length ? config.args : image.args)];
}

export class ProcessRuntime implements ContainerRuntime {
  private readonly instances = new Map<string, Instance>();
  private readonly exitListeners: ((id: string, state: ContainerState) => void)[] = [];
  private readonly catalogue: ImageCatalogue;
  private readonly pids: PidRecords;
  private readonly logsDir: string;

  constructor(options: ProcessRuntimeOptions) {
    this.catalogue = new ImageCatalogue(options.imagesDir);
    this.pids = new PidRecords(join(options.nodeDir, 'containers'));
    this.logsDir = join(options.nodeDir, 'logs');
  }

  /** Kills the containers a previous agent left running (see pid-records.ts); returns their ids. */
  killLeftovers(): string[] {
    return this.pids.killLeftovers();
  }

  /** <node dir>/logs/<pod uid>/<container>/<n>.log, like Kubernetes' /var/log/pods layout. */
  logPath(id: string): string {
    return join(this.logsDir, `${id}.log`);
  }

  /** The folder that holds every log of a pod. */
  podLogDir(podUid: string): string {
    return join(this.logsDir, podUid);
  }

  async pullImage(image: string): Promise<ImageInfo> {
    return this.catalogue.resolve(image);
  }

  startContainer(config: ContainerConfig, image: ImageInfo): Promise<void> {
    if (this.instances.get(config.id)?.state.state === 'running') return Promise.reject(new Error(`container ${config.id} is already running`));
    const [program, ...args] = commandLine(config, image);
    const cwd = config.workingDir ?? image.dir;
    const logPath = this.logPath(config.id);
    mkdirSync(dirname(logPath), { recursive: true });

    return new Promise((resolve, reject) => {
      const child = spawn(program, args, { cwd, env: config.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
      child.on('error', (err) => {
        // The program could not be started (not found, not executable): no process, no instance.
        // (Later errors, such as a signal to a process that just ended, change nothing.)
        if (!child.pid) reject(new Error(`failed to start container process: exec: "${program}": ${err.message}`));
      });
      child.once('spawn', () => {
        const pid = child.pid!;
        this.pids.add(config.id, pid);
        const followers = new Set<(line: LogLine) => void>();
        const instance: Instance = {
          config, child, pid, cwd, followers, enders: new Set(),
          state: { state: 'running', pid, startedAt: new Date().toISOString() },
          log: new LogWriter(logPath, (line) => followers.forEach((f) => f(line))),
          exited: new Promise((done) => child.once('close', () => done())),
        };
        this.instances.set(config.id, instance);
        child.stdout!.setEncoding('utf8').on('data', (chunk: string) => instance.log.write('stdout', chunk));
        child.stderr!.setEncoding('utf8').on('data', (chunk: string) => instance.log.write('stderr', chunk));
        // When the main process ends the container ends: what it started dies with it.
        child.once('exit', () => this.signalGroup(pid, 'SIGKILL'));
        child.once('close', (code, signal) => this.finish(instance, code, signal));
        if (config.memoryLimitBytes !== undefined) {
          instance.memoryWatch = watchMemory(pid, config.memoryLimitBytes, () => {
            instance.oomKilled = true;
            this.signalGroup(pid, 'SIGKILL');
          });
        }
        resolve();
      });
    });
  }

  private finish(instance: Instance, code: number | null, signal: NodeJS.Signals | null): void {
    const exitCode = exitCodeOf(code, signal);
    const startedAt = instance.state.startedAt;
    instance.memoryWatch?.stop();
    instance.log.close();
    // Killed for its memory: exit code 137 (SIGKILL) and reason OOMKilled, as the runtime reports a kernel OOM kill.
    const reason = instance.oomKilled && signal === 'SIGKILL' ? 'OOMKilled' : exitCode === 0 ? 'Completed' : 'Error';
    instance.state = {
      state: 'exited', exitCode, startedAt, finishedAt: new Date().toISOString(),
      reason, ...(signal ? { signal } : {}),
    };
    this.pids.remove(instance.config.id);
    for (const end of instance.enders) end();
    instance.enders.clear();
    instance.followers.clear();
    for (const listener of this.exitListeners) listener(instance.config.id, instance.state);
  }

  private signalGroup(pid: number, signal: NodeJS.Signals): void {
    try {
      process.kill(-pid, signal);
    } catch {
      // The group is gone already.
    }
  }

  async stopContainer(id: string, graceSeconds: number): Promise<void> {
    const instance = this.instances.get(id);
    if (!instance || instance.state.state !== 'running') return;
    this.signalGroup(instance.pid, 'SIGTERM');
    const timer = setTimeout(() => this.signalGroup(instance.pid, 'SIGKILL'), Math.max(0, graceSeconds) * 1000);
    await instance.exited;
    clearTimeout(timer);
  }

  containerState(id: string): ContainerState | undefined {
    return this.instances.get(id)?.state;
  }

  /** The containers running now and their main processes (for the node agent's debug endpoint). */
  runningContainers(): { config: ContainerConfig; pid: number }[] {
    return [...this.instances.values()].filter((i) => i.state.state === 'running').map((i) => ({ config: i.config, pid: i.pid }));
  }

  onExit(listener: (id: string, state: ContainerState) => void): void {
    this.exitListeners.push(listener);
  }

  async readLogs(id: string, options: LogOptions = {}): Promise<string> {
    return tail(readLogFile(this.logPath(id)), options.tailLines).map((l) => formatLine(l, options.timestamps)).join('');
  }

  followLogs(id: string, options: LogOptions, onLine: (line: string) => void, onEnd: () => void): () => void {
    // Reading the file and subscribing happen in one turn of the event loop, and
    // lines are written synchronously: no line is lost or repeated between the two.
    for (const line of tail(readLogFile(this.logPath(id)), options.tailLines)) onLine(formatLine(line, options.timestamps));
    const instance = this.instances.get(id);
    if (!instance || instance.state.state !== 'running') {
      queueMicrotask(onEnd);
      return () => {};
    }
    const follower = (line: LogLine) => onLine(formatLine(line, options.timestamps));
    instance.followers.add(follower);
    instance.enders.add(onEnd);
    return () => {
      instance.followers.delete(follower);
      instance.enders.delete(onEnd);
    };
  }

  exec(id: string, command: string[], timeoutMs: number): Promise<{ exitCode: number; output: string; timedOut: boolean }> {
    const instance = this.instances.get(id);
    if (!instance || instance.state.state !== 'running') return Promise.reject(new Error(`container ${id} is not running`));
    return new Promise((resolve) => {
      const [program, ...args] = command;
      const child = spawn(program, args, { cwd: instance.cwd, env: instance.config.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      let timedOut = false;
      const collect = (chunk: Buffer) => { if (output.length < 10_000) output += chunk.toString('utf8'); };
      child.stdout!.on('data', collect);
      child.stderr!.on('data', collect);
      const timer = setTimeout(() => {
        timedOut = true;
        if (child.pid) this.signalGroup(child.pid, 'SIGKILL');
      }, timeoutMs);
      child.once('error', (err) => {
        clearTimeout(timer);
        resolve({ exitCode: 127, output: `exec: "${program}": ${err.message}`, timedOut: false });
      });
      child.once('close', (code, signal) => {
        clearTimeout(timer);
        resolve({ exitCode: exitCodeOf(code, signal), output, timedOut });
      });
    });
  }

  async removeContainer(id: string): Promise<void> {
    const instance = this.instances.get(id);
    if (instance?.state.state === 'running') await this.stopContainer(id, 0);
    this.instances.delete(id);
    rmSync(this.logPath(id), { force: true });
  }

  /** SIGTERM to every container, SIGKILL to what is left after a short grace: the agent is going away. */
  async shutdown(): Promise<void> {
    const running = [...this.instances.keys()].filter((id) => this.instances.get(id)!.state.state === 'running');
    await Promise.all(running.map((id) => this.stopContainer(id, SHUTDOWN_GRACE_SECONDS)));
  }
}
