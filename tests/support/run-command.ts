// Runs a command to its end without blocking the test worker: a synchronous
// spawn would stop the worker from answering the test runner for as long as the
// command runs, and a long one makes vitest report "Timeout calling onTaskUpdate".

import { execFile } from 'node:child_process';

export interface CommandResult {
  /** The exit code; null when a signal (or the timeout) ended it. */
  status: number | null;
  stdout: string;
  stderr: string;
}

export function runCommand(
  command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; timeout?: number } = {},
): Promise<CommandResult> {
  return new Promise((resolve) => {
    execFile(command, args, { ...options, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = (err as { code?: unknown } | null)?.code;
      resolve({ status: err ? (typeof code === 'number' ? code : null) : 0, stdout, stderr });
    });
  });
}
