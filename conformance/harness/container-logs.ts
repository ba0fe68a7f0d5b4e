// A container's output, read the way the process driver reads a process's
// (bounded-output.ts): lines cut at MAX_LINE_BYTES, a log file capped at
// MAX_LOG_BYTES, and a short tail in memory for failure reports.
//
// Docker ends a log stream when the container stops; follow() is called again
// after every start, from that start on, so a killed and started node's new
// lines join the old ones.

import { PassThrough } from 'node:stream';
import type Dockerode from 'dockerode';
import { CappedLog, LineSplitter } from './bounded-output.ts';
import type { LogLine } from './managed-process.ts';

const TAIL_LINES = 200;

export class ContainerLog {
  readonly tail: LogLine[] = [];
  private readonly log: CappedLog;
  private streams: NodeJS.ReadableStream[] = [];

  constructor(
    readonly name: string,
    logFile: string,
    private readonly onLine?: (line: LogLine) => void,
  ) {
    this.log = new CappedLog(logFile);
  }

  /** Reads the container's stdout and stderr from sinceMs on, until it stops. */
  async follow(container: Dockerode.Container, modem: Dockerode['modem'], sinceMs: number): Promise<void> {
    // since is in seconds; a second early rather than late (a line twice beats a line lost).
    const stream = await container.logs({ follow: true, stdout: true, stderr: true, since: Math.floor(sinceMs / 1000) - 1 }) as unknown as NodeJS.ReadableStream;
    this.streams.push(stream);
    const stdout = this.lineSink('stdout');
    const stderr = this.lineSink('stderr');
    const finish = () => { stdout.end(); stderr.end(); };
    stream.on('end', finish);
    stream.on('close', finish);
    stream.on('error', () => { /* the container went away: what was read is kept */ });
    // Without a TTY, Docker multiplexes both streams in one: each frame says which it belongs to.
    modem.demuxStream(stream, stdout, stderr);
  }

  /** A stream whose bytes become lines of this container's log. */
  private lineSink(name: 'stdout' | 'stderr'): PassThrough {
    const sink = new PassThrough();
    const lines = new LineSplitter((text) => this.record(name, text));
    sink.on('data', (chunk: Buffer) => lines.push(chunk));
    sink.on('end', () => lines.end());
    return sink;
  }

  record(stream: 'stdout' | 'stderr', text: string): void {
    const line: LogLine = { time: Date.now(), process: this.name, stream, text };
    this.tail.push(line);
    if (this.tail.length > TAIL_LINES) this.tail.shift();
    this.log.write(`${new Date(line.time).toISOString()} ${stream} ${text}\n`);
    this.onLine?.(line);
  }

  tailText(lines = 20): string {
    return this.tail.slice(-lines).map((l) => `  ${l.text}`).join('\n') || '  (no output)';
  }

  close(): void {
    for (const stream of this.streams) (stream as unknown as { destroy?: () => void }).destroy?.();
    this.streams = [];
    this.log.end();
  }
}
