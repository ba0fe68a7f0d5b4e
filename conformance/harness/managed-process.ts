// One process the harness started: its output goes to a log file and a short
// in-memory tail (shown when a check fails), and it can be stopped, killed,
// paused (SIGSTOP: a hung node) and resumed. Stopping or killing it ends every
// process it started too, even those that left its process group
// (process-tree.ts): nothing the harness started outlives it.
//
// A student's program may flood its output or ignore SIGTERM: what is kept of
// its output is bounded (bounded-output.ts), and stop() is bounded too: SIGKILL
// after a grace, and a report of it.

import { spawn, type ChildProcess } from 'node:child_process';
import { CappedLog, LineSplitter } from './bounded-output.ts';
import { randomUUID } from 'node:crypto';
import { descendants, killEntries, processesWithEnv, untilGone, type ProcessEntry } from './process-tree.ts';

const TAIL_LINES = 200;
/** After its exit, how long the output a process left in its pipes may take to arrive (a process it started may hold them open). */
const DRAIN_MS = 500;
/** How long a process may take to go once SIGKILLed before the harness gives up waiting (a process stuck in the kernel). */
const KILL_WAIT_MS = 5000;

/** Whether the promise settled within ms. */
function within(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((r) => { timer = setTimeout(() => r(false), ms); });
  return Promise.race([promise.then(() => true), late]).finally(() => clearTimeout(timer));
}

/** The environment variable that marks every process one ManagedProcess started, and their children. */
export const HARNESS_MARK = 'KUBELAB_HARNESS_MARK';

/**
 * Every process group started, so that nothing outlives the harness, even on a crash.
 * Kept on globalThis: the CLI and the test runner may each load their own copy of this
 * module in one process, and both must see the same set.
 */
const REGISTRY = Symbol.for('kubelab.harness.running');
const globals = globalThis as unknown as Record<symbol, Set<ManagedProcess> | undefined>;
const firstCopy = !globals[REGISTRY];
const running: Set<ManagedProcess> = (globals[REGISTRY] ??= new Set());
if (firstCopy) process.on('exit', () => killAllProcesses());

/** SIGKILL to every process the harness started and what they started (for a Ctrl-C that cuts a run short). */
export function killAllProcesses(): void {
  for (const p of running) p.killNow();
}

export interface LogLine {
  time: number;
  process: string;
  stream: 'stdout' | 'stderr';
  text: string;
}

export class ManagedProcess {
  private child?: ChildProcess;
  /** Resolves when the process has exited ('exit'). */
  private exitSeen?: Promise<void>;
  /** Resolves once it has exited and its output has been read (or DRAIN_MS passed). */
  private exited?: Promise<number | null>;
  private log?: CappedLog;
  readonly tail: LogLine[] = [];
  exitCode: number | null | undefined;

  constructor(
    readonly name: string,
    private readonly command: string[],
    private readonly options: { cwd: string; env: Record<string, string>; logFile: string; onLine?: (line: LogLine) => void },
  ) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get alive(): boolean {
    return !!this.child && this.exitCode === undefined;
  }

  start(): void {
    const [file, ...args] = this.command;
    this.exitCode = undefined;
    const log = new CappedLog(this.options.logFile);
    this.log = log;
    // detached: the process leads its own group, so stop() reaches its children too.
    // A mark in the environment, inherited by everything it starts: what is left of it after
    // it exits can be found and ended, even a child that left its group before it crashed.
    const mark = `${this.name}-${randomUUID()}`;
    const child = spawn(file, args, {
      cwd: this.options.cwd, env: { ...process.env, ...this.options.env, [HARNESS_MARK]: mark }, stdio: ['ignore', 'pipe', 'pipe'], detached: true,
    });
    this.child = child;
    running.add(this);
    // Read every chunk as it comes ('data', never paused), so the process never blocks on a full pipe.
    for (const stream of ['stdout', 'stderr'] as const) {
      const lines = new LineSplitter((text) => this.record(stream, text, log));
      child[stream]!.on('data', (chunk: Buffer) => lines.push(chunk));
      child[stream]!.on('end', () => lines.end());
    }
    let exitSeen!: () => void;
    this.exitSeen = new Promise((r) => { exitSeen = r; });
    this.exited = new Promise((resolveExit) => {
      child.on('error', (err) => {
        this.record('stderr', `could not start ${file}: ${err.message}`, log);
        this.exitCode = null;
        running.delete(this);
        log.end();
        exitSeen();
        resolveExit(null);
      });
      child.on('exit', (code, signal) => {
        this.exitCode = code ?? null;
        running.delete(this);
        // However it ended (a crash, a stop, a kill), nothing it started outlives it.
        killEntries(processesWithEnv(HARNESS_MARK, mark));
        exitSeen();
        const finish = () => {
          this.record('stderr', `[harness] ${this.name} exited (${signal ? `signal ${signal}` : `code ${code}`})`, log);
          log.end();
          resolveExit(code ?? null);
        };
        void within(new Promise((r) => child.once('close', r)), DRAIN_MS).then(finish);
      });
    });
  }

  /** Bytes of output its log file dropped after reaching its cap (bounded-output.ts). */
  get droppedBytes(): number {
    return this.log?.dropped ?? 0;
  }

  private record(stream: 'stdout' | 'stderr', text: string, log = this.log): void {
    const line: LogLine = { time: Date.now(), process: this.name, stream, text };
    this.tail.push(line);
    if (this.tail.length > TAIL_LINES) this.tail.shift();
    log?.write(`${new Date(line.time).toISOString()} ${stream} ${text}\n`);
    this.options.onLine?.(line);
  }

  private signal(sig: NodeJS.Signals): void {
    if (!this.child?.pid || this.exitCode !== undefined) return;
    try {
      process.kill(-this.child.pid, sig);
    } catch {
      try { this.child.kill(sig); } catch { /* already gone */ }
    }
  }

  /** The processes it started, as they are now (empty once it has exited: its children then belong to init). */
  descendants(): ProcessEntry[] {
    return this.child?.pid && this.alive ? descendants(this.child.pid) : [];
  }

  /**
   * SIGTERM, then SIGKILL after graceMs. The process may stop what it started
   * (the reference's node agent stops its containers); whatever of that still
   * runs once it has exited is SIGKILLed, so no orphan is left behind.
   * Resolves with what went wrong ("shutdown: … ignored SIGTERM, …"), if anything.
   */
  async stop(graceMs = 5000): Promise<string | undefined> {
    if (!this.alive) return undefined;
    const started = this.descendants();
    let problem: string | undefined;
    this.signal('SIGCONT'); // a paused process cannot act on SIGTERM
    this.signal('SIGTERM');
    const timer = setTimeout(() => {
      started.push(...this.descendants());
      problem = `shutdown: ${this.name} ignored SIGTERM, killed after ${graceMs / 1000} s`;
      this.record('stderr', `[harness] ${problem}`);
      this.signal('SIGKILL');
    }, graceMs);
    const gone = await within(this.exitSeen!, graceMs + KILL_WAIT_MS);
    clearTimeout(timer);
    // What it started goes now, before waiting for its output: such a process may hold the pipes open.
    killEntries(started);
    if (!gone) return `shutdown: ${this.name} (pid ${this.pid}) was still there ${KILL_WAIT_MS / 1000} s after SIGKILL`;
    // Nothing it started may be left once stop() returns.
    await untilGone(started, KILL_WAIT_MS);
    await this.exited;
    return problem;
  }

  /** SIGKILL to it and to everything it started at once: a crash, as when a machine loses power. */
  async kill(): Promise<void> {
    if (!this.alive) return;
    const started = this.killNow();
    if (await within(this.exitSeen!, KILL_WAIT_MS)) await this.exited;
    await untilGone(started, KILL_WAIT_MS);
  }

  /** kill() without waiting (for the harness's exit path, which cannot wait); returns what it started, SIGKILLed too. */
  killNow(): ProcessEntry[] {
    if (!this.alive) return [];
    const started = this.descendants();
    this.signal('SIGKILL');
    killEntries(started);
    return started;
  }

  pause(): void {
    this.signal('SIGSTOP');
  }

  resume(): void {
    this.signal('SIGCONT');
  }

  /** Resolves with the exit code when the process ends. */
  waitForExit(): Promise<number | null> {
    return this.exited ?? Promise.resolve(null);
  }
}
