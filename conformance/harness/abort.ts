// Cutting a run short (Ctrl-C): stop every process the harness started and
// remove the temporary folders it made. The state lives on globalThis because
// the CLI and the test runner may each load their own copy of the harness
// modules in one process.

import { rmSync } from 'node:fs';
import { killAllProcesses } from './managed-process.ts';

const KEY = Symbol.for('kubelab.harness.temporaryDirs');
const globals = globalThis as unknown as Record<symbol, Set<string> | undefined>;
const temporaryDirs: Set<string> = (globals[KEY] ??= new Set());

/** A folder to remove if the run is aborted (the normal teardown removes it otherwise). */
export function removeOnAbort(dir: string): void {
  temporaryDirs.add(dir);
}

export function forget(dir: string): void {
  temporaryDirs.delete(dir);
}

/**
 * Synchronous on purpose: the test runner handles the same signal and may exit
 * the process at any moment, so nothing here waits. The processes get SIGKILL
 * (a temporary cluster has nothing to save), then their folders go.
 */
export function abortRun(): void {
  killAllProcesses();
  for (const dir of temporaryDirs) {
    try {
      rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
    } catch {
      // A process still dying may hold a file for a moment; the folder is in the system's temp dir.
    }
  }
  temporaryDirs.clear();
}
