// The docker command line, run asynchronously (never spawnSync: the test runner
// and the harness must keep answering while an image builds). Used for what
// the command line does best (building and importing images, `docker exec`);
// the container driver creates and breaks its containers through
// testcontainers' Docker client (container-runtime.ts).

import { execFile, spawn } from 'node:child_process';

export interface DockerResult {
  /** The exit code; null when a signal (or the timeout) ended it, or docker is not installed. */
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `docker ARGS…`; input, when given, is written to its stdin (e.g. a tar stream for `docker import -`). */
export function docker(args: string[], options: { input?: NodeJS.ReadableStream; timeoutMs?: number; cwd?: string } = {}): Promise<DockerResult> {
  if (options.input) return dockerWithInput(args, options.input, options.timeoutMs ?? 600_000, options.cwd);
  return new Promise((resolve) => {
    execFile('docker', args, { cwd: options.cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: options.timeoutMs ?? 600_000 }, (err, stdout, stderr) => {
      const code = (err as { code?: unknown } | null)?.code;
      resolve({ status: err ? (typeof code === 'number' ? code : null) : 0, stdout, stderr: stderr || (err && typeof code !== 'number' ? err.message : '') });
    });
  });
}

function dockerWithInput(args: string[], input: NodeJS.ReadableStream, timeoutMs: number, cwd?: string): Promise<DockerResult> {
  return new Promise((resolve) => {
    const child = spawn('docker', args, { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.stdin.on('error', () => { /* docker exited early: its stderr says why */ });
    input.pipe(child.stdin);
    child.on('error', (err) => { clearTimeout(timer); resolve({ status: null, stdout, stderr: err.message }); });
    child.on('close', (code) => { clearTimeout(timer); resolve({ status: code, stdout, stderr }); });
  });
}

/** Like docker(), but throws with docker's own message when the command fails. */
export async function dockerOk(args: string[], options: Parameters<typeof docker>[1] = {}): Promise<string> {
  const result = await docker(args, options);
  if (result.status !== 0) throw new Error(`docker ${args.slice(0, 3).join(' ')} failed (${result.status ?? 'killed'}): ${(result.stderr || result.stdout).trim().slice(-2000)}`);
  return result.stdout;
}

/**
 * Whether a Docker engine answers, and if not, why: the reason a container
 * driver run or test is skipped with.
 */
export async function dockerStatus(): Promise<{ ok: true; version: string } | { ok: false; reason: string }> {
  const result = await docker(['info', '--format', '{{.ServerVersion}}'], { timeoutMs: 20_000 });
  if (result.status === 0 && result.stdout.trim()) return { ok: true, version: result.stdout.trim() };
  if (result.status === null && /ENOENT/.test(result.stderr)) return { ok: false, reason: 'docker is not installed (no docker command on PATH)' };
  return { ok: false, reason: `the Docker engine does not answer: ${(result.stderr || result.stdout).trim().split('\n').slice(-1)[0] || 'docker info failed'}` };
}
