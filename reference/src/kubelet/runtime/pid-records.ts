// Which container processes are running, written down on disk.
//
// Kubernetes' containers outlive a kubelet that dies (containerd keeps them),
// and a restarted kubelet finds them again through the runtime. The process
// runtime has no daemon to ask, so it records each container's process group in
// <node dir>/containers/, one file per container. A node agent that was
// SIGKILLed leaves those files behind; the next one reads them at start and
// kills what is left (it does not adopt them: it starts the pods afresh, and the
// restart counts go up, as after a node reboot).
//
// A pid can be reused by an unrelated process once ours has gone, so each
// record also keeps the process's start time (from /proc on Linux) and a
// leftover is killed only when both still match.

import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

interface PidRecord {
  id: string;
  pid: number;
  /** Field 22 of /proc/<pid>/stat (clock ticks since boot); undefined where /proc does not exist. */
  startTicks?: string;
}

/** The process's start time, or undefined when it does not exist (or there is no /proc). */
function processStartTicks(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces: count fields after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19]; // field 22 overall
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class PidRecords {
  constructor(private readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  private file(id: string): string {
    return join(this.dir, `${id.replaceAll('/', '_')}.json`);
  }

  add(id: string, pid: number): void {
    const record: PidRecord = { id, pid, startTicks: processStartTicks(pid) };
    writeFileSync(this.file(id), JSON.stringify(record));
  }

  remove(id: string): void {
    rmSync(this.file(id), { force: true });
  }

  /**
   * SIGKILLs the process group of every recorded container that still runs (a
   * previous agent's), and forgets every record. Returns the ids killed.
   */
  killLeftovers(): string[] {
    if (!existsSync(this.dir)) return [];
    const killed: string[] = [];
    for (const name of readdirSync(this.dir)) {
      const file = join(this.dir, name);
      try {
        const record = JSON.parse(readFileSync(file, 'utf8')) as PidRecord;
        const sameProcess = record.startTicks === undefined ? alive(record.pid) : processStartTicks(record.pid) === record.startTicks;
        if (sameProcess) {
          // The container leads its own group (detached): the group's id is its pid.
          try { process.kill(-record.pid, 'SIGKILL'); } catch { /* gone meanwhile */ }
          killed.push(record.id);
        }
      } catch {
        // An unreadable record (the agent died while writing it): nothing to trust in it.
      }
      rmSync(file, { force: true });
    }
    return killed;
  }
}
