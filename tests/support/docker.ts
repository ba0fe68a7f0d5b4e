// A Docker engine for the tests that need one: used as it is when `docker info`
// answers; started (dockerd) when it does not and dockerd is installed, and then
// stopped again by the same test; or a reason to skip when there is none.

import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCommand } from './run-command.ts';

export interface TestDocker {
  ok: boolean;
  /** Why the tests that need Docker are skipped (when not ok). */
  reason: string;
  /** Stops dockerd if this module started it; otherwise does nothing. */
  stop(): Promise<void>;
}

async function answers(): Promise<boolean> {
  return (await runCommand('docker', ['info', '--format', '{{.ServerVersion}}'], { timeout: 20_000 })).status === 0;
}

export async function useDocker(startTimeoutMs = 60_000): Promise<TestDocker> {
  const none = async () => undefined;
  if ((await runCommand('docker', ['--version'])).status !== 0) return { ok: false, reason: 'docker is not installed (no docker command on PATH)', stop: none };
  if (await answers()) return { ok: true, reason: '', stop: none };
  if ((await runCommand('dockerd', ['--version'])).status !== 0) return { ok: false, reason: 'the Docker engine does not answer and dockerd is not installed to start it', stop: none };

  const logFile = join(mkdtempSync(join(tmpdir(), 'kubelab-dockerd-')), 'dockerd.log');
  const log = openSync(logFile, 'a');
  const dockerd: ChildProcess = spawn('dockerd', [], { stdio: ['ignore', log, log] });
  closeSync(log);
  const exited = new Promise<void>((r) => dockerd.once('exit', () => r()));
  const stop = async () => {
    if (dockerd.exitCode !== null) return;
    dockerd.kill('SIGTERM'); // it stops its containerd too, in about 2 s
    await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
  };
  const deadline = Date.now() + startTimeoutMs;
  while (Date.now() < deadline && dockerd.exitCode === null) {
    if (await answers()) return { ok: true, reason: '', stop };
    await new Promise((r) => setTimeout(r, 200));
  }
  await stop();
  return { ok: false, reason: `dockerd did not answer within ${startTimeoutMs / 1000} s (its log: ${logFile})`, stop: none };
}
