// One process the harness started: its output goes to a log file and a short
// in-memory tail (shown when a check fails), and it can be stopped, killed,
// paused (SIGSTOP: a hung node) and resumed. Stopping or killing it ends every
// process it started too, even those that left its process group
// (process-tree.ts): nothing the harness started outlives it.

import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { descendants, killEntries, type ProcessEntry } from './process-tree.ts';

const TAIL_LINES = 200;

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
  private exited?: Promise<number | null>;
  private log?: WriteStream;
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
    this.log = createWriteStream(this.options.logFile, { flags: 'a' });
    // detached: the process leads its own group, so stop() reaches its children too.
    const child = spawn(file, args, {
      cwd: this.options.cwd, env: { ...process.env, ...this.options.env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true,
    });
    this.child = child;
    running.add(this);
    for (const stream of ['stdout', 'stderr'] as const) {
      createInterface({ input: child[stream]! }).on('line', (text) => this.record(stream, text));
    }
    this.exited = new Promise((resolveExit) => {
      child.on('error', (err) => {
        this.record('stderr', `could not start ${file}: ${err.message}`);
        this.exitCode = null;
        running.delete(this);
        resolveExit(null);
      });
      child.on('exit', (code, signal) => {
        this.exitCode = code ?? null;
        running.delete(this);
        this.record('stderr', `[harness] ${this.name} exited (${signal ? `signal ${signal}` : `code ${code}`})`);
        this.log?.end();
        resolveExit(code ?? null);
      });
    });
  }

  private record(stream: 'stdout' | 'stderr', text: string): void {
    const line: LogLine = { time: Date.now(), process: this.name, stream, text };
    this.tail.push(line);
    if (this.tail.length > TAIL_LINES) this.tail.shift();
    this.log?.write(`${new Date(line.time).toISOString()} ${stream} ${text}\n`);
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
   */
  async stop(graceMs = 5000): Promise<void> {
    if (!this.alive) return;
    const started = this.descendants();
    this.signal('SIGCONT'); // a paused process cannot act on SIGTERM
    this.signal('SIGTERM');
    const timer = setTimeout(() => {
      started.push(...this.descendants());
      this.signal('SIGKILL');
    }, graceMs);
    await this.exited;
    clearTimeout(timer);
    killEntries(started);
  }

  /** SIGKILL to it and to everything it started at once: a crash, as when a machine loses power. */
  async kill(): Promise<void> {
    if (!this.alive) return;
    this.killNow();
    await this.exited;
  }

  /** kill() without waiting (for the harness's exit path, which cannot wait). */
  killNow(): void {
    if (!this.alive) return;
    const started = this.descendants();
    this.signal('SIGKILL');
    killEntries(started);
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
