// A container's log file, in the format Kubernetes' container runtimes write
// (the CRI logging format, /var/log/pods/<ns>_<pod>_<uid>/<container>/<n>.log):
//
//   2026-01-01T10:00:00.123Z stdout F kubelab/web:1 listening on 127.200.1.2:8080
//   2026-01-01T10:00:01.456Z stderr P a very long line is cut in parts: P(artial)…
//   2026-01-01T10:00:01.457Z stderr F …and F(ull) ends it
//
// Each line carries its time and stream, so `kubectl logs --timestamps` and
// `--tail` need nothing else. The runtime writes; the log server reads.

import { closeSync, existsSync, openSync, readFileSync, writeSync } from 'node:fs';

/** One line of output, as `kubectl logs` shows it. */
export interface LogLine {
  time: string;
  stream: 'stdout' | 'stderr';
  text: string;
}

/** Longer lines are written in parts (containerd cuts at 16 KiB too). */
const MAX_PART = 16 * 1024;

/** Appends a container's output to its log file, line by line. Writes are synchronous so a reader never misses a line. */
export class LogWriter {
  private fd: number;
  private readonly pending = { stdout: '', stderr: '' };

  constructor(readonly path: string, private readonly onLine: (line: LogLine) => void) {
    this.fd = openSync(path, 'a');
  }

  /** Takes a chunk of a stream; whole lines are written, the rest waits for its newline. */
  write(stream: 'stdout' | 'stderr', chunk: string): void {
    let text = this.pending[stream] + chunk;
    let newline: number;
    while ((newline = text.indexOf('\n')) >= 0) {
      this.writeLine(stream, text.slice(0, newline), 'F');
      text = text.slice(newline + 1);
    }
    while (text.length > MAX_PART) {
      this.writeLine(stream, text.slice(0, MAX_PART), 'P');
      text = text.slice(MAX_PART);
    }
    this.pending[stream] = text;
  }

  /** The process ended: a last line without a newline is still a line. */
  close(): void {
    for (const stream of ['stdout', 'stderr'] as const) {
      if (this.pending[stream]) this.writeLine(stream, this.pending[stream], 'F');
      this.pending[stream] = '';
    }
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }

  private writeLine(stream: 'stdout' | 'stderr', text: string, tag: 'P' | 'F'): void {
    if (this.fd < 0) return;
    const time = new Date().toISOString();
    writeSync(this.fd, `${time} ${stream} ${tag} ${text}\n`);
    if (tag === 'F') this.onLine({ time, stream, text });
  }
}

/** Parses a log file into lines, joining partial (P) parts. */
export function parseLog(content: string): LogLine[] {
  const lines: LogLine[] = [];
  let partial = '';
  for (const raw of content.split('\n')) {
    if (!raw) continue;
    // <time> <stream> <P|F> <text>; text may be empty.
    const first = raw.indexOf(' ');
    const second = raw.indexOf(' ', first + 1);
    const third = raw.indexOf(' ', second + 1);
    if (first < 0 || second < 0) continue;
    const time = raw.slice(0, first);
    const stream = raw.slice(first + 1, second) as LogLine['stream'];
    const tag = third < 0 ? raw.slice(second + 1) : raw.slice(second + 1, third);
    const text = third < 0 ? '' : raw.slice(third + 1);
    if (tag === 'P') {
      partial += text;
      continue;
    }
    lines.push({ time, stream, text: partial + text });
    partial = '';
  }
  return lines;
}

export function readLogFile(path: string): LogLine[] {
  return existsSync(path) ? parseLog(readFileSync(path, 'utf8')) : [];
}

/** A line as `kubectl logs` prints it: the text, after its RFC 3339 time with --timestamps. */
export function formatLine(line: LogLine, timestamps = false): string {
  return timestamps ? `${line.time} ${line.text}\n` : `${line.text}\n`;
}

/** The last n lines (all of them when n is undefined or negative, as Kubernetes treats tailLines). */
export function tail(lines: LogLine[], n?: number): LogLine[] {
  if (n === undefined || n < 0) return lines;
  return n === 0 ? [] : lines.slice(-n);
}
