// The last lines of the implementation's own output, for a failed check's report.
//
// The process driver writes each process's output to <data dir>/logs/<name>.log
// (one line each: `<ISO time> <stdout|stderr> <text>`), and the data dir is the
// folder of the kubeconfig it hands to the checks. The reporter runs in the same
// process as the harness while the cluster is still up, so it reads the ends of
// those files when a check fails. A cluster from --kubeconfig has no such logs.

import { closeSync, existsSync, fstatSync, openSync, readdirSync, readSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export interface ProcessLogLine {
  time: number;
  process: string;
  text: string;
}

/** How much of the end of each log file is read: enough for the lines shown, bounded for a process that floods. */
const READ_BYTES = 64 * 1024;

function readEnd(file: string): string {
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    const length = Math.min(size, READ_BYTES);
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, size - length);
    return buffer.toString('utf8');
  } finally {
    closeSync(fd);
  }
}

function parse(process: string, text: string): ProcessLogLine[] {
  const lines: ProcessLogLine[] = [];
  for (const line of text.split('\n')) {
    const match = /^(\d{4}-\d\d-\d\dT[\d:.]+Z) (?:stdout|stderr) (.*)$/.exec(line);
    if (match) lines.push({ time: Date.parse(match[1]), process, text: match[2] });
  }
  return lines;
}

/** The last `count` lines all processes wrote up to `until` (ms since the epoch), oldest first. */
export function lastLogLines(kubeconfig: string, until: number, count = 15): ProcessLogLine[] {
  const dir = join(dirname(kubeconfig), 'logs');
  if (!existsSync(dir)) return [];
  const lines = readdirSync(dir).filter((f) => f.endsWith('.log'))
    .flatMap((f) => {
      try {
        return parse(basename(f, '.log'), readEnd(join(dir, f)));
      } catch {
        return []; // a log that cannot be read must not hide the failure itself
      }
    })
    .filter((l) => l.time <= until)
    .sort((a, b) => a.time - b.time);
  return lines.slice(-count);
}
